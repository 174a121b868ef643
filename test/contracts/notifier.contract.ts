import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message, Notifier } from '../../src/platform/notifier.ts';

export interface NotifierUnderTest {
  notifier: Notifier;
  /** What reached the other end (the outbox folder, an SMTP receiver, ...), oldest first. */
  delivered(): Promise<Array<Pick<Message, 'to' | 'subject' | 'text'>>>;
  channels: Array<Message['channel']>;
  close(): Promise<void>;
}

/** What every Notifier adapter must do: deliver each message whole, to the right address. */
export function notifierContract(adapter: string, open: () => Promise<NotifierUnderTest>): void {
  describe(`Notifier contract: ${adapter}`, () => {
    let subject: NotifierUnderTest;
    before(async () => {
      subject = await open();
    });
    after(() => subject.close());

    test('an email arrives with its address, subject and text, and gets a message id', async (t) => {
      if (!subject.channels.includes('email')) return t.skip('no email channel');
      const { messageId } = await subject.notifier.send({
        channel: 'email',
        to: 'ada@example.com',
        subject: 'Your code',
        text: 'Your code is 123456 — ünïcödé intact.',
        html: '<p>Your code is <b>123456</b></p>',
      });
      assert.ok(messageId);
      const delivered = await subject.delivered();
      const mail = delivered.find((m) => m.to === 'ada@example.com');
      assert.ok(mail, 'the mail was delivered');
      assert.equal(mail.subject, 'Your code');
      assert.match(mail.text, /Your code is 123456 — ünïcödé intact\./);
    });

    test('an SMS arrives at its E.164 number', async (t) => {
      if (!subject.channels.includes('sms')) return t.skip('no SMS channel');
      await subject.notifier.send({ channel: 'sms', to: '+15555550100', text: 'Reminder: stand-up at 9' });
      const sms = (await subject.delivered()).find((m) => m.to === '+15555550100');
      assert.equal(sms?.text, 'Reminder: stand-up at 9');
    });

    test('messages sent at once all arrive, none mixed up', async () => {
      const channel = subject.channels[0] as Message['channel'];
      const to = (i: number) => (channel === 'email' ? `user${i}@example.com` : `+1555555020${i}`);
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          subject.notifier.send({ channel, to: to(i), subject: `n${i}`, text: `body ${i}` }),
        ),
      );
      const delivered = await subject.delivered();
      for (let i = 0; i < 5; i++) {
        assert.match(delivered.find((m) => m.to === to(i))?.text ?? '', new RegExp(`body ${i}`));
      }
    });
  });
}
