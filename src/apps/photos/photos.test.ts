import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { cameraJpeg, hugePng, smallPng } from '../../../test/support/images.ts';
import { TestStratus } from '../../../test/support/stratus.ts';

describe('photos: uploads, processing, albums and share links', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start({ PHOTOS_MAX_MB: '2' }, { queue: { baseDelayMs: 10, pollMs: 20 } });
  });
  after(() => s.stop());

  /** Both background paths, until nothing is left: object events (the queue) and the change stream. */
  async function settle() {
    for (let i = 0; i < 3; i++) {
      await s.runtime.queue.drain();
      await s.runtime.dispatcher.drain();
    }
  }

  async function startUpload(token: string, body: Buffer, declared = 'image/jpeg', filename = 'IMG_0001.jpg') {
    return s.request('POST', '/v1/photos/uploads', {
      token,
      body: { filename, contentType: declared, size: body.length },
    });
  }

  /** Starts an upload, sends the bytes, and waits for processing. Returns the photo as the API shows it then. */
  async function upload(token: string, body: Buffer, declared = 'image/jpeg', filename = 'IMG_0001.jpg') {
    const started = await startUpload(token, body, declared, filename);
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.body.photo.status, 'pending');
    const { upload: grant } = started.body;
    const put = await s.fetch(grant.url, { method: grant.method, headers: grant.headers, body });
    assert.equal(put.status, 200, await put.text());
    await settle();
    const photo = await s.request('GET', `/v1/photos/${started.body.photo.id}`, { token });
    assert.equal(photo.status, 200);
    return photo.body;
  }

  /** A new access token, for after the clock has moved past the last one's life. */
  async function signIn(email: string): Promise<string> {
    const reply = await s.request('POST', '/v1/auth/signin', {
      body: { email, password: 'a long and unusual passphrase' },
    });
    assert.equal(reply.status, 200);
    return reply.body.accessToken;
  }

  /** Every object key the store holds under a prefix. */
  const objectKeys = (prefix: string) =>
    (
      s.runtime.db.prepare('SELECT key FROM stored_objects WHERE key LIKE ? ORDER BY key').all(`${prefix}%`) as Array<{
        key: string;
      }>
    ).map((row) => row.key);

  test('an uploaded photo becomes ready: upright, measured, dated, with five renditions and no metadata in them', async () => {
    const { accessToken: token } = await s.newUser('photos@example.com');
    // 640×480 stored, EXIF orientation 6: shown 480×640.
    const photo = await upload(token, await cameraJpeg({ orientation: 6 }));
    assert.equal(photo.status, 'ready', photo.failure);
    assert.equal(photo.width, 480);
    assert.equal(photo.height, 640);
    assert.equal(photo.format, 'jpeg');
    assert.equal(photo.takenAt, '2024-05-01T10:20:30+02:00');
    assert.deepEqual(
      photo.renditions.map((r: { name: string; width: number; height: number }) => `${r.name} ${r.width}×${r.height}`),
      ['s150.jpg 150×150', 's300.jpg 300×300', 's600.jpg 480×480', 'l1200.jpg 480×640', 'l1200.webp 480×640'],
    );
    for (const rendition of photo.renditions) {
      const response = await s.fetch(rendition.url);
      assert.equal(response.status, 200, rendition.name);
      assert.equal(response.headers.get('content-type'), rendition.contentType);
      assert.match(response.headers.get('cache-control') ?? '', /max-age=\d{5}/, 'cached for hours');
      const bytes = Buffer.from(await response.arrayBuffer());
      const metadata = await sharp(bytes).metadata();
      assert.equal(metadata.exif, undefined, `${rendition.name} carries no EXIF (so no GPS)`);
      assert.equal(metadata.width, rendition.width);
    }
    // The original keeps its EXIF, and only its owner gets a (short-lived) link to it.
    const original = await s.fetch(photo.original.url);
    const exif = exifReader((await sharp(Buffer.from(await original.arrayBuffer())).metadata()).exif as Buffer);
    assert.equal(exif.GPSInfo?.GPSLatitudeRef, 'N');
    // A rendition's URL serves byte ranges.
    const range = await s.fetch(photo.renditions[0].url, { headers: { range: 'bytes=0-1' } });
    assert.equal(range.status, 206);
    assert.deepEqual([...Buffer.from(await range.arrayBuffer())], [0xff, 0xd8]);
  });

  test('the list is newest first with a cursor; signed URLs are stable for hours, then expire', async () => {
    const { accessToken: token } = await s.newUser('list@example.com');
    const first = await upload(token, await smallPng(), 'image/png', 'one.png');
    const second = await upload(token, await cameraJpeg({ colour: '#cc8844' }), 'image/jpeg', 'two.jpg');
    const page1 = await s.request('GET', '/v1/photos?limit=1', { token });
    assert.deepEqual(
      page1.body.items.map((p: { id: string }) => p.id),
      [second.id],
    );
    const page2 = await s.request('GET', `/v1/photos?limit=1&cursor=${page1.body.nextCursor}`, { token });
    assert.deepEqual(
      page2.body.items.map((p: { id: string }) => p.id),
      [first.id],
    );
    assert.equal(first.format, 'png', 'the real type, from the bytes');

    const again = await s.request('GET', `/v1/photos/${second.id}`, { token });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.renditions[1].url, second.renditions[1].url, 'the same URL while its window lasts');
    assert.equal(again.headers.get('cache-control'), 'no-store', 'a kept copy would outlive its URLs');
    s.clock.advance(13 * 3600 * 1000);
    const expired = await s.fetch(second.renditions[1].url);
    assert.equal(expired.status, 403);
    assert.equal(((await expired.json()) as { code: string }).code, 'RequestExpired');
    const fresh = await s.request('GET', `/v1/photos/${second.id}`, { token: await signIn('list@example.com') });
    assert.notEqual(fresh.body.renditions[1].url, second.renditions[1].url);
    assert.equal((await s.fetch(fresh.body.renditions[1].url)).status, 200);
  });

  test('a signed URL with another size or photo put in is refused', async () => {
    const { accessToken: token } = await s.newUser('tamper@example.com');
    const photo = await upload(token, await cameraJpeg());
    const small = photo.renditions.find((r: { name: string }) => r.name === 's150.jpg').url as string;
    const tampered = small.replace('s150.jpg', 's600.jpg');
    const response = await s.fetch(tampered);
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { code: string }).code, 'SignatureDoesNotMatch');
  });

  test('bad uploads are refused cleanly: nothing is left behind and the queue keeps flowing', async () => {
    const { accessToken: token, idToken } = await s.newUser('bad@example.com');
    const sub = JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString()).sub as string;
    const jpeg = await cameraJpeg();
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ['a text file declared as JPEG', Buffer.from('just some text, not a picture\n'), 'image/jpeg', /not an image/],
      ['a truncated JPEG', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'image/jpeg', /damaged or incomplete/],
      ['a 30000×30000 PNG', hugePng(), 'image/png', /30000×30000 pixels \(900 MP\)/],
    ];
    const ids: string[] = [];
    for (const [what, body, declared] of cases) {
      const started = await startUpload(token, body, declared);
      assert.equal(started.status, 201, what);
      const { upload: grant } = started.body;
      assert.equal((await s.fetch(grant.url, { method: grant.method, headers: grant.headers, body })).status, 200);
      ids.push(started.body.photo.id);
    }
    // A good photo queued behind the bad ones is processed all the same.
    const good = await upload(token, jpeg);
    assert.equal(good.status, 'ready');
    for (const [index, [what, , , reason]] of cases.entries()) {
      const photo = await s.request('GET', `/v1/photos/${ids[index]}`, { token });
      assert.equal(photo.body.status, 'failed', what);
      assert.match(photo.body.failure, reason, what);
      assert.equal(photo.body.renditions, undefined, what);
      assert.deepEqual(objectKeys(`users/${sub}/photos/${ids[index]}/`), [], `${what}: no objects kept`);
    }
    // Refusals are outcomes, not errors: no delivery was retried or dead-lettered.
    const retried = s.runtime.db
      .prepare(
        "SELECT count(*) AS n FROM queue_deliveries WHERE handler = 'photos.process-uploads' AND error IS NOT NULL",
      )
      .get() as { n: number };
    assert.equal(retried.n, 0);
  });

  test('uploads over the limit, of other types, or empty are refused before any URL is given', async () => {
    const { accessToken: token } = await s.newUser('limits@example.com');
    const post = (body: object) => s.request('POST', '/v1/photos/uploads', { token, body });
    const big = await post({ filename: 'big.jpg', contentType: 'image/jpeg', size: 2 * 1024 ** 2 + 1 });
    assert.equal(big.status, 413);
    assert.match(big.body.detail, /at most 2 MiB/);
    const pdf = await post({ filename: 'doc.pdf', contentType: 'application/pdf', size: 100 });
    assert.equal(pdf.status, 415);
    const heic = await post({ filename: 'IMG.HEIC', contentType: 'image/heic', size: 100 });
    assert.equal(heic.status, 415);
    assert.match(heic.body.detail, /HEIC/);
    const empty = await post({ filename: 'e.jpg', contentType: 'image/jpeg', size: 0 });
    assert.equal(empty.status, 400);
    const slash = await post({ filename: 'a/b.jpg', contentType: 'image/jpeg', size: 10 });
    assert.equal(slash.status, 400);
    assert.equal(slash.body.errors[0].field, 'body.filename');
    // More bytes than declared: the store refuses them, and the photo stays pending (then expires).
    const started = await post({ filename: 'x.jpg', contentType: 'image/jpeg', size: 10 });
    const { upload: grant } = started.body;
    const put = await s.fetch(grant.url, { method: 'PUT', headers: grant.headers, body: Buffer.alloc(11) });
    assert.equal(put.status, 413);
    const list = await s.request('GET', '/v1/photos?status=ready', { token });
    assert.deepEqual(list.body.items, []);
  });

  test("another user's photo cannot be read, changed, uploaded to, put in an album or shared", async () => {
    const alice = (await s.newUser('alice.photos@example.com')).accessToken;
    const bob = (await s.newUser('bob.photos@example.com')).accessToken;
    const photo = await upload(alice, await cameraJpeg());
    assert.equal((await s.request('GET', `/v1/photos/${photo.id}`, { token: bob })).status, 404);
    const patch = await s.request('PATCH', `/v1/photos/${photo.id}`, {
      token: bob,
      body: { caption: 'mine now' },
      headers: { 'if-match': '*' },
    });
    assert.equal(patch.status, 404);
    assert.equal((await s.request('DELETE', `/v1/photos/${photo.id}`, { token: bob })).status, 404);
    // Bob's own upload URL, pointed at Alice's photo: the signature covers the key.
    const started = await startUpload(bob, Buffer.alloc(100));
    const url = new URL(started.body.upload.url);
    url.pathname = url.pathname.replace(
      /users\/[^/]+\/photos\/[^/]+\//,
      `users/${photo.renditions[0].url.split('/users/')[1].split('/')[0]}/photos/${photo.id}/`,
    );
    const forged = await s.fetch(url.href, {
      method: 'PUT',
      headers: started.body.upload.headers,
      body: Buffer.alloc(100),
    });
    assert.equal(forged.status, 403);
    const album = await s.request('POST', '/v1/albums', { token: bob, body: { title: 'Stolen' } });
    assert.equal(
      (await s.request('PUT', `/v1/albums/${album.body.id}/photos/${photo.id}`, { token: bob })).status,
      404,
    );
    const share = await s.request('POST', '/v1/shares', { token: bob, body: { kind: 'photo', id: photo.id } });
    assert.equal(share.status, 404);
    const still = await s.request('GET', `/v1/photos/${photo.id}`, { token: alice });
    assert.equal(still.body.version, photo.version);
  });

  test('a caption is edited with If-Match; a redelivered upload event changes nothing', async () => {
    const { accessToken: token } = await s.newUser('caption@example.com');
    const photo = await upload(token, await cameraJpeg());
    const stale = await s.request('PATCH', `/v1/photos/${photo.id}`, {
      token,
      body: { caption: 'old' },
      headers: { 'if-match': `"${photo.version - 1}"` },
    });
    assert.equal(stale.status, 412);
    const edited = await s.request('PATCH', `/v1/photos/${photo.id}`, {
      token,
      body: { caption: 'Beach, day one' },
      headers: { 'if-match': `"${photo.version}"` },
    });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.caption, 'Beach, day one');
    // The same object event again (S3 and the queue deliver at least once).
    const objects = s.runtime.objects;
    const key = `users/${edited.body.renditions[0].url.split('/users/')[1].split('/')[0]}/photos/${photo.id}/original`;
    const info = await objects.head(key);
    await s.runtime.queue.enqueue('object-events', {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'local',
      eventTime: new Date().toISOString(),
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'stratus-local', arn: 'arn:aws:s3:::stratus-local' },
        object: { key, size: info?.size, eTag: info?.etag.replace(/"/g, ''), sequencer: '0' },
      },
    });
    await settle();
    const after = await s.request('GET', `/v1/photos/${photo.id}`, { token });
    assert.equal(after.body.version, edited.body.version, 'not processed again');
    assert.equal(after.body.caption, 'Beach, day one');
  });

  test('albums: add (twice), cover, count, remove; deleting a photo takes it out of albums and deletes its objects', async () => {
    const { accessToken: token, idToken } = await s.newUser('albums@example.com');
    const sub = JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString()).sub as string;
    const a = await upload(token, await cameraJpeg({ colour: '#224466' }));
    const b = await upload(token, await cameraJpeg({ colour: '#664422' }));
    const album = await s.request('POST', '/v1/albums', { token, body: { title: 'Summer' } });
    assert.equal(album.status, 201);
    assert.equal(album.body.photoCount, 0);
    for (const id of [a.id, b.id, a.id]) {
      const added = await s.request('PUT', `/v1/albums/${album.body.id}/photos/${id}`, { token });
      assert.equal(added.status, 200);
    }
    let current = await s.request('GET', `/v1/albums/${album.body.id}`, { token });
    assert.equal(current.body.photoCount, 2, 'adding twice counts once');
    assert.equal(current.body.coverPhotoId, b.id, 'the newest photo is the cover');
    assert.ok(current.body.cover.renditions.length > 0);
    const chosen = await s.request('PATCH', `/v1/albums/${album.body.id}`, {
      token,
      body: { coverPhotoId: a.id, title: 'Summer 2024' },
      headers: { 'if-match': `"${current.body.version}"` },
    });
    assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
    assert.equal(chosen.body.coverPhotoId, a.id);
    assert.equal(chosen.body.title, 'Summer 2024');
    const notMember = await s.request('PATCH', `/v1/albums/${album.body.id}`, {
      token,
      body: { coverPhotoId: '01jd3k9v2x8q4m7n5p6r0s1t2w' },
      headers: { 'if-match': '*' },
    });
    assert.equal(notMember.status, 422);

    const photos = await s.request('GET', `/v1/albums/${album.body.id}/photos`, { token });
    assert.deepEqual(
      photos.body.items.map((p: { id: string }) => p.id),
      [b.id, a.id],
    );
    // Deleting the cover photo: it leaves the album, the cover falls back, its objects go.
    assert.equal((await s.request('DELETE', `/v1/photos/${a.id}`, { token })).status, 204);
    await settle();
    current = await s.request('GET', `/v1/albums/${album.body.id}`, { token });
    assert.equal(current.body.photoCount, 1);
    assert.equal(current.body.coverPhotoId, b.id);
    assert.equal(current.body.coverChosen, undefined);
    assert.deepEqual(objectKeys(`users/${sub}/photos/${a.id}/`), []);
    assert.ok(
      objectKeys(`users/${sub}/photos/${b.id}/`).length === 6,
      'the other photo keeps its original and 5 renditions',
    );

    const removed = await s.request('DELETE', `/v1/albums/${album.body.id}/photos/${b.id}`, { token });
    assert.equal(removed.body.photoCount, 0);
    assert.equal(removed.body.coverPhotoId, undefined);
    assert.equal((await s.request('GET', `/v1/photos/${b.id}`, { token })).status, 200, 'the photo stays');
  });

  test('share links: a public gallery without signing in; expiring, revocable, and gone with what they share', async () => {
    let { accessToken: token } = await s.newUser('share@example.com', undefined, 'Sam Sharer');
    const photo = await upload(token, await cameraJpeg());
    const album = await s.request('POST', '/v1/albums', { token, body: { title: 'Trip' } });
    await s.request('PUT', `/v1/albums/${album.body.id}/photos/${photo.id}`, { token });

    const link = await s.request('POST', '/v1/shares', { token, body: { kind: 'album', id: album.body.id } });
    assert.equal(link.status, 201);
    assert.match(link.body.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(link.body.url, `${s.url}/s/${link.body.token}`);
    const gallery = await s.request('GET', `/v1/shared/${link.body.token}`);
    assert.equal(gallery.status, 200);
    assert.equal(gallery.body.title, 'Trip');
    assert.equal(gallery.body.owner, 'Sam Sharer');
    assert.equal(gallery.body.photos.length, 1);
    const shared = gallery.body.photos[0];
    assert.deepEqual(Object.keys(shared).sort(), ['height', 'id', 'renditions', 'width']);
    assert.equal((await s.fetch(shared.renditions[0].url)).status, 200);
    assert.equal(gallery.headers.get('cache-control'), 'no-store');

    // Expiring: works until then, 410 after.
    const expiring = await s.request('POST', '/v1/shares', {
      token,
      body: { kind: 'photo', id: photo.id, expiresAt: new Date(s.clock.now() + 3600_000).toISOString() },
    });
    assert.equal(expiring.status, 201);
    assert.equal((await s.request('GET', `/v1/shared/${expiring.body.token}`)).status, 200);
    s.clock.advance(3601_000);
    const late = await s.request('GET', `/v1/shared/${expiring.body.token}`);
    assert.equal(late.status, 410);
    token = await signIn('share@example.com');
    const past = await s.request('POST', '/v1/shares', {
      token,
      body: { kind: 'photo', id: photo.id, expiresAt: '2001-01-01T00:00:00Z' },
    });
    assert.equal(past.status, 400);

    // Revoked: gone at once; a token guessed or mistyped is simply not found.
    const listed = await s.request('GET', `/v1/shares?kind=album&id=${album.body.id}`, { token });
    assert.deepEqual(
      listed.body.items.map((i: { token: string }) => i.token),
      [link.body.token],
    );
    const other = await s.newUser('not-owner@example.com');
    assert.equal(
      (await s.request('DELETE', `/v1/shares/${link.body.token}`, { token: other.accessToken })).status,
      404,
    );
    assert.equal((await s.request('DELETE', `/v1/shares/${link.body.token}`, { token })).status, 204);
    assert.equal((await s.request('GET', `/v1/shared/${link.body.token}`)).status, 404);
    assert.equal((await s.request('GET', '/v1/shared/not-a-token')).status, 400);

    // Deleting the photo ends its links too.
    const photoLink = await s.request('POST', '/v1/shares', { token, body: { kind: 'photo', id: photo.id } });
    await s.request('DELETE', `/v1/photos/${photo.id}`, { token });
    assert.equal((await s.request('GET', `/v1/shared/${photoLink.body.token}`)).status, 404);
    await settle();
    assert.deepEqual((await s.request('GET', `/v1/shares?kind=photo&id=${photo.id}`, { token })).body.items, []);
  });

  test('a profile picture goes through the same pipeline: public squares, and the profile points at them', async () => {
    const { accessToken: token } = await s.newUser('avatar@example.com');
    const body = await cameraJpeg({ width: 800, height: 600 });
    const started = await s.request('POST', '/v1/me/avatar', {
      token,
      body: { contentType: 'image/jpeg', size: body.length },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const { upload: grant } = started.body;
    assert.equal((await s.fetch(grant.url, { method: 'PUT', headers: grant.headers, body })).status, 200);
    await settle();
    const avatar = await s.request('GET', '/v1/me/avatar', { token });
    assert.equal(avatar.body.status, 'ready');
    const me = await s.request('GET', '/v1/me', { token });
    const picture = me.body.attributes.profile_picture_url as string;
    assert.equal(picture, avatar.body.urls['s300.jpg']);
    const response = await s.fetch(picture);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('cache-control') ?? '', /public, max-age=31536000, immutable/);
    const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    assert.deepEqual([metadata.width, metadata.height, metadata.exif], [300, 300, undefined]);
    // The original (with its EXIF) is gone, and it was never public.
    assert.equal((await s.fetch(picture.replace('s300.jpg', 'original'))).status, 404);

    const bad = await s.request('POST', '/v1/me/avatar', { token, body: { contentType: 'text/plain', size: 10 } });
    assert.equal(bad.status, 415);
    assert.equal((await s.request('DELETE', '/v1/me/avatar', { token })).status, 204);
    const after = await s.request('GET', '/v1/me', { token });
    assert.equal(after.body.attributes.profile_picture_url, undefined);
    assert.equal((await s.fetch(picture)).status, 404);
  });

  test('deleting the account deletes its photos, pictures and share links', async () => {
    const { accessToken: token, idToken } = await s.newUser('leaving.photos@example.com');
    const sub = JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString()).sub as string;
    const photo = await upload(token, await cameraJpeg());
    const link = await s.request('POST', '/v1/shares', { token, body: { kind: 'photo', id: photo.id } });
    assert.equal((await s.request('GET', `/v1/shared/${link.body.token}`)).status, 200);
    assert.equal((await s.request('DELETE', '/v1/me', { token })).status, 204);
    await settle();
    assert.deepEqual(objectKeys(`users/${sub}/`), []);
    assert.equal((await s.request('GET', `/v1/shared/${link.body.token}`)).status, 404);
    assert.equal(await s.runtime.table.get({ PK: `SHARE#${link.body.token}`, SK: 'SHARE' }), undefined);
  });
});
