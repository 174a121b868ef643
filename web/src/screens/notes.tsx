export function Notes() {
  return <main><h1>Notes</h1></main>;
}
