// The read-heavy to-do load of issue 3: 20 users with 200 to-dos each; 95% list/get, 5% create/update.
import type autocannon from 'autocannon';
import { Agent, fetch } from 'undici';

export const USERS = 20;
export const TODOS_PER_USER = 200;

export interface SeededUser {
  token: string;
  todoIds: string[];
}

/** Creates `TODOS_PER_USER` to-dos for each user through the API, a few at a time. */
export async function seedTodos(url: string, tokens: string[]): Promise<SeededUser[]> {
  const agent = new Agent({ connect: { rejectUnauthorized: false }, connections: 16 });
  const users = await Promise.all(
    tokens.map(async (token) => {
      const todoIds: string[] = [];
      for (let i = 0; i < TODOS_PER_USER; i += 10) {
        const batch = await Promise.all(
          Array.from({ length: 10 }, async (_, j) => {
            const response = await fetch(`${url}/v1/todos`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ title: `To-do ${i + j}`, tags: [(i + j) % 3 === 0 ? 'home' : 'work'] }),
              dispatcher: agent,
            });
            if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
            return ((await response.json()) as { id: string }).id;
          }),
        );
        todoIds.push(...batch);
      }
      return { token, todoIds };
    }),
  );
  await agent.close();
  return users;
}

/**
 * A fixed sequence of 100 requests spread over the users: 60 list pages, 35 item reads,
 * 3 creates and 2 updates. Each connection cycles through it from its own starting point.
 */
export function todoMix(users: SeededUser[]): autocannon.Request[] {
  const requests: autocannon.Request[] = [];
  for (let n = 0; n < 100; n++) {
    const user = users[n % users.length] as SeededUser;
    const headers = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };
    const todo = user.todoIds[(n * 37) % user.todoIds.length] as string;
    if (n % 50 === 7) {
      requests.push({
        method: 'PATCH',
        path: `/v1/todos/${todo}`,
        headers: { ...headers, 'if-match': '*' },
        body: JSON.stringify({ done: n % 2 === 0 }),
      });
    } else if (n % 33 === 5) {
      requests.push({ method: 'POST', path: '/v1/todos', headers, body: JSON.stringify({ title: 'Bench to-do' }) });
    } else if (n % 20 < 7) {
      requests.push({ method: 'GET', path: `/v1/todos/${todo}`, headers });
    } else {
      const query = n % 4 === 0 ? '?limit=20&done=false' : '?limit=20';
      requests.push({ method: 'GET', path: `/v1/todos${query}`, headers });
    }
  }
  return requests;
}
