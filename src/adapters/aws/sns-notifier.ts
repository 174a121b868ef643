import {
  InvalidParameterException,
  InvalidParameterValueException,
  PublishCommand,
  type PublishCommandInput,
  type SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { AppError, badRequest } from '../../platform/errors.ts';
import type { Message, Notifier } from '../../platform/notifier.ts';

export interface SnsNotifierOptions {
  client: Pick<SNSClient, 'send'>;
  /** Alphanumeric sender id shown instead of a number, where the destination country allows it. */
  senderId?: string;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const THROTTLE_RETRY_SECONDS = 1;

/** Sends SMS through SNS `Publish` to a phone number, as transactional messages (codes, reminders). */
export class SnsNotifier implements Notifier {
  constructor(private readonly options: SnsNotifierOptions) {}

  async send(message: Message): Promise<{ messageId: string }> {
    if (message.channel !== 'sms') throw new Error('SNS delivers SMS only: send email through SES');
    if (!E164.test(message.to)) throw invalidPhoneNumber();
    try {
      const { MessageId } = await this.options.client.send(new PublishCommand(publishInput(message, this.options)));
      if (!MessageId) throw new Error('SNS accepted the SMS without a MessageId');
      return { messageId: MessageId };
    } catch (error) {
      throw snsError(error);
    }
  }
}

/**
 * The Publish request for one SMS. Transactional, because these messages are codes and
 * reminders: SNS then routes them for reliability rather than cost. The subject is not sent
 * (SNS uses it for email endpoints only).
 */
export function publishInput(message: Message, options: Pick<SnsNotifierOptions, 'senderId'>): PublishCommandInput {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    PhoneNumber: message.to,
    Message: message.text,
    MessageAttributes: {
      'AWS.SNS.SMS.SMSType': text('Transactional'),
      ...(options.senderId ? { 'AWS.SNS.SMS.SenderID': text(options.senderId) } : {}),
    },
  };
}

/**
 * A number SNS cannot send to becomes a 400 the user can fix, throttling a 429; the rest
 * (permissions, spending limit, SNS's own faults) is the operator's and stays as it is.
 */
export function snsError(error: unknown): unknown {
  const badParameter = error instanceof InvalidParameterException || error instanceof InvalidParameterValueException;
  if (badParameter && /PhoneNumber/i.test(error.message)) {
    return new AppError(400, 'InvalidPhoneNumber', invalidPhoneNumber().detail, { cause: error });
  }
  if (error instanceof ThrottledException) {
    return new AppError(429, 'TooManyRequests', 'Too many messages right now: try again in a moment', {
      retryAfterSeconds: THROTTLE_RETRY_SECONDS,
      cause: error,
    });
  }
  return error;
}

function invalidPhoneNumber(): AppError {
  return badRequest(
    'InvalidPhoneNumber',
    'This phone number cannot receive SMS: give it in E.164 form, like +15555550100',
  );
}
