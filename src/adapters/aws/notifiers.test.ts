import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { notifierContract } from '../../../test/contracts/notifier.contract.ts';
import { AppError } from '../../platform/errors.ts';
import { SesNotifier, STABLE_ID_HEADER, sendEmailInput } from './ses-notifier.ts';
import { publishInput, SnsNotifier } from './sns-notifier.ts';

/**
 * There is no SES or SNS emulator here, so the notifiers talk to a small stand-in on
 * 127.0.0.1 that speaks each service's wire protocol just enough: SES v2's REST-JSON
 * `SendEmail` and SNS's Query `Publish`, answering success or a recorded AWS error. The real
 * SDK clients serialize the requests and parse the answers, so what is checked is what would
 * go over the wire to AWS. Delivery itself (SES sandbox rules, carriers) is not tested.
 */
interface WireRequest {
  path: string;
  body: string;
}
interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

class AwsWirePeer {
  readonly requests: WireRequest[] = [];
  /** Answers the next requests with these (recorded AWS errors), then succeeds again. */
  readonly failures: ScriptedAnswer[] = [];
  private server?: Server;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** What reached the peer, as the contract reads it: address, subject, text. */
  delivered(): Array<{ to: string; subject?: string; text: string }> {
    return this.requests.map(({ path, body }) => {
      if (path.startsWith('/v2/email/outbound-emails')) {
        const input = JSON.parse(body);
        return {
          to: input.Destination.ToAddresses[0],
          subject: input.Content.Simple.Subject.Data,
          text: input.Content.Simple.Body.Text.Data,
        };
      }
      const form = new URLSearchParams(body);
      return { to: form.get('PhoneNumber') ?? '', text: form.get('Message') ?? '' };
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const failure = this.failures.shift();
    if (failure) {
      res.writeHead(failure.status, failure.headers ?? {}).end(failure.body);
      return;
    }
    this.requests.push({ path: req.url ?? '/', body });
    const id = randomUUID();
    if (req.url?.startsWith('/v2/email/outbound-emails')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: id }));
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
  }
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** One attempt per send: the SDK would otherwise retry a throttled request and hide the scripted error. */
const sesOn = (peer: AwsWirePeer) =>
  new SESv2Client({ endpoint: peer.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });
const snsOn = (peer: AwsWirePeer) =>
  new SNSClient({ endpoint: peer.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });

// Recorded AWS error answers.
const sesError = (status: number, type: string, message: string): ScriptedAnswer => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
  body: JSON.stringify({ message }),
});
const snsError = (status: number, code: string, message: string): ScriptedAnswer => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
});

// ---------------------------------------------------------------- the port contract, over the wire

notifierContract('SES v2 (SendEmail, over the wire to a stand-in)', async () => {
  const peer = new AwsWirePeer();
  await peer.start();
  const client = sesOn(peer);
  return {
    notifier: new SesNotifier({ client, from: 'Stratus <no-reply@stratus.test>' }),
    channels: ['email'],
    delivered: async () => peer.delivered(),
    async close() {
      client.destroy();
      await peer.close();
    },
  };
});

notifierContract('SNS (Publish SMS, over the wire to a stand-in)', async () => {
  const peer = new AwsWirePeer();
  await peer.start();
  const client = snsOn(peer);
  return {
    notifier: new SnsNotifier({ client }),
    channels: ['sms'],
    delivered: async () => peer.delivered(),
    async close() {
      client.destroy();
      await peer.close();
    },
  };
});

// ---------------------------------------------------------------- requests and errors

