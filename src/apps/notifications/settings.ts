import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { AppError, badRequest, tooManyRequests, unprocessable } from '../../platform/errors.ts';
import type { Notifier } from '../../platform/notifier.ts';
import { ConditionFailedError, type Item, type Table, TTL_ATTRIBUTE, when } from '../../platform/table.ts';
import { scheduleKeys } from '../common/schedule.ts';
import { nextLocalHour } from '../tasks/time.ts';
import { digestKey, phoneCodeKey, settingsKey } from './keys.ts';

export type Channel = 'email' | 'sms' | 'inApp';

export interface NotificationSettings {
  channels: Record<Channel, boolean>;
  /** Where reminders and the digest are read: the user's own zone. */
  timeZone: string;
  /** A mail of the day's tasks at `hour`:00 local time, when enabled. */
  digest: { enabled: boolean; hour: number };
  /** An E.164 number; SMS goes to it only once verified. */
  phone?: { number: string; verified: boolean };
  version: number;
}

export type SettingsChange = {
  channels?: Partial<Record<Channel, boolean>> | undefined;
  timeZone?: string | undefined;
  digest?: { enabled?: boolean | undefined; hour?: number | undefined } | undefined;
};

const DEFAULTS: NotificationSettings = {
  channels: { email: true, sms: false, inApp: true },
  timeZone: 'UTC',
  digest: { enabled: false, hour: 7 },
  version: 0,
};

const CODE_SECONDS = 10 * 60;
const CODE_RESEND_SECONDS = 30;
const CODE_ATTEMPTS = 5;

/**
 * Per-user notification settings (`USER#<sub>` / `NOTIFYSETTINGS`): which channels, the time
 * zone, the daily digest, and a phone number proven with an SMS code before any SMS goes to it.
 */
