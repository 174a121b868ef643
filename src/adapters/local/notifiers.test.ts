import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { notifierContract } from '../../../test/contracts/notifier.contract.ts';
import { OutboxNotifier } from './outbox-notifier.ts';
import { SmtpNotifier } from './smtp-notifier.ts';

async function streamToBuffer(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

notifierContract('outbox', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-outbox-'));
  const outbox = new OutboxNotifier(dir);
  return {
    notifier: outbox,
    channels: ['email', 'sms'],
    delivered: async () => (await outbox.list()).reverse(),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

notifierContract('SMTP (nodemailer to a real smtp-server receiver)', async () => {
  const received: Array<{ to: string; subject: string; text: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      streamToBuffer(stream)
        .then((raw) => PostalMime.parse(raw))
        .then(
          (mail) => {
            for (const rcpt of session.envelope.rcptTo) {
              received.push({ to: rcpt.address, subject: mail.subject ?? '', text: mail.text ?? '' });
            }
            callback();
          },
          (error: Error) => callback(error),
        );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  const notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, 'Stratus <no-reply@stratus.test>');
  return {
    notifier,
    channels: ['email'],
    delivered: async () => received,
    close: async () => {
      notifier.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