describe('SesNotifier', () => {
  const peer = new AwsWirePeer();
  let client: SESv2Client;
  let notifier: SesNotifier;
  before(async () => {
    await peer.start();
    client = sesOn(peer);
    notifier = new SesNotifier({ client, from: 'Stratus <no-reply@stratus.test>', configurationSetName: 'stratus' });
  });
  after(async () => {
    client.destroy();
    await peer.close();
  });

  test('builds SendEmail with simple UTF-8 content, the HTML part only when given', () => {
    const options = { from: 'Stratus <no-reply@stratus.test>' };
    assert.deepEqual(sendEmailInput({ channel: 'email', to: 'ada@example.com', subject: 'Hi', text: 'T' }, options), {
      FromEmailAddress: 'Stratus <no-reply@stratus.test>',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Hi', Charset: 'UTF-8' },
          Body: { Text: { Data: 'T', Charset: 'UTF-8' } },
        },
      },
    });
    const withHtml = sendEmailInput(
      { channel: 'email', to: 'a@example.com', text: 'T', html: '<p>T</p>' },
      { ...options, configurationSetName: 'stratus' },
    );
    assert.deepEqual(withHtml.Content?.Simple?.Body?.Html, { Data: '<p>T</p>', Charset: 'UTF-8' });
    assert.equal(withHtml.Content?.Simple?.Subject?.Data, '', 'a missing subject is sent empty');
    assert.equal(withHtml.ConfigurationSetName, 'stratus');
  });

  test('a stable id goes in the X-Stratus-Message-Id header (SES keeps Message-ID to itself); none without one', () => {
    const options = { from: 'Stratus <no-reply@stratus.test>' };
    const message = { channel: 'email', to: 'ada@example.com', subject: 'Due', text: 'T' } as const;
    assert.equal(STABLE_ID_HEADER, 'X-Stratus-Message-Id');
    assert.deepEqual(sendEmailInput({ ...message, id: 'reminder.01J2-7' }, options).Content?.Simple?.Headers, [
      { Name: 'X-Stratus-Message-Id', Value: 'reminder.01J2-7' },
    ]);
    assert.equal(sendEmailInput(message, options).Content?.Simple?.Headers, undefined);
  });

  test('the stable id header goes over the wire inside the simple content', async () => {
    await notifier.send({ channel: 'email', to: 'c@example.com', subject: 'Due', text: 'T', id: 'digest.2030-01-02' });
    const sent = JSON.parse(peer.requests.at(-1)?.body ?? '{}');
    assert.deepEqual(sent.Content.Simple.Headers, [{ Name: 'X-Stratus-Message-Id', Value: 'digest.2030-01-02' }]);
  });

  test('sends that request over the wire and returns SES’s message id', async () => {
    const { messageId } = await notifier.send({ channel: 'email', to: 'b@example.com', text: 'T', html: '<b>T</b>' });
    const sent = JSON.parse(peer.requests.at(-1)?.body ?? '{}');
    assert.equal(sent.FromEmailAddress, 'Stratus <no-reply@stratus.test>');
    assert.equal(sent.ConfigurationSetName, 'stratus');
    assert.equal(sent.Content.Simple.Body.Html.Data, '<b>T</b>');
    assert.ok(messageId);
  });

  test('a refused recipient is 422 MessageRejected; throttling is 429 with a wait', async () => {
    peer.failures.push(sesError(400, 'MessageRejected', 'Email address is not verified.'));
    const rejected = await appErrorOf(notifier.send({ channel: 'email', to: 'x@example.com', text: 'T' }));
    assert.deepEqual([rejected.status, rejected.code], [422, 'MessageRejected']);
    peer.failures.push(sesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.'));
    const throttled = await appErrorOf(notifier.send({ channel: 'email', to: 'x@example.com', text: 'T' }));
    assert.deepEqual([throttled.status, throttled.code, throttled.retryAfterSeconds], [429, 'TooManyRequests', 1]);
  });

  test('what only the operator can fix (an unverified sender domain, a paused account) is passed on as it is', async () => {
    for (const [type, message] of [
      ['MailFromDomainNotVerifiedException', 'The MAIL FROM domain is not verified.'],
      ['SendingPausedException', 'Sending is paused for this account.'],
    ]) {
      peer.failures.push(sesError(400, type as string, message as string));
      await assert.rejects(notifier.send({ channel: 'email', to: 'x@example.com', text: 'T' }), (error: Error) => {
        assert.ok(!(error instanceof AppError));
        assert.equal(error.name, type);
        return true;
      });
    }
  });

  test('refuses SMS: SES sends email only', async () => {
    await assert.rejects(notifier.send({ channel: 'sms', to: '+15555550100', text: 'T' }), /email only/);
  });
});

