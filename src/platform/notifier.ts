/** The Notifier port: email and SMS, through SES/SNS on AWS and SMTP or an outbox on one machine. */
export interface Message {
  channel: 'email' | 'sms';
  /** An email address, or an E.164 phone number for SMS. */
  to: string;
  subject?: string;
  text: string;
  html?: string;
}

export interface SentMessage extends Message {
  messageId: string;
  createdAt: string;
}

export interface Notifier {
  send(message: Message): Promise<{ messageId: string }>;
}
