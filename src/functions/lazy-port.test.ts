import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lazyPort } from './lazy-port.ts';

interface Greeter {
  greet(name: string): Promise<string>;
  check(token: string): Promise<boolean>;
}

test('a lazy port loads its adapter once, on the first call, and eager methods never load it', async () => {
  let loads = 0;
  const port = lazyPort<Greeter>(
    async () => {
      loads += 1;
      return { greet: async (name) => `hello ${name}`, check: async () => false };
    },
    { check: async (token) => token === 'ok' },
  );
  assert.equal(await port.check('ok'), true);
  assert.equal(loads, 0, 'the eager method did not load the adapter');
  assert.deepEqual(await Promise.all([port.greet('a'), port.greet('b')]), ['hello a', 'hello b']);
  assert.equal(loads, 1, 'concurrent first calls share one load');
  assert.equal(await Promise.resolve(port), port, 'awaiting the port does not mistake it for a promise');
});

test('a failed load is tried again by the next call', async () => {
  let loads = 0;
  const port = lazyPort<Greeter>(async () => {
    loads += 1;
    if (loads === 1) throw new Error('network down');
    return { greet: async (name) => `hello ${name}`, check: async () => true };
  });
  await assert.rejects(port.greet('a'), /network down/);
  assert.equal(await port.greet('b'), 'hello b');
  assert.equal(loads, 2);
});
