import type { Notifier } from '../../platform/notifier.ts';
import type { Table } from '../../platform/table.ts';
import { profileKey } from '../users/profile.ts';
import type { Inbox } from './inbox.ts';
import type { Channel, NotificationSettingsService } from './settings.ts';
import { renderMail } from './templates.ts';

/** One notification to one user, in every form a channel needs. */
export interface Delivery {
  /**
   * Stable across retries (`[a-z0-9.-]`): the in-app item's id and the mail's Message-ID come
   * from it, so a resend after a crash is recognisably the same message.
   */
  key: string;
  /** When it was due. */
  at: string;
  kind: string;
  /** The mail's subject and the in-app title. */
  title: string;
  /** The mail's paragraphs (a line starting "• " is a list item); the in-app body is the first. */
  lines: string[];
  /** At most 160 characters. */
  sms: string;
  /** A path in the web app. */
  link?: string;
  late?: boolean;
}

/** What was sent on each channel (the message id), so a retry skips those. */
export type Sent = Partial<Record<Channel, string>>;

/**
 * Sends a notification on the channels the user chose: email to the account's address, SMS to
 * the verified phone, and the in-app inbox. Each channel is recorded as soon as it is sent, so
 * a retry after a failure or a crash sends only what is missing.
 */
export class Deliverer {
  constructor(
    private readonly table: Table,
    private readonly notifier: Notifier,
    private readonly settings: NotificationSettingsService,
    private readonly inbox: Inbox,
    /** The web app's address, for links in mail. */
    private readonly webUrl: string,
  ) {}

  async deliver(
    sub: string,
    delivery: Delivery,
    sent: Sent,
    record: (channel: Channel, messageId: string) => Promise<void>,
  ): Promise<void> {
    const settings = await this.settings.get(sub);
    const { channels } = settings;
    if (channels.inApp && !sent.inApp) {
      const id = await this.inbox.add(sub, {
        key: delivery.key,
        at: delivery.at,
        kind: delivery.kind,
        title: delivery.title,
        body: delivery.lines[0] ?? '',
        late: delivery.late === true,
        ...(delivery.link ? { link: delivery.link } : {}),
      });
      await record('inApp', id);
    }
    if (channels.email && !sent.email) {
      const profile = await this.table.get(profileKey(sub));
      const email = profile?.email as string | undefined;
      if (email) {
        const mail = renderMail({
          heading: delivery.title,
          lines: delivery.lines,
          ...(delivery.link ? { action: { label: 'Open in Stratus', url: `${this.webUrl}${delivery.link}` } } : {}),
          footer: 'You get this because email notifications are on in your Stratus notification settings.',
        });
        const { messageId } = await this.notifier.send({
          channel: 'email',
          to: email,
          subject: delivery.title,
          ...mail,
          id: `${delivery.key}.email`,
        });
        await record('email', messageId);
      }
    }
    if (channels.sms && !sent.sms && settings.phone?.verified) {
      const { messageId } = await this.notifier.send({
        channel: 'sms',
        to: settings.phone.number,
        text: delivery.sms.slice(0, 160),
        id: `${delivery.key}.sms`,
      });
      await record('sms', messageId);
    }
  }
}
