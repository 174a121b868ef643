import assert from 'node:assert/strict';
import { request } from 'node:https';
import { test } from 'node:test';
import { TestStratus } from '../support/stratus.ts';

/** Opens a POST whose body the test sends later, so the request is in flight for as long as it likes. */
function slowRequest(s: TestStratus, path: string, body: string) {
  const url = new URL(path, s.url);
  const ca = s.tlsCert;
  const req = request(url, {
    method: 'POST',
    ca,
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return { response, finish: () => req.end(body.slice(half)) };
}

test('shutdown lets in-flight requests finish, refuses new connections, then closes the database', async () => {
  const s = await TestStratus.start();
  const body = JSON.stringify({ email: 'drain@example.com', password: 'a long and unusual passphrase', name: 'D' });
  const inFlight = Array.from({ length: 8 }, (_, i) =>
    slowRequest(s, '/v1/auth/signup', body.replace('drain@', `drain${i}@`)),
  );
  await new Promise((r) => setTimeout(r, 100)); // every request has sent its headers and half its body
  const stopped = s.server.shutdown(10_000);
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(s.request('GET', '/health'), 'a new connection is refused once draining');
  for (const r of inFlight) r.finish();
  const replies = await Promise.all(inFlight.map((r) => r.response));
  for (const reply of replies) assert.equal(reply.status, 201, reply.body);
  await stopped;
  assert.equal(s.runtime.db.open, false, 'the database is closed after the drain');
  await s.stop();
});