export class NotificationSettingsService {
  constructor(
    private readonly table: Table,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  async get(sub: string): Promise<NotificationSettings> {
    const item = await this.table.get(settingsKey(sub));
    return item ? fromItem(item) : structuredClone(DEFAULTS);
  }

  async timeZone(sub: string): Promise<string> {
    return (await this.get(sub)).timeZone;
  }

  /** Applies `change` if the settings are still at `expected` (If-Match); SMS needs a verified phone. */
  async update(sub: string, expected: number | '*', change: SettingsChange): Promise<NotificationSettings> {
    const current = await this.get(sub);
    if (expected !== '*' && expected !== current.version) throw stale();
    const next: NotificationSettings = {
      ...current,
      channels: { ...current.channels, ...definedOnly(change.channels ?? {}) },
      digest: { ...current.digest, ...definedOnly(change.digest ?? {}) },
      timeZone: change.timeZone ?? current.timeZone,
      version: current.version + 1,
    };
    if (next.channels.sms && !current.phone?.verified) {
      throw unprocessable(
        'PhoneNotVerified',
        'Verify a phone number before turning on SMS: POST /v1/notifications/phone, then the code it texts you',
      );
    }
    await this.save(sub, next, current.version);
    await this.scheduleDigest(sub, next);
    return next;
  }

  /** Texts a 6-digit code to `number`; the number is kept, unverified, until the code comes back. */
  async startPhoneVerification(sub: string, number: string): Promise<{ expiresAt: string }> {
    const pending = await this.table.get(phoneCodeKey(sub), { consistent: true });
    const now = epochSeconds(this.clock);
    const wait = pending ? (pending.sentAt as number) + CODE_RESEND_SECONDS - now : 0;
    if (wait > 0) throw tooManyRequests(`A code was sent ${CODE_RESEND_SECONDS - wait} s ago: wait ${wait} s`, wait);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.notifier.send({
      channel: 'sms',
      to: number,
      text: `Your Stratus verification code is ${code}. It expires in 10 minutes.`,
    });
    await this.table.put({
      ...phoneCodeKey(sub),
      type: 'phone-code',
      number,
      codeHash: hashCode(sub, code),
      attempts: 0,
      sentAt: now,
      [TTL_ATTRIBUTE]: now + CODE_SECONDS,
    });
    return { expiresAt: new Date((now + CODE_SECONDS) * 1000).toISOString() };
  }

  /** The texted code proves the number: it becomes the verified phone. */
  async verifyPhone(sub: string, code: string): Promise<NotificationSettings> {
    const pending = await this.table.get(phoneCodeKey(sub), { consistent: true });
    if (!pending) {
      throw badRequest('ExpiredCodeException', 'There is no code waiting (or it expired): ask for a new one');
    }
    const attempts = (pending.attempts as number) + 1;
    const given = Buffer.from(hashCode(sub, code));
    if (!timingSafeEqual(given, Buffer.from(pending.codeHash as string))) {
      if (attempts >= CODE_ATTEMPTS) {
        await this.table.delete(phoneCodeKey(sub));
        throw badRequest('CodeMismatchException', 'That code is wrong, and it was the last try: ask for a new code');
      }
      await this.table.update(phoneCodeKey(sub), { set: { attempts } }, { condition: when.exists() });
      throw badRequest('CodeMismatchException', `That code is wrong: ${CODE_ATTEMPTS - attempts} tries left`);
    }
    await this.table.delete(phoneCodeKey(sub));
    const current = await this.get(sub);
    const next = {
      ...current,
      phone: { number: pending.number as string, verified: true },
      version: current.version + 1,
    };
    await this.save(sub, next, current.version);
    return next;
  }

  /** Forgets the phone; SMS turns off with it. */
  async removePhone(sub: string): Promise<NotificationSettings> {
    const current = await this.get(sub);
    const { phone: _phone, ...rest } = current;
    const next = { ...rest, channels: { ...current.channels, sms: false }, version: current.version + 1 };
    await this.save(sub, next, current.version);
    await this.table.delete(phoneCodeKey(sub));
    return next;
  }

  /** The digest's schedule item follows the settings: at the next local hour, or gone. */
  private async scheduleDigest(sub: string, settings: NotificationSettings): Promise<void> {
    if (!settings.digest.enabled) {
      await this.table.delete(digestKey(sub));
      return;
    }
    const dueAt = nextLocalHour(this.clock.now(), settings.digest.hour, settings.timeZone);
    const existing = await this.table.get(digestKey(sub), { consistent: true });
    if (existing?.dueAt === dueAt) return;
    await this.table.put({
      ...digestKey(sub),
      type: 'digest',
      kind: 'digest',
      sub,
      dueAt,
      // A new version each time, so a tick still holding the old claim cannot finish over it.
      version: ((existing?.version as number | undefined) ?? 0) + 1,
      ...scheduleKeys(dueAt, this.clock.now(), sub),
    });
  }

  private async save(sub: string, settings: NotificationSettings, expectedVersion: number): Promise<void> {
    const item: Item = { ...settingsKey(sub), type: 'notification-settings', ...toValues(settings) };
    const condition = expectedVersion === 0 ? when.notExists() : when.equals('version', expectedVersion);
    try {
      await this.table.put(item, { condition });
    } catch (error) {
      if (error instanceof ConditionFailedError) throw stale();
      throw error;
    }
  }
}

const hashCode = (sub: string, code: string) => createHash('sha256').update(`${sub}:${code}`).digest('base64url');

const stale = () =>
  new AppError(412, 'PreconditionFailed', 'Your notification settings changed since you read them: read them again');

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function fromItem(item: Item): NotificationSettings {
  return {
    channels: { ...DEFAULTS.channels, ...(item.channels as object) },
    timeZone: (item.timeZone as string | undefined) ?? DEFAULTS.timeZone,
    digest: { ...DEFAULTS.digest, ...(item.digest as object) },
    ...(item.phone ? { phone: item.phone as unknown as NotificationSettings['phone'] & object } : {}),
    version: item.version as number,
  };
}

function toValues(settings: NotificationSettings) {
  return JSON.parse(JSON.stringify(settings)) as Record<string, never>;
}
