// The Lambda runtime's Notifier: each channel reaches its service with the function's settings
// (MAIL_FROM, SMS_SENDER_ID). The SDK clients find a stand-in on 127.0.0.1 through the standard
// AWS_ENDPOINT_URL_* variables, as tests point them at local peers; the request shapes
// themselves are checked in src/adapters/aws/notifiers.test.ts.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadAwsConfig } from './config.ts';
import { awsNotifier } from './runtime.ts';

const environment = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'stratus',
  BUCKET_NAME: 'stratus-user-data',
  USER_POOL_ID: 'us-east-1_TESTPOOL',
  USER_POOL_CLIENT_ID: 'test-client',
  CORS_ORIGINS: 'https://app.example.com',
};

describe('the Lambda Notifier', () => {
  const requests: Array<{ path: string; body: string }> = [];
  let server: Server;
  before(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      requests.push({ path: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') });
      if (req.url?.startsWith('/v2/email/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"MessageId":"ses-1"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>sns-1</MessageId></PublishResult></PublishResponse>',
        );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ENDPOINT_URL_SESV2 = endpoint;
    process.env.AWS_ENDPOINT_URL_SNS = endpoint;
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('email goes through SES from MAIL_FROM, SMS through SNS with SMS_SENDER_ID', async () => {
    const config = loadAwsConfig({
      ...environment,
      MAIL_FROM: 'Stratus <no-reply@example.com>',
      SMS_SENDER_ID: 'Stratus',
    });
    const notifier = awsNotifier(config);
    assert.equal(requests.length, 0, 'nothing is sent, or loaded, before the first message');

    const mail = await notifier.send({ channel: 'email', to: 'ada@example.com', subject: 'Due', text: 'T', id: 'r.1' });
    assert.equal(mail.messageId, 'ses-1');
    const sent = JSON.parse(requests.at(-1)?.body ?? '{}');
    assert.equal(sent.FromEmailAddress, 'Stratus <no-reply@example.com>');
    assert.deepEqual(sent.Destination.ToAddresses, ['ada@example.com']);
    assert.deepEqual(sent.Content.Simple.Headers, [{ Name: 'X-Stratus-Message-Id', Value: 'r.1' }]);

    const sms = await notifier.send({ channel: 'sms', to: '+15555550100', text: 'Stand-up at 9' });
    assert.equal(sms.messageId, 'sns-1');
    const form = new URLSearchParams(requests.at(-1)?.body);
    assert.equal(form.get('Action'), 'Publish');
    assert.equal(form.get('PhoneNumber'), '+15555550100');
    assert.ok(
      [1, 2].some(
        (i) =>
          form.get(`MessageAttributes.entry.${i}.Name`) === 'AWS.SNS.SMS.SenderID' &&
          form.get(`MessageAttributes.entry.${i}.Value.StringValue`) === 'Stratus',
      ),
      'the sender id is sent',
    );
  });

  test('SMS_SENDER_ID is optional, and must be 1-11 letters and digits with a letter among them', () => {
    assert.equal(loadAwsConfig(environment).smsSenderId, undefined);
    for (const good of ['Stratus', 'S', 'Stratus2030', '2FA']) {
      assert.equal(loadAwsConfig({ ...environment, SMS_SENDER_ID: good }).smsSenderId, good);
    }
    for (const bad of ['StratusAlerts', '12345', 'Stra tus', 'Stratus-1', 'Strätus']) {
      assert.throws(
        () => loadAwsConfig({ ...environment, SMS_SENDER_ID: bad }),
        /SMS_SENDER_ID: must be 1-11 letters and digits with at least one letter/,
        bad,
      );
    }
  });
});