describe('SnsNotifier', () => {
  const peer = new AwsWirePeer();
  let client: SNSClient;
  before(async () => {
    await peer.start();
    client = snsOn(peer);
  });
  after(async () => {
    client.destroy();
    await peer.close();
  });

  test('builds Publish to the phone number as a transactional SMS, with the sender id when set', () => {
    const sms = { channel: 'sms', to: '+15555550100', subject: 'ignored', text: 'Code 123456' } as const;
    assert.deepEqual(publishInput(sms, {}), {
      PhoneNumber: '+15555550100',
      Message: 'Code 123456',
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
    });
    assert.deepEqual(publishInput(sms, { senderId: 'Stratus' }).MessageAttributes?.['AWS.SNS.SMS.SenderID'], {
      DataType: 'String',
      StringValue: 'Stratus',
    });
  });

  test('sends that request over the wire and returns SNS’s message id', async () => {
    const notifier = new SnsNotifier({ client, senderId: 'Stratus' });
    const { messageId } = await notifier.send({ channel: 'sms', to: '+15555550101', text: 'Hi' });
    const form = new URLSearchParams(peer.requests.at(-1)?.body);
    assert.equal(form.get('Action'), 'Publish');
    assert.equal(form.get('PhoneNumber'), '+15555550101');
    const attributes = new Map<string, string | null>();
    for (const i of [1, 2]) {
      attributes.set(
        form.get(`MessageAttributes.entry.${i}.Name`) ?? '',
        form.get(`MessageAttributes.entry.${i}.Value.StringValue`),
      );
    }
    assert.equal(attributes.get('AWS.SNS.SMS.SMSType'), 'Transactional');
    assert.equal(attributes.get('AWS.SNS.SMS.SenderID'), 'Stratus');
    assert.ok(messageId);
  });

  test('a number that is not E.164 is 400 InvalidPhoneNumber, before any request', async () => {
    const before = peer.requests.length;
    const error = await appErrorOf(new SnsNotifier({ client }).send({ channel: 'sms', to: '555-0100', text: 'T' }));
    assert.deepEqual([error.status, error.code], [400, 'InvalidPhoneNumber']);
    assert.equal(peer.requests.length, before);
  });

  test('a number SNS refuses is 400 InvalidPhoneNumber; throttling is 429; the rest is passed on', async () => {
    const notifier = new SnsNotifier({ client });
    peer.failures.push(
      snsError(
        400,
        'InvalidParameter',
        'Invalid parameter: PhoneNumber Reason: +15555550999 is not valid to publish to',
      ),
    );
    const refused = await appErrorOf(notifier.send({ channel: 'sms', to: '+15555550999', text: 'T' }));
    assert.deepEqual([refused.status, refused.code], [400, 'InvalidPhoneNumber']);
    peer.failures.push(snsError(429, 'Throttled', 'Rate exceeded'));
    const throttled = await appErrorOf(notifier.send({ channel: 'sms', to: '+15555550100', text: 'T' }));
    assert.deepEqual([throttled.status, throttled.code], [429, 'TooManyRequests']);
    peer.failures.push(snsError(403, 'AuthorizationError', 'User is not authorized to perform: SNS:Publish'));
    await assert.rejects(notifier.send({ channel: 'sms', to: '+15555550100', text: 'T' }), (error: Error) => {
      assert.ok(!(error instanceof AppError));
      assert.equal(error.name, 'AuthorizationErrorException');
      return true;
    });
  });

  test('refuses email: SNS sends SMS only', async () => {
    await assert.rejects(
      new SnsNotifier({ client }).send({ channel: 'email', to: 'a@example.com', text: 'T' }),
      /SMS only/,
    );
  });
});

async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}
