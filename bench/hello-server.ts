// The baseline: the least an HTTPS server on this machine can do per request. With a second
// argument, it first keeps the CPU busy for that many µs a request: what any server costing that
// much gets from this machine at a given concurrency (a reference for latency targets).
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadTls } from '../src/local/tls.ts';

const tls = await loadTls(process.argv[2] as string, '127.0.0.1');
const workMs = Number(process.argv[3] ?? 0) / 1000;
const body = JSON.stringify({ hello: 'world' });
const server = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => {
  const until = performance.now() + workMs;
  while (performance.now() < until) {
    // Busy on purpose: a handler's CPU time, without its allocations or I/O.
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () =>
  console.log(`LISTENING https://127.0.0.1:${(server.address() as AddressInfo).port}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
