import { Hono } from 'hono';
import type { OutboxNotifier } from '../adapters/local/outbox-notifier.ts';
import type { SigningKeys } from '../adapters/local/token-keys.ts';
import type { AppEnv } from '../http/context.ts';

/** What the built-in issuer publishes, as Cognito does for a user pool. */
export function wellKnownRoutes(issuer: string, keys: SigningKeys): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json(keys.jwks);
  });
  app.get('/.well-known/openid-configuration', (c) =>
    c.json({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['none'],
      claims_supported: ['sub', 'email', 'email_verified', 'name', 'auth_time', 'iat', 'exp', 'iss', 'aud'],
    }),
  );
  return app;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );

/**
 * The dev outbox: every mail and SMS Stratus "sent" on this machine, newest first. Local mode
 * only (it is never part of the AWS app). JSON when asked for (`?format=json`).
 */
export function devOutboxRoutes(outbox: OutboxNotifier): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/_dev/outbox', async (c) => {
    const to = c.req.query('to');
    const messages = await outbox.list(to ? { to } : {});
    if (c.req.query('format') === 'json' || c.req.header('Accept')?.includes('application/json')) {
      return c.json({ items: messages });
    }
    const rows = messages
      .map(
        (m) => `<article><header><strong>${escapeHtml(m.subject ?? '(SMS)')}</strong>
<span>${escapeHtml(m.channel)} to ${escapeHtml(m.to)} · <time>${escapeHtml(m.createdAt)}</time></span></header>
<pre>${escapeHtml(m.text)}</pre></article>`,
      )
      .join('\n');
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Stratus outbox</title>
<style>body{font:16px system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1b1b1f}
article{border:1px solid #ccd;border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}header{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between}
span{color:#555;font-size:.875rem}pre{white-space:pre-wrap;font:inherit;margin:.5rem 0 0}</style></head>
<body><h1>Outbox</h1><p>Mail and SMS sent by this Stratus (local mode), newest first.</p>
${rows || '<p>No messages yet.</p>'}</body></html>`);
  });
  return app;
}
