import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadAwsConfig } from '../../functions/config.ts';
import { mediaUrls } from '../../functions/runtime.ts';
import type { ObjectStore } from '../../platform/objects.ts';
import { CloudFrontMediaUrls } from './cloudfront-media-urls.ts';
import { PresignedMediaUrls } from './media-urls.ts';

const MEDIA_URL = 'https://d111111abcdef8.cloudfront.net';
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const PHOTO = 'users/0f1e2d3c/photos/01jabcdef/9b2cf5/s300.jpg';
const AVATAR = 'users/0f1e2d3c/avatars/01jabcdef/s300.jpg';
const EXPIRES = 1_900_000_000;

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A signer whose key is read through a counter, as the Lambda runtime reads it from Secrets Manager. */
function signer(readKey: () => Promise<string> = async () => privatePem) {
  const reads = { count: 0 };
  const media = new CloudFrontMediaUrls({
    mediaUrl: `${MEDIA_URL}/`,
    keyPairId: KEY_PAIR_ID,
    privateKey: () => {
      reads.count += 1;
      return readKey();
    },
  });
  return { media, reads };
}

/**
 * What CloudFront checks for a canned policy: the policy it rebuilds from the URL (the URL
 * without its signing parameters, and `Expires`), serialized without whitespace, signed with
 * RSA-SHA1 by the key `Key-Pair-Id` names; the signature in URL-safe base64 (+ → -, = → _, / → ~).
 */
