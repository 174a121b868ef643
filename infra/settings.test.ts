import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PLACEHOLDER_MEDIA_PUBLIC_KEY } from './media-key.ts';
import { readSettings, SettingsError } from './settings.ts';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

describe('deployment settings from CDK context', () => {
  test('without context: the dev stage, S3 → SQS → Lambda, no DAX, the placeholder media key', () => {
    const settings = readSettings(from({}), '/repo');
    assert.equal(settings.stage, 'dev');
    assert.equal(settings.objectEvents, 'queue');
    assert.equal(settings.dax, false);
    assert.equal(settings.functionsDir, '/repo/dist/functions');
    assert.equal(settings.webDir, '/repo/web/dist');
    assert.equal(settings.mediaPublicKey, PLACEHOLDER_MEDIA_PUBLIC_KEY);
    assert.equal(settings.mediaKeyIsPlaceholder, true);
    assert.equal(settings.corsOrigins, undefined);
    assert.equal(settings.env, undefined);
  });

  test('takes strings from -c and JSON values from cdk.json alike', () => {
    assert.equal(readSettings(from({ dax: 'true' })).dax, true);
    assert.equal(readSettings(from({ dax: true })).dax, true);
    assert.equal(readSettings(from({ stage: 'prod' })).limits.logRetentionDays, 365);
  });

  test('reads comma-separated CORS origins, trimmed', () => {
    const settings = readSettings(from({ corsOrigins: ' https://app.example.com , http://localhost:5173 ' }));
    assert.deepEqual(settings.corsOrigins, ['https://app.example.com', 'http://localhost:5173']);
  });

  test('refuses an unknown stage, naming the allowed ones', () => {
    assert.throws(() => readSettings(from({ stage: 'staging' })), {
      name: 'SettingsError',
      message: /stage: must be one of dev, test, prod \(got "staging"\)/,
    });
  });

  test('refuses origins with a path, a trailing slash, or plain http beyond localhost', () => {
    for (const origin of ['https://app.example.com/', 'https://app.example.com/app', 'http://app.example.com', '*']) {
      assert.throws(() => readSettings(from({ corsOrigins: origin })), SettingsError, origin);
    }
  });

  test('refuses a flag that is not true or false, and an unknown object-event route', () => {
    assert.throws(() => readSettings(from({ dax: 'yes' })), /dax: must be true or false/);
    assert.throws(() => readSettings(from({ objectEvents: 'sns' })), /objectEvents: must be queue .* or direct/);
  });

  test('reports every bad value at once', () => {
    assert.throws(
      () => readSettings(from({ stage: 'qa', mailFrom: 'nobody', account: '12', region: 'mars' })),
      (error: Error) =>
        ['stage:', 'mailFrom:', 'account:', 'region:'].every((key) => error.message.includes(`\n  ${key}`)),
    );
  });

  test('reads the media public key from a PEM file, and refuses a file that is not one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-settings-'));
    try {
      writeFileSync(join(dir, 'good.pem'), `${PLACEHOLDER_MEDIA_PUBLIC_KEY}\n`);
      writeFileSync(join(dir, 'bad.pem'), '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
      const settings = readSettings(from({ mediaPublicKeyFile: 'good.pem' }), dir);
      assert.equal(settings.mediaPublicKey, PLACEHOLDER_MEDIA_PUBLIC_KEY);
      assert.equal(settings.mediaKeyIsPlaceholder, false);
      assert.throws(() => readSettings(from({ mediaPublicKeyFile: 'bad.pem' }), dir), /must hold a PEM public key/);
      assert.throws(() => readSettings(from({ mediaPublicKeyFile: 'none.pem' }), dir), /does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('takes an SMS sender id of 1-11 letters and digits with a letter, and refuses any other', () => {
    assert.equal(readSettings(from({})).smsSenderId, undefined);
    assert.equal(readSettings(from({ smsSenderId: 'Stratus' })).smsSenderId, 'Stratus');
    for (const bad of ['StratusAlerts', '12345', 'Stra tus', 'Stratus-1']) {
      assert.throws(
        () => readSettings(from({ smsSenderId: bad })),
        /smsSenderId: .* must be 1-11 letters and digits/,
        bad,
      );
    }
  });

  test('takes an explicit account and region for an environment-bound stack', () => {
    const settings = readSettings(from({ account: '123456789012', region: 'eu-west-1' }));
    assert.deepEqual(settings.env, { account: '123456789012', region: 'eu-west-1' });
  });
  test('federation: providers with secret names, the hosted domain prefix and callback URLs, all checked', () => {
    const providers = [
      {
        id: 'acme',
        name: 'Acme SSO',
        issuer: 'https://sso.acme.example.com',
        clientId: 'c',
        clientSecretName: 'acme/secret',
      },
    ];
    const ok = readSettings(
      from({
        federationProviders: JSON.stringify(providers),
        authDomainPrefix: 'stratus-dev-example',
        authCallbackUrls: 'https://app.example.com/signin/federated',
      }),
    );
    assert.deepEqual(ok.federation, {
      providers: providers.map((p) => ({ protocol: 'oidc', ...p })),
      domainPrefix: 'stratus-dev-example',
      callbackUrls: ['https://app.example.com/signin/federated'],
    });
    assert.equal(readSettings(from({})).federation, undefined);
    assert.throws(
      () =>
        readSettings(
          from({
            federationProviders: JSON.stringify([
              { ...providers[0], id: 'Acme', issuer: 'http://sso.acme.example.com', clientSecret: 'x' },
              { id: 'acme' },
            ]),
            authDomainPrefix: 'my-aws-login',
          }),
        ),
      (error: Error) => {
        for (const expected of [
          /federationProviders\[0\]\.id: lowercase/,
          /federationProviders\[0\]\.issuer: an https issuer URL/,
          /federationProviders\[1\]\.clientSecretName: the name or ARN/,
          /authDomainPrefix: .*without aws/,
          /authCallbackUrls: comma-separated https URLs/,
        ]) {
          assert.match(error.message, expected);
        }
        return true;
      },
    );
    assert.throws(() => readSettings(from({ federationProviders: 'not json' })), /must be a JSON array/);
  });
  test('federation: a SAML provider by its metadata URL, with the attributes for email and name', () => {
    const settings = (provider: object) =>
      readSettings(
        from({
          federationProviders: JSON.stringify([provider]),
          authDomainPrefix: 'stratus-dev-example',
          authCallbackUrls: 'https://app.example.com/signin/federated',
        }),
      );
    const saml = { id: 'corp', name: 'Corp SSO', protocol: 'saml', metadataUrl: 'https://idp.corp.example/metadata' };
    assert.deepEqual(settings(saml).federation?.providers, [
      { ...saml, emailAttribute: 'email', nameAttribute: 'displayName' },
    ]);
    assert.deepEqual(settings({ ...saml, emailAttribute: 'mail' }).federation?.providers[0], {
      ...saml,
      emailAttribute: 'mail',
      nameAttribute: 'displayName',
    });
    assert.throws(
      () => settings({ ...saml, metadataUrl: 'http://idp.corp.example/metadata' }),
      /metadataUrl: the https URL/,
    );
    assert.throws(() => settings({ ...saml, emailAttribute: '' }), /emailAttribute: an assertion attribute name/);
    assert.throws(() => settings({ ...saml, protocol: 'ws-fed' }), /protocol: oidc \(the default\) or saml/);
  });
});
