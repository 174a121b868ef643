export function ApiKeys() {
  return <main><h1>ApiKeys</h1></main>;
}
