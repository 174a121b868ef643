import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestStratus } from '../../../test/support/stratus.ts';

describe('notes', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start();
  });
  after(() => s.stop());

  test('pinned notes list first, then newest first; tag and pinned filters', async () => {
    const { accessToken: token } = await s.newUser('notes-list@example.com');
    const make = async (title: string, pinned: boolean, tags: string[] = []) =>
      (await s.request('POST', '/v1/notes', { token, body: { title, pinned, tags } })).body;
    await make('old', false, ['a']);
    const pinnedOld = await make('pinned old', true);
    await make('new', false, ['a']);
    await make('pinned new', true, ['a']);
    const titles = async (q = '') =>
      (await s.request('GET', `/v1/notes${q}`, { token })).body.items.map((n: { title: string }) => n.title);
    assert.deepEqual(await titles(), ['pinned new', 'pinned old', 'new', 'old']);
    assert.deepEqual(await titles('?tag=a'), ['pinned new', 'new', 'old']);
    assert.deepEqual(await titles('?pinned=false'), ['new', 'old']);
    // Unpinning moves the note among the unpinned ones, by its age.
    const unpinned = await s.request('PATCH', `/v1/notes/${pinnedOld.id}`, {
      token,
      body: { pinned: false },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(unpinned.status, 200);
    assert.deepEqual(await titles(), ['pinned new', 'new', 'pinned old', 'old']);
  });

  test('a note body of up to 100 KB is kept whole; one byte more is a 400 and nothing is written', async () => {
    const { accessToken: token } = await s.newUser('notes-size@example.com');
    const body = `# Big\n\n${'é'.repeat(51_196)}a`;
    assert.equal(Buffer.byteLength(body), 100 * 1024);
    const ok = await s.request('POST', '/v1/notes', { token, body: { title: 'big', body } });
    assert.equal(ok.status, 201);
    assert.equal((await s.request('GET', `/v1/notes/${ok.body.id}`, { token })).body.body, body);
    const tooBig = await s.request('POST', '/v1/notes', { token, body: { title: 'too big', body: `${body}x` } });
    assert.equal(tooBig.status, 400);
    assert.equal(tooBig.body.errors[0].field, 'body.body');
    const bad = await s.request('POST', '/v1/notes', { token, body: { title: 'v', visibility: 'friends' } });
    assert.equal(bad.status, 400);
    assert.equal((await s.request('GET', '/v1/notes', { token })).body.items.length, 1);
  });
});
