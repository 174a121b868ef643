import { notFound } from '../../platform/errors.ts';
import type { Item, Table } from '../../platform/table.ts';
import { siteIndexPartition } from '../common/public.ts';
import { profileKey, usernameKey } from '../users/profile.ts';

/** How many public notes and bookmarks the site page shows (newest first). */
export const SITE_ITEMS = 50;

export interface Site {
  profile: { username: string; name: string; bio?: string; website?: string; pictureUrl?: string };
  notes: Array<{ id: string; title: string; body: string; tags: string[]; pinned: boolean; updatedAt: string }>;
  bookmarks: Array<{ id: string; url: string; title: string; description: string; tags: string[]; createdAt: string }>;
}

/**
 * A user's public personal site, readable without signing in: only what the user marked
 * public, found through the site index, so a private record is never even read.
 */
export class SiteService {
  constructor(private readonly table: Table) {}

  async site(username: string): Promise<Site> {
    const claim = await this.table.get(usernameKey(username));
    const sub = claim?.holderId as string | undefined;
    const profile = sub ? await this.table.get(profileKey(sub)) : undefined;
    if (!sub || !profile || profile.username !== username) throw notFound(`There is no site named ${username}`);
    const [notes, bookmarks] = await Promise.all([this.publicItems(sub, 'NOTE#'), this.publicItems(sub, 'BOOKMARK#')]);
    const attributes = (profile.attributes ?? {}) as Record<string, string>;
    return {
      profile: {
        username,
        name: profile.name as string,
        ...optional('bio', attributes.bio),
        ...optional('website', attributes.website),
        ...optional('pictureUrl', attributes.profile_picture_url),
      },
      notes: notes.map((n) => ({
        id: n.id as string,
        title: n.title as string,
        body: n.body as string,
        tags: n.tags as string[],
        pinned: n.pinned as boolean,
        updatedAt: n.updatedAt as string,
      })),
      bookmarks: bookmarks.map((b) => ({
        id: b.id as string,
        url: b.url as string,
        title: b.title as string,
        description: b.description as string,
        tags: b.tags as string[],
        createdAt: b.createdAt as string,
      })),
    };
  }

  private async publicItems(sub: string, prefix: string): Promise<Item[]> {
    const page = await this.table.query({
      index: 'GSI2',
      partition: siteIndexPartition(sub),
      sort: { beginsWith: prefix },
      reverse: true,
      limit: SITE_ITEMS,
    });
    // The index is eventually consistent on DynamoDB: check the copy is still public.
    return page.items.filter((item) => item.visibility === 'public');
  }
}

const optional = <K extends string>(name: K, value: string | undefined) =>
  (value ? { [name]: value } : {}) as Partial<Record<K, string>>;
