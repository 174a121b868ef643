export function Bookmarks() {
  return <main><h1>Bookmarks</h1></main>;
}
