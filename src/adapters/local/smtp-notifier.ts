import nodemailer, { type Transporter } from 'nodemailer';
import { type Message, type Notifier, stableMessageId } from '../../platform/notifier.ts';

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
      ...(message.id ? { messageId: stableMessageId(message.id) } : {}),
    });
    return { messageId: info.messageId };
  }

  close(): void {
    this.transport.close();
  }
}
