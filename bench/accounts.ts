// Accounts for the benchmarks, made through the API the way a user makes one.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';

/** Signs up, confirms with the code from the outbox and signs in, the way a user would. */
export async function signedInUser(url: string, dir: string, email: string): Promise<string> {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher: agent,
    });
    return (await response.json()) as Record<string, string>;
  };
  const password = 'a long benchmark passphrase';
  await post('/v1/auth/signup', { email, password, name: 'Bench' });
  const code = await mailedCode(join(dir, 'outbox'), email);
  await post('/v1/auth/confirm', { email, code });
  const tokens = await post('/v1/auth/signin', { email, password });
  await agent.close();
  return tokens.accessToken as string;
}

async function mailedCode(outbox: string, email: string): Promise<string | undefined> {
  for (const file of (await readdir(outbox)).sort().reverse()) {
    const message = JSON.parse(await readFile(join(outbox, file), 'utf8')) as { to: string; text: string };
    if (message.to === email) return /\b(\d{6})\b/.exec(message.text)?.[1];
  }
  return undefined;
}
