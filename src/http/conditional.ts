import { badRequest, preconditionRequired } from '../platform/errors.ts';

/**
 * The version an `If-Match` header names: `"3"`, or `*` for any. Weak tags never match
 * (RFC 9110 §13.1.1 compares If-Match strongly); a list matches if any member does.
 */
export function expectedVersion(header: string | undefined, required: boolean): number | '*' {
  if (header === undefined || header.trim() === '') {
    if (!required) return '*';
    throw preconditionRequired(
      'Send If-Match with the ETag you last read (GET the item for it), so no one else’s change is overwritten unseen',
    );
  }
  if (header.trim() === '*') return '*';
  const versions = header.split(',').map((tag) => /^\s*"(\d{1,15})"\s*$/.exec(tag)?.[1]);
  const version = versions.find((v) => v !== undefined);
  if (version === undefined) {
    throw badRequest('InvalidIfMatch', 'If-Match must be an ETag from this API, like "3" (with the quotes), or *');
  }
  return Number(version);
}

/** True when an `If-None-Match` header already holds `etag` (weak comparison, RFC 9110 §13.1.2). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}