function cloudFrontAccepts(signedUrl: string, key: KeyObject = publicKey): boolean {
  const url = new URL(signedUrl);
  const expires = Number(url.searchParams.get('Expires'));
  const signature = url.searchParams.get('Signature') ?? '';
  const resource = signedUrl.slice(0, signedUrl.indexOf('?'));
  const policy = `{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
  const standardBase64 = signature.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
  return verify('RSA-SHA1', Buffer.from(policy), key, Buffer.from(standardBase64, 'base64'));
}

describe('CloudFront signed media URLs', () => {
  test('a URL is the object on the media distribution with a canned-policy signature CloudFront accepts', async () => {
    const { media } = signer();
    const signed = await media.signed(PHOTO, EXPIRES);
    const url = new URL(signed);
    assert.equal(`${url.origin}${url.pathname}`, `${MEDIA_URL}/${PHOTO}`);
    assert.deepEqual([...url.searchParams.keys()].sort(), ['Expires', 'Key-Pair-Id', 'Signature']);
    assert.equal(url.searchParams.get('Expires'), String(EXPIRES));
    assert.equal(url.searchParams.get('Key-Pair-Id'), KEY_PAIR_ID);
    assert.equal(cloudFrontAccepts(signed), true);
  });

  test('the signature covers the object and the expiry: another key, time or signer is refused', async () => {
    const { media } = signer();
    const signed = await media.signed(PHOTO, EXPIRES);
    const otherObject = signed.replace('s300.jpg', 's600.jpg');
    const longer = signed.replace(`Expires=${EXPIRES}`, `Expires=${EXPIRES + 3600}`);
    assert.equal(cloudFrontAccepts(otherObject), false);
    assert.equal(cloudFrontAccepts(longer), false);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    assert.equal(cloudFrontAccepts(signed, stranger), false);
  });

  test('the same key and expiry give the same URL, even from another execution environment', async () => {
    const first = signer().media;
    const second = signer().media;
    const url = await first.signed(PHOTO, EXPIRES);
    assert.equal(await first.signed(PHOTO, EXPIRES), url);
    assert.equal(await second.signed(PHOTO, EXPIRES), url, 'RSA PKCS#1 v1.5 signatures are deterministic');
  });

  test('another expiry or another object gives another URL', async () => {
    const { media } = signer();
    const url = await media.signed(PHOTO, EXPIRES);
    const later = await media.signed(PHOTO, EXPIRES + 6 * 3600);
    assert.notEqual(later, url);
    assert.equal(new URL(later).searchParams.get('Expires'), String(EXPIRES + 6 * 3600));
    assert.equal(cloudFrontAccepts(later), true);
    assert.notEqual(await media.signed(PHOTO.replace('s300', 's150'), EXPIRES), url);
  });

  test('the private key is read once, on the first signature, for a whole page of URLs and the next pages', async () => {
    const { media, reads } = signer();
    assert.equal(reads.count, 0, 'nothing is read before a URL is signed');
    const keys = Array.from({ length: 100 }, (_, i) => `users/0f1e2d3c/photos/01j${i}/v1/s300.jpg`);
    const page = await Promise.all(keys.map((key) => media.signed(key, EXPIRES)));
    assert.equal(new Set(page).size, 100);
    assert.ok(page.every((url) => cloudFrontAccepts(url)));
    await Promise.all(keys.map((key) => media.signed(key, EXPIRES + 3600)));
    assert.equal(reads.count, 1);
  });

  test('a failed key read fails that signature and is tried again by the next', async () => {
    let available = false;
    const { media, reads } = signer(async () => {
      if (!available) throw new Error('Secrets Manager is unreachable');
      return privatePem;
    });
    await assert.rejects(media.signed(PHOTO, EXPIRES), /unreachable/);
    available = true;
    assert.equal(cloudFrontAccepts(await media.signed(PHOTO, EXPIRES)), true);
    assert.equal(reads.count, 2);
  });

  test('a secret that holds no RSA private key is named as such, without echoing it', async () => {
    const { media } = signer(async () => 'not a key: hunter2');
    await assert.rejects(media.signed(PHOTO, EXPIRES), (error: Error) => {
      assert.match(error.message, /not a PEM RSA private key/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    await assert.rejects(signer(async () => ec.toString()).media.signed(PHOTO, EXPIRES), /an ec key/);
  });

  test('an expiry must be whole epoch seconds', async () => {
    const { media } = signer();
    await assert.rejects(media.signed(PHOTO, Date.now()), /whole epoch seconds/);
    await assert.rejects(media.signed(PHOTO, 1.5), /whole epoch seconds/);
  });

  test('public URLs are plain and permanent, and only for profile pictures’ renditions', async () => {
    const { media, reads } = signer();
    assert.equal(media.publicUrl(AVATAR), `${MEDIA_URL}/${AVATAR}`);
    for (const key of [PHOTO, 'users/0f1e2d3c/avatars/01jabcdef/original', '../etc/passwd']) {
      assert.throws(() => media.publicUrl(key), /is not public media/, key);
    }
    assert.equal(reads.count, 0, 'a public URL needs no key');
  });
});

/**
 * The Lambda runtime's wiring, with the real Secrets Manager client: there is no Secrets Manager
 * emulator here, so a stand-in on 127.0.0.1 answers its JSON protocol's GetSecretValue.
 */
describe('media URLs on Lambda', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:MediaSigningKey-AbCdEf';
  const requests: Array<{ target: string; body: { SecretId?: string } }> = [];
  let server: Server;
  const peerEnvironment = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const saved = Object.fromEntries(peerEnvironment.map((name) => [name, process.env[name]]));
  const environment = {
    AWS_REGION: 'eu-west-1',
    TABLE_NAME: 'stratus',
    BUCKET_NAME: 'stratus-user-data',
    USER_POOL_ID: 'eu-west-1_probe',
    USER_POOL_CLIENT_ID: 'probe',
    CORS_ORIGINS: 'https://app.example.com',
    MEDIA_URL: MEDIA_URL,
  };
  const noObjects = {} as ObjectStore;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        requests.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ ARN: SECRET_ARN, Name: 'MediaSigningKey', SecretString: privatePem }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });
  after(() => {
    for (const name of peerEnvironment) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    server.close();
  });

  test('with the key pair, URLs are signed with the private key read once from the named secret', async () => {
    const config = loadAwsConfig({
      ...environment,
      MEDIA_KEY_PAIR_ID: KEY_PAIR_ID,
      MEDIA_SIGNING_KEY_SECRET: SECRET_ARN,
    });
    const media = mediaUrls(config, noObjects);
    assert.ok(media instanceof CloudFrontMediaUrls);
    assert.equal(requests.length, 0, 'nothing is read at cold start');
    const urls = await Promise.all([PHOTO, AVATAR].map((key) => media.signed(key, EXPIRES)));
    assert.ok(urls.every((url) => cloudFrontAccepts(url)));
    assert.equal(await media.signed(PHOTO.replace('s300', 's600'), EXPIRES + 60).then(cloudFrontAccepts), true);
    assert.deepEqual(requests, [{ target: 'secretsmanager.GetSecretValue', body: { SecretId: SECRET_ARN } }]);
  });

  test('without the key pair, private media is pre-signed S3 GETs; half a key pair fails the cold start', () => {
    assert.ok(mediaUrls(loadAwsConfig(environment), noObjects) instanceof PresignedMediaUrls);
    assert.throws(
      () => loadAwsConfig({ ...environment, MEDIA_SIGNING_KEY_SECRET: SECRET_ARN }),
      /MEDIA_KEY_PAIR_ID, MEDIA_SIGNING_KEY_SECRET: sign media URLs together, with MEDIA_URL/,
    );
    const { MEDIA_URL: _, ...withoutUrl } = environment;
    assert.throws(
      () => loadAwsConfig({ ...withoutUrl, MEDIA_KEY_PAIR_ID: KEY_PAIR_ID, MEDIA_SIGNING_KEY_SECRET: SECRET_ARN }),
      /with MEDIA_URL/,
    );
    assert.throws(() => loadAwsConfig({ ...environment, MEDIA_KEY_PAIR_ID: 'k-1 ' }), /MEDIA_KEY_PAIR_ID/);
  });
});
