export function Files() {
  return <main><h1>Files</h1></main>;
}
