import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { routeGroupNames } from '../apps/index.ts';
import { eventFunctions, httpFunctions } from './catalog.ts';

test('every HTTP route group is one function in the catalog, and no function lacks a group', () => {
  assert.deepEqual(httpFunctions.map((f) => f.name).sort(), [...routeGroupNames].sort());
});

test('every function in the catalog has its entry point in src/functions', () => {
  for (const { name } of [...httpFunctions, ...eventFunctions]) {
    assert.ok(existsSync(new URL(`./${name}.ts`, import.meta.url)), `src/functions/${name}.ts is missing`);
  }
});

test('public paths are among the paths each function serves', () => {
  for (const f of httpFunctions) {
    for (const open of f.publicPaths) assert.ok(f.paths.includes(open), `${f.name}: ${open} is not one of its paths`);
  }
});
