import type { IndexKeys } from './collection.ts';

/**
 * The public site index: every public note and bookmark of a user is in GSI2 under
 * `SITE#<sub>`, so the site page is two index queries and private records are never read.
 * The key is absent for private records (a sparse index).
 */
export const siteIndexPartition = (sub: string): string => `SITE#${sub}`;

export function siteIndexKeys(sub: string, kind: 'NOTE' | 'BOOKMARK', id: string, visibility: string): IndexKeys {
  return visibility === 'public' ? { GSI2PK: siteIndexPartition(sub), GSI2SK: `${kind}#${id}` } : {};
}
