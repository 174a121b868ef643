import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestStratus } from '../../../test/support/stratus.ts';

describe('public personal site', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start({}, { stream: { baseDelayMs: 10, pollMs: 20 } });
  });
  after(() => s.stop());

  test('a public site shows the profile and only public notes and bookmarks, with ETag, Cache-Control and 304', async () => {
    const { accessToken: token } = await s.newUser('site@example.com', undefined, 'Ada');
    const named = await s.request('PATCH', '/v1/me', { token, body: { username: 'Ada_L', attributes: { bio: 'Hi' } } });
    assert.equal(named.status, 200, JSON.stringify(named.body));
    assert.equal(named.body.username, 'ada_l');
    await s.request('POST', '/v1/notes', { token, body: { title: 'Public note', visibility: 'public', body: 'x' } });
    await s.request('POST', '/v1/notes', { token, body: { title: 'Secret note', body: 'diary' } });
    await s.request('POST', '/v1/bookmarks', {
      token,
      body: { url: 'https://public.example/', title: 'Public link', visibility: 'public' },
    });
    await s.request('POST', '/v1/bookmarks', { token, body: { url: 'https://private.example/', title: 'Private' } });

    const site = await s.request('GET', '/v1/sites/ada_l');
    assert.equal(site.status, 200);
    assert.deepEqual(site.body.profile, { username: 'ada_l', name: 'Ada', bio: 'Hi' });
    assert.deepEqual(
      site.body.notes.map((n: { title: string }) => n.title),
      ['Public note'],
    );
    assert.deepEqual(
      site.body.bookmarks.map((b: { title: string }) => b.title),
      ['Public link'],
    );
    assert.doesNotMatch(JSON.stringify(site.body), /Secret|diary|private\.example|site@example/);
    assert.match(site.headers.get('cache-control') ?? '', /public, max-age=\d+/);
    const etag = site.headers.get('etag') ?? '';
    assert.match(etag, /^".+"$/);
    const cached = await s.request('GET', '/v1/sites/ada_l', { headers: { 'if-none-match': etag } });
    assert.equal(cached.status, 304);

    // Making the note private takes it off the site, and the ETag changes.
    const list = await s.request('GET', '/v1/notes', { token });
    const publicNote = list.body.items.find((n: { title: string }) => n.title === 'Public note');
    await s.request('PATCH', `/v1/notes/${publicNote.id}`, {
      token,
      body: { visibility: 'private' },
      headers: { 'if-match': `"${publicNote.version}"` },
    });
    const after = await s.request('GET', '/v1/sites/ada_l', { headers: { 'if-none-match': etag } });
    assert.equal(after.status, 200);
    assert.deepEqual(after.body.notes, []);
  });

  test('a username is unique: a taken one is 409; changing frees the old one', async () => {
    const { accessToken: first } = await s.newUser('first@example.com');
    const { accessToken: second } = await s.newUser('second@example.com');
    assert.equal((await s.request('PATCH', '/v1/me', { token: first, body: { username: 'grace' } })).status, 200);
    const taken = await s.request('PATCH', '/v1/me', { token: second, body: { username: 'GRACE' } });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.code, 'UsernameTaken');
    assert.equal((await s.request('PATCH', '/v1/me', { token: first, body: { username: 'hopper' } })).status, 200);
    assert.equal((await s.request('GET', '/v1/sites/grace')).status, 404, 'the old name no longer serves a site');
    assert.equal((await s.request('PATCH', '/v1/me', { token: second, body: { username: 'grace' } })).status, 200);
  });

  test('two users racing for one username: exactly one gets it', async () => {
    const users = await Promise.all([s.newUser('race1@example.com'), s.newUser('race2@example.com')]);
    const replies = await Promise.all(
      users.map((u) => s.request('PATCH', '/v1/me', { token: u.accessToken, body: { username: 'contested' } })),
    );
    assert.deepEqual(replies.map((r) => r.status).sort(), [200, 409]);
  });

  test('a deleted account frees its username', async () => {
    const { accessToken } = await s.newUser('leaver@example.com');
    await s.request('PATCH', '/v1/me', { token: accessToken, body: { username: 'leaver' } });
    assert.equal((await s.request('DELETE', '/v1/me', { token: accessToken })).status, 204);
    await s.runtime.dispatcher.drain();
    assert.equal((await s.request('GET', '/v1/sites/leaver')).status, 404);
    const { accessToken: next } = await s.newUser('next@example.com');
    assert.equal((await s.request('PATCH', '/v1/me', { token: next, body: { username: 'leaver' } })).status, 200);
  });

  test('bad and reserved usernames are 400; an unknown site is 404', async () => {
    const { accessToken: token } = await s.newUser('badname@example.com');
    for (const username of ['ab', 'a'.repeat(31), 'has space', '-dash', 'admin', 'ünï']) {
      const r = await s.request('PATCH', '/v1/me', { token, body: { username } });
      assert.equal(r.status, 400, username);
      assert.equal(r.body.errors[0].field, 'body.username');
    }
    assert.equal((await s.request('GET', '/v1/sites/nobody-here')).status, 404);
    assert.equal((await s.request('GET', '/v1/sites/x')).status, 400);
  });
});
