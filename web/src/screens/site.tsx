export function PublicSite({ username }: { username: string }) {
  return <main><h1>{username}</h1></main>;
}
