/**
 * `GET /v1/me/export`: everything a user owns, as one zip, streamed as it is read (a large file
 * library never sits in memory). Inside:
 *
 * - `account.json`: the profile;
 * - `items/<app>.json`: every item of the user's partition, by app;
 * - `social/posts.json`, `social/comments.json`, `social/likes.json`: what the user wrote and
 *   liked elsewhere in the table (posts by reference, comments and likes through their indexes);
 * - `objects/<path>`: the bytes of every object under `users/<sub>/` (files, photos and their
 *   renditions, attachments), one at a time.
 *
 * Hashes of secrets (API keys) are left out: they are not the user's data and help only an attacker.
 */
import { PassThrough, Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import yazl from 'yazl';
import type { AppEnv } from '../../http/context.ts';
import { problems, router } from '../../http/openapi.ts';
import type { ObjectStore } from '../../platform/objects.ts';
import { type Item, limits, type Table } from '../../platform/table.ts';
import { appOf } from '../common/item-apps.ts';
import { commenterPartition, likerPartition, POST_REF_PREFIX, postKey } from '../social/keys.ts';
import { profileView } from './profile.ts';

const SECRET_ATTRIBUTE = /hash$/i;
const userPartition = (sub: string) => `USER#${sub}`;

/** The item without the table's bookkeeping (keys, index keys) or hashes of secrets. */
function exported(item: Item): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => !/^(PK|SK|GSI\d(PK|SK))$/.test(name) && !SECRET_ATTRIBUTE.test(name)),
  );
}

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

export class AccountExport {
  constructor(
    private readonly table: Table,
    private readonly objects: ObjectStore,
  ) {}

  /** The zip as a stream; entries are read while it is sent. An error mid-way ends the stream with it. */
  stream(sub: string, profile: Item): Readable {
    const zip = new yazl.ZipFile();
    const output = new PassThrough();
    zip.outputStream.pipe(output);
    this.fill(zip, sub, profile).then(
      () => zip.end(),
      (error: unknown) => output.destroy(error as Error),
    );
    return output;
  }

  private async fill(zip: yazl.ZipFile, sub: string, profile: Item): Promise<void> {
    const stamp = { mtime: new Date() };
    zip.addBuffer(json(profileView(profile)), 'account.json', stamp);

    const byApp = new Map<string, Record<string, unknown>[]>();
    const postIds: string[] = [];
    for await (const item of this.all({ partition: userPartition(sub) })) {
      const app = appOf(item);
      byApp.set(app, [...(byApp.get(app) ?? []), exported(item)]);
      if (String(item.SK).startsWith(POST_REF_PREFIX)) postIds.push(String(item.SK).slice(POST_REF_PREFIX.length));
    }
    for (const [app, items] of [...byApp].sort()) zip.addBuffer(json(items), `items/${app}.json`, stamp);

    const posts: Record<string, unknown>[] = [];
    for (let i = 0; i < postIds.length; i += limits.batchGetKeys) {
      const found = await this.table.batchGet(postIds.slice(i, i + limits.batchGetKeys).map(postKey));
      posts.push(...found.map(exported));
    }
    zip.addBuffer(json(posts), 'social/posts.json', stamp);
    for (const [name, partition] of [
      ['comments', commenterPartition(sub)],
      ['likes', likerPartition(sub)],
    ] as const) {
      const items: Record<string, unknown>[] = [];
      for await (const item of this.all({ index: 'GSI1', partition })) items.push(exported(item));
      zip.addBuffer(json(items), `social/${name}.json`, stamp);
    }

    const prefix = `users/${sub}/`;
    let after: string | undefined;
    do {
      const page = await this.objects.listKeys(prefix, after);
      for (const key of page.keys) {
        // Opened only when the zip reaches it: one object file open at a time.
        zip.addReadStreamLazy(`objects/${key.slice(prefix.length)}`, stamp, (done) => {
          this.objects.get(key).then(
            (object) => done(object ? null : new Error(`${key} went away during the export`), object?.body as Readable),
            (error: unknown) => done(error, undefined as never),
          );
        });
      }
      after = page.next;
    } while (after);
  }

  private async *all(query: { partition: string; index?: 'GSI1' }): AsyncGenerator<Item> {
    let cursor: string | undefined;
    do {
      const page = await this.table.query({ ...query, limit: limits.queryPageItems, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.cursor;
    } while (cursor);
  }
}

/** The route, for the accounts group: a signed-in user downloads their own archive. */
export function exportRoutes(exporter: AccountExport, signedInChain: MiddlewareHandler<AppEnv>[]) {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/export',
      tags: ['Accounts'],
      summary: 'Everything you own here, as one zip (account, items by app, posts, comments, likes, files)',
      security: [{ Bearer: [] }],
      middleware: signedInChain,
      responses: {
        200: {
          content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
          description: 'The archive',
        },
        ...problems,
      },
    }),
    (c) => {
      const day = new Date().toISOString().slice(0, 10);
      const archive = exporter.stream(c.get('caller').sub, c.get('profile'));
      return c.body(Readable.toWeb(archive) as ReadableStream, 200, {
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="stratus-export-${day}.zip"`,
        'Cache-Control': 'no-store',
      }) as never;
    },
  );
  return app;
}
