// The photo pipeline beside plain sharp, in the same run: for a 12-megapixel camera JPEG, the
// time from an upload's last byte to its photo being ready (all renditions written and
// recorded), and photos processed per second, against sharp alone making the same five sizes
// from the same bytes in this process. Run alone with `npm run bench:photos`; `npm run bench`
// runs it after the HTTP loads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Agent, fetch } from 'undici';
import { PHOTO_RENDITIONS, processImage } from '../src/apps/photos/images.ts';
import { cameraJpeg } from '../test/support/images.ts';
import { signedInUser } from './accounts.ts';
import { spawnStratus } from './harness.ts';

const PHOTOS = 20;
/** How often a waiting photo is read: often for one at a time, seldom for many (or the reads are the load). */
const POLL_ONE_MS = 5;
const POLL_MANY_MS = 100;

interface Timing {
  name: string;
  /** Milliseconds per photo, one at a time. */
  samples: number[];
  /** Photos per second with PHOTOS in flight at once. */
  perSecond: number;
}

export async function benchPhotos(): Promise<void> {
  const photo = await cameraJpeg({ width: 4000, height: 3000, quality: 92 });
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-photos-'));
  const stratus = await spawnStratus(dataDir, 'stratus-photos.log');
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const token = await signedInUser(stratus.url, dataDir, 'photos@example.com');
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${stratus.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        dispatcher: agent,
      });
      // biome-ignore lint/suspicious/noExplicitAny: API replies, read for the few fields each step needs
      return (await response.json()) as Record<string, any>;
    };
    /** Uploads one photo; resolves with ms from the upload's 200 to the photo being ready. */
    const uploadAndWait = async (pollMs = POLL_ONE_MS): Promise<number> => {
      const { photo: created, upload } = await api('POST', '/v1/photos/uploads', {
        filename: 'IMG_4000x3000.jpg',
        contentType: 'image/jpeg',
        size: photo.length,
      });
      const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: photo, dispatcher: agent });
      if (put.status !== 200) throw new Error(`upload failed: ${put.status} ${await put.text()}`);
      const uploaded = performance.now();
      for (;;) {
        const current = await api('GET', `/v1/photos/${created.id}`);
        if (current.status === 'ready') return performance.now() - uploaded;
        if (current.status !== 'pending') throw new Error(`processing failed: ${current.failure}`);
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    };

    await uploadAndWait(); // warm-up: the first photo loads sharp and fills caches
    const plainOnce = () => plainSharp(photo);
    await plainOnce();

    const rows: Timing[] = [];
    rows.push(await measure('plain sharp, 5 sizes (baseline)', plainOnce));
    rows.push(
      await measure('processImage alone (decode once)', () =>
        processImage(photo, PHOTO_RENDITIONS, { maxPixels: 100e6 }),
      ),
    );
    rows.push(
      await measure('Stratus: upload done → ready', (many) => uploadAndWait(many ? POLL_MANY_MS : POLL_ONE_MS), true),
    );

    const baseline = rows[0] as Timing;
    console.log(`\nPhotos: a ${(photo.length / 1024 ** 2).toFixed(1)} MiB 4000×3000 JPEG, ${PHOTOS} photos`);
    console.log('                                      p50 ms   p95 ms   p50 / baseline   photos/s (20 at once)');
    for (const row of rows) {
      const p50 = percentile(row.samples, 50);
      console.log(
        `  ${row.name.padEnd(36)}${p50.toFixed(0).padStart(6)}${percentile(row.samples, 95).toFixed(0).padStart(9)}${(p50 / percentile(baseline.samples, 50)).toFixed(2).padStart(17)}${row.perSecond.toFixed(2).padStart(24)}`,
      );
    }
  } finally {
    await agent.close();
    await stratus.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The same five renditions, the plain way: one sharp pipeline per size from the original bytes. */
async function plainSharp(bytes: Buffer): Promise<Buffer[]> {
  return Promise.all(
    PHOTO_RENDITIONS.map((r) => {
      const image = sharp(bytes)
        .rotate()
        .resize(r.size, r.size, { fit: r.fit === 'square' ? 'cover' : 'inside', withoutEnlargement: true });
      return (r.format === 'webp' ? image.webp({ quality: 80 }) : image.jpeg({ quality: 80 })).toBuffer();
    }),
  );
}

/** One at a time for the latencies, then PHOTOS at once for the throughput. */
async function measure(name: string, once: (many: boolean) => Promise<unknown>, timesItself = false): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < PHOTOS; i++) {
    const start = performance.now();
    const result = await once(false);
    samples.push(timesItself ? (result as number) : performance.now() - start);
  }
  const start = performance.now();
  await Promise.all(Array.from({ length: PHOTOS }, () => once(true)));
  return { name, samples, perSecond: PHOTOS / ((performance.now() - start) / 1000) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPhotos();
