import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import yauzl from 'yauzl';
import { TestStratus } from '../support/stratus.ts';

/** Every file of a zip, by name, as text. */
function unzip(bytes: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const files = new Map<string, string>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          text(stream).then((content) => {
            files.set(entry.fileName, content);
            zip.readEntry();
          }, reject);
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('GET /v1/me/export: all of a user’s own data as one archive', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start({ RATE_LIMIT_PER_USER: '1000' });
  });
  after(() => s.stop());

  async function download(token: string) {
    const response = await s.fetch(`${s.url}/v1/me/export`, { headers: { authorization: `Bearer ${token}` } });
    return { response, files: await unzip(Buffer.from(await response.arrayBuffer())) };
  }

  test('the archive holds the account, items by app, posts, comments, likes and file bytes, and nobody else’s', async () => {
    const ada = (await s.newUser('ada@example.com', undefined, 'Ada')).accessToken;
    const bob = (await s.newUser('bob@example.com', undefined, 'Bob')).accessToken;
    await s.request('POST', '/v1/todos', { token: ada, body: { title: 'Write the export' } });
    await s.request('POST', '/v1/notes', { token: ada, body: { title: 'Ada’s note', body: 'mine' } });
    await s.request('POST', '/v1/todos', { token: bob, body: { title: 'Bob’s secret to-do' } });
    await s.request('POST', '/v1/api-keys', { token: ada, body: { name: 'script' } });
    const grant = await s.request('POST', '/v1/files/uploads', {
      token: ada,
      body: { path: 'docs/plan.txt', contentType: 'text/plain', size: 9 },
    });
    await s.fetch(grant.body.url, { method: 'PUT', headers: grant.body.headers, body: 'the plan!' });
    await s.runtime.queue.drain();
    const post = await s.graphql('mutation { createPost(input: { text: "hello" }) { id } }', {}, { token: ada });
    const postId = post.body.data.createPost.id;
    await s.graphql('mutation($p: ID!) { likePost(postId: $p) { liked } }', { p: postId }, { token: ada });
    await s.graphql(
      'mutation($p: ID!) { addComment(postId: $p, text: "first!") { id } }',
      { p: postId },
      { token: ada },
    );
    await s.graphql(
      'mutation($p: ID!) { addComment(postId: $p, text: "bob was here") { id } }',
      { p: postId },
      {
        token: bob,
      },
    );
    await s.runtime.dispatcher.drain();

    const { response, files } = await download(ada);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/zip');
    assert.match(
      response.headers.get('content-disposition') ?? '',
      /attachment; filename="stratus-export-\d{4}-\d{2}-\d{2}\.zip"/,
    );
    assert.equal(response.headers.get('cache-control'), 'no-store');

    assert.equal(JSON.parse(files.get('account.json') ?? '{}').email, 'ada@example.com');
    assert.deepEqual(
      JSON.parse(files.get('items/todos.json') ?? '[]').map((t: { title: string }) => t.title),
      ['Write the export'],
    );
    assert.equal(JSON.parse(files.get('items/notes.json') ?? '[]')[0].title, 'Ada’s note');
    assert.equal(files.get('objects/files/docs/plan.txt'), 'the plan!');
    assert.deepEqual(
      JSON.parse(files.get('social/posts.json') ?? '[]').map((p: { text: string }) => p.text),
      ['hello'],
    );
    assert.deepEqual(
      JSON.parse(files.get('social/comments.json') ?? '[]').map((c: { text: string }) => c.text),
      ['first!'],
    );
    assert.equal(JSON.parse(files.get('social/likes.json') ?? '[]').length, 1);

    const everything = [...files.values()].join('\n');
    assert.doesNotMatch(everything, /Bob’s secret to-do|bob was here/, 'nothing of another user');
    assert.doesNotMatch(everything, /"PK"|"GSI1PK"|keyHash/, 'no table bookkeeping or secret hashes');
  });

  test('signed out: 401, and no archive', async () => {
    const response = await s.fetch(`${s.url}/v1/me/export`);
    assert.equal(response.status, 401);
    await response.arrayBuffer();
  });
});
