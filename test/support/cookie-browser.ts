/**
 * A browser as far as sign-in flows go, for API tests: it keeps cookies per host and path,
 * sends them, and follows redirects one hop at a time so a test can stop anywhere on the way.
 */
import { type Agent, fetch } from 'undici';

/** A browser's cookies: by host, with their paths. */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();
  header(url: URL): string {
    return [...this.cookies]
      .filter(([key, cookie]) => key.startsWith(`${url.host}|`) && url.pathname.startsWith(cookie.path))
      .map(([key, cookie]) => `${key.split('|')[1]}=${cookie.value}`)
      .join('; ');
  }
  /** The same cookies in a second jar: the same browser, a moment later, replaying. */
  copy(): CookieJar {
    const jar = new CookieJar();
    for (const [key, cookie] of this.cookies) jar.cookies.set(key, { ...cookie });
    return jar;
  }
  store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) || '/';
      const gone = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=Thu, 01 Jan 1970/i.test(a));
      const key = `${url.host}|${name}`;
      if (gone || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { value, path });
    }
  }
}

/** Requests as a browser makes them, through `agent` for https (the test server's certificate). */
export function browserRequests(agent: Agent) {
  /** One request: the jar's cookies sent, the answer's kept, no redirect followed. */
  async function visit(url: URL, jar: CookieJar, form?: Record<string, string>) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: {
        cookie: jar.header(url),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { method: 'POST', body: new URLSearchParams(form).toString() } : {}),
      ...(url.protocol === 'https:' ? { dispatcher: agent } : {}),
    });
    jar.store(url, response.headers.getSetCookie());
    const body = await response.text();
    const location = response.headers.get('location');
    return { status: response.status, body, next: location ? new URL(location, url) : undefined };
  }

  /** Follows redirects from `from` until `stop` says so; returns where it stopped. */
  async function browse(from: URL, jar: CookieJar, stop: (url: URL) => boolean): Promise<URL> {
    let url = from;
    for (let hops = 0; hops < 20; hops++) {
      if (stop(url)) return url;
      const { status, next } = await visit(url, jar);
      if (!next) throw new Error(`${url} answered ${status} without a redirect`);
      url = next;
    }
    throw new Error('too many redirects');
  }

  return { visit, browse };
}

/** The outcome the web app's `/signin/federated` page reads from its fragment. */
export const outcomeOf = (url: URL) => Object.fromEntries(new URLSearchParams(url.hash.slice(1)));
