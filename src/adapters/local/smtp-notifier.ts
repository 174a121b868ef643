import nodemailer, { type Transporter } from 'nodemailer';
import type { Message, Notifier } from '../../platform/notifier.ts';

/** Sends email through an SMTP server (`SMTP_URL`, e.g. `smtp://user:pass@host:587`). */
export class SmtpNotifier implements Notifier {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(message: Message): Promise<{ messageId: string }> {
    if (message.channel !== 'email') throw new Error('SMTP delivers email only');
    const info = await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject ?? '',
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
    });
    return { messageId: info.messageId };
  }

  close(): void {
    this.transport.close();
  }
}

/** Routes each channel to its notifier: email through SMTP when configured, the rest to the outbox. */
export class ChannelNotifier implements Notifier {
  constructor(private readonly byChannel: Record<Message['channel'], Notifier>) {}

  send(message: Message): Promise<{ messageId: string }> {
    return this.byChannel[message.channel].send(message);
  }
}
