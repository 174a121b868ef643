/** The Notifier port: email and SMS, through SES/SNS on AWS and SMTP or an outbox on one machine. */
export interface Message {
  channel: 'email' | 'sms';
  /** An email address, or an E.164 phone number for SMS. */
  to: string;
  subject?: string;
  text: string;
  html?: string;
  /**
   * A stable id for this message (letters, digits, `.`, `-`): sending it again (a retry after a
   * crash) gives the same `Message-ID`, so mail systems drop the copy. A fresh one when absent.
   */
  id?: string;
}

export interface SentMessage extends Message {
  messageId: string;
  createdAt: string;
}

export interface Notifier {
  send(message: Message): Promise<{ messageId: string }>;
}

/** Routes each channel to its notifier: email through SMTP or SES, SMS through SNS or the outbox. */
export class ChannelNotifier implements Notifier {
  constructor(private readonly byChannel: Record<Message['channel'], Notifier>) {}

  send(message: Message): Promise<{ messageId: string }> {
    return this.byChannel[message.channel].send(message);
  }
}

/** The `Message-ID` of a message with a stable id (RFC 5322 `<left@right>`). */
export const stableMessageId = (id: string, domain = 'stratus'): string => `<${id}@${domain}>`;
