import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';

/**
 * Sets a response header; use it instead of `c.header`. On one machine it goes straight onto
 * node's outgoing message: Hono's `c.header` keeps headers in a fetch `Headers` object, which the
 * node adapter converts back into node's, and that round trip cost more than the rest of a small
 * request (bench/README.md). A response without any `Headers` object takes the adapter's fast
 * path. Headers of the handler's own Response still win: node merges them over these. On AWS
 * (no outgoing message) it is `c.header`.
 */
export function setHeader(c: Context, name: string, value: string): void {
  const outgoing = outgoingOf(c);
  if (outgoing !== undefined) outgoing.setHeader(name, value);
  else c.header(name, value);
}

/** Node's outgoing message when served by the node adapter; undefined on AWS. */
export function outgoingOf(c: Context): ServerResponse | undefined {
  return (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
}
