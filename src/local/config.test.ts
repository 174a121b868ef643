import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults: 127.0.0.1:8443, ./data, the public URL as the only CORS origin', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8443);
  assert.equal(config.host, '127.0.0.1');
  assert.match(config.dataDir, /\/data$/);
  assert.equal(config.publicUrl, 'https://127.0.0.1:8443');
  assert.deepEqual(config.corsOrigins, ['https://127.0.0.1:8443']);
  assert.equal(config.tls, undefined);
});

test('each bad value is named with what to fix, all at once', () => {
  assert.throws(
    () =>
      loadConfig({
        PORT: 'eighty',
        PUBLIC_URL: 'ftp://x',
        SMTP_URL: 'mail.example.com',
        TLS_CERT: '/nope/cert.pem',
        LOG_LEVEL: 'loud',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of ['PORT', 'PUBLIC_URL', 'SMTP_URL', 'TLS_CERT', 'LOG_LEVEL'])
        assert.match(error.message, new RegExp(name));
      return true;
    },
  );
  assert.throws(() => loadConfig({ PORT: '70000' }), /PORT: must be from 0 to 65535/);
  assert.throws(
    () => loadConfig({ CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' }),
    /CORS_ORIGINS/,
  );
});

test('an empty variable counts as unset', () => {
  assert.equal(loadConfig({ PORT: '', SMTP_URL: '' }).port, 8443);
});

test('FEDERATION_PROVIDERS: OpenID Connect by default, SAML by `protocol`, and each bad field named', () => {
  const oidc = { id: 'acme', name: 'Acme', issuer: 'https://id.acme.example', clientId: 'stratus' };
  const saml = {
    id: 'corp',
    name: 'Corp SSO',
    protocol: 'saml',
    entryPoint: 'https://idp.corp.example/sso',
    idpIssuer: 'https://idp.corp.example/metadata',
    idpCert: 'MII'.padEnd(200, 'A'),
  };
  const providers = loadConfig({ FEDERATION_PROVIDERS: JSON.stringify([oidc, saml]) }).federationProviders ?? [];
  assert.deepEqual(
    providers.map((p) => [p.id, p.protocol]),
    [
      ['acme', 'oidc'],
      ['corp', 'saml'],
    ],
  );
  assert.equal(providers[1]?.protocol === 'saml' && providers[1].trustEmail, true, 'trustEmail defaults to true');
  const refusal = (provider: object) => () => loadConfig({ FEDERATION_PROVIDERS: JSON.stringify([provider]) });
  assert.throws(refusal({ ...saml, entryPoint: 'http://idp.corp.example/sso' }), /entryPoint: must be https/);
  assert.throws(refusal({ ...saml, idpCert: 'short' }), /idpCert/);
  assert.throws(refusal({ ...saml, idpIssuer: undefined }), /idpIssuer/);
  assert.throws(refusal({ ...saml, protocol: 'ws-fed' }), /protocol/);
  assert.throws(refusal({ ...oidc, id: 'Bad Id' }), /id: lowercase/);
  assert.throws(() => loadConfig({ FEDERATION_PROVIDERS: JSON.stringify([saml, saml]) }), /ids must be unique/);
});
