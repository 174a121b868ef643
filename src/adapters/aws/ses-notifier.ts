import {
  MessageRejected,
  type SESv2Client,
  SendEmailCommand,
  type SendEmailCommandInput,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { AppError } from '../../platform/errors.ts';
import type { Message, Notifier } from '../../platform/notifier.ts';

export interface SesNotifierOptions {
  client: Pick<SESv2Client, 'send'>;
  /** The sender, an address or `Name <address>` on an identity verified in SES. */
  from: string;
  /** An SES configuration set (event publishing, dedicated IPs), if one is used. */
  configurationSetName?: string;
}

/**
 * The header carrying a message's stable id (`Message.id`). SES sets every mail's `Message-ID`
 * itself and refuses to have it replaced, so a resend after a crash cannot repeat it as SMTP
 * does (src/adapters/local/smtp-notifier.ts) and mail systems will not drop the copy; the stable
 * id goes in this header instead, where logs, filters and support can match the copies up.
 */
export const STABLE_ID_HEADER = 'X-Stratus-Message-Id';

/** Waits SES gives no figure for; a second is its per-second sending rate's window. */
const THROTTLE_RETRY_SECONDS = 1;

/** Sends email through SES v2 `SendEmail`, as simple content (SES builds the MIME message). */
export class SesNotifier implements Notifier {
  constructor(private readonly options: SesNotifierOptions) {}

  async send(message: Message): Promise<{ messageId: string }> {
    if (message.channel !== 'email') throw new Error('SES delivers email only: send SMS through SNS');
    try {
      const { MessageId } = await this.options.client.send(new SendEmailCommand(sendEmailInput(message, this.options)));
      if (!MessageId) throw new Error('SES accepted the mail without a MessageId');
      return { messageId: MessageId };
    } catch (error) {
      throw sesError(error);
    }
  }
}

/**
 * The SendEmail request for one message: UTF-8 throughout, the HTML part only when there is one,
 * the stable id as a header when the message has one.
 */
export function sendEmailInput(
  message: Message,
  options: Pick<SesNotifierOptions, 'from' | 'configurationSetName'>,
): SendEmailCommandInput {
  const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
  return {
    FromEmailAddress: options.from,
    Destination: { ToAddresses: [message.to] },
    Content: {
      Simple: {
        Subject: utf8(message.subject ?? ''),
        Body: { Text: utf8(message.text), ...(message.html ? { Html: utf8(message.html) } : {}) },
        ...(message.id ? { Headers: [{ Name: STABLE_ID_HEADER, Value: message.id }] } : {}),
      },
    },
    ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
  };
}

/**
 * What a user can act on becomes an `AppError`: a refused recipient (422: use another
 * address) and throttling (429). The rest (an unverified sender, a paused or suspended
 * account, a missing configuration set) is the operator's to fix and stays as it is.
 */
export function sesError(error: unknown): unknown {
  if (error instanceof MessageRejected) {
    return new AppError(422, 'MessageRejected', 'The mail could not be delivered to this address: check it', {
      cause: error,
    });
  }
  if (error instanceof TooManyRequestsException) {
    return new AppError(429, 'TooManyRequests', 'Too many messages right now: try again in a moment', {
      retryAfterSeconds: THROTTLE_RETRY_SECONDS,
      cause: error,
    });
  }
  return error;
}
