import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestStratus } from '../../../test/support/stratus.ts';
import { normaliseUrl } from './model.ts';

test('URLs are normalised: scheme and host lower-cased, default port and fragment dropped', () => {
  assert.equal(normaliseUrl('HTTPS://Example.COM:443/a b?q=1#top'), 'https://example.com/a%20b?q=1');
  assert.equal(normaliseUrl('http://bücher.example/'), 'http://xn--bcher-kva.example/');
  for (const bad of [
    'javascript:alert(1)',
    'ftp://example.com/',
    'https://user:pw@example.com/',
    'not a url',
    'data:,x',
  ]) {
    assert.equal(normaliseUrl(bad), undefined, bad);
  }
});

describe('bookmarks', () => {
  let s: TestStratus;
  let token: string;
  before(async () => {
    s = await TestStratus.start();
    ({ accessToken: token } = await s.newUser('bookmarks@example.com'));
  });
  after(() => s.stop());

  test('one bookmark per URL: the same page in another spelling is a 409 naming the existing one', async () => {
    const first = await s.request('POST', '/v1/bookmarks', {
      token,
      body: { url: 'https://example.com/article#intro', title: 'Article' },
    });
    assert.equal(first.status, 201);
    assert.equal(first.body.url, 'https://example.com/article');
    const again = await s.request('POST', '/v1/bookmarks', {
      token,
      body: { url: 'HTTPS://EXAMPLE.com:443/article', title: 'Same' },
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'BookmarkExists');
    assert.equal(again.body.existingId, first.body.id);
    assert.equal((await s.request('GET', '/v1/bookmarks', { token })).body.items.length, 1);
  });

  test('changing the URL frees the old one and claims the new; deleting frees it', async () => {
    const a = (await s.request('POST', '/v1/bookmarks', { token, body: { url: 'https://a.example/', title: 'A' } }))
      .body;
    const b = (await s.request('POST', '/v1/bookmarks', { token, body: { url: 'https://b.example/', title: 'B' } }))
      .body;
    const clash = await s.request('PATCH', `/v1/bookmarks/${a.id}`, {
      token,
      body: { url: 'https://b.example/' },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.existingId, b.id);
    const moved = await s.request('PATCH', `/v1/bookmarks/${a.id}`, {
      token,
      body: { url: 'https://c.example/' },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(moved.status, 200);
    const reuse = await s.request('POST', '/v1/bookmarks', { token, body: { url: 'https://a.example/', title: 'A2' } });
    assert.equal(reuse.status, 201, 'the old URL is free again');
    assert.equal((await s.request('DELETE', `/v1/bookmarks/${b.id}`, { token })).status, 204);
    const again = await s.request('POST', '/v1/bookmarks', { token, body: { url: 'https://b.example/', title: 'B2' } });
    assert.equal(again.status, 201, 'a deleted bookmark frees its URL');
  });

  test('only http and https URLs are accepted', async () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'https://u:p@example.com/', '', 'x'.repeat(3000)]) {
      const r = await s.request('POST', '/v1/bookmarks', { token, body: { url, title: 't' } });
      assert.equal(r.status, 400, url.slice(0, 40));
      assert.equal(r.body.errors[0].field, 'body.url');
    }
  });
});
