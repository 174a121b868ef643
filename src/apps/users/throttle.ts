import { LRUCache } from 'lru-cache';
import { type Clock, systemClock } from '../../platform/clock.ts';
import { AppError, tooManyRequests } from '../../platform/errors.ts';

export interface ThrottleLimits {
  /** Wrong passwords or codes allowed per account in the window. */
  perAccount: number;
  /** Wrong passwords or codes allowed per client address in the window. */
  perAddress: number;
  windowSeconds: number;
}

export const defaultThrottleLimits: ThrottleLimits = { perAccount: 5, perAddress: 30, windowSeconds: 15 * 60 };

/** The failures that mean a guess was wrong, as opposed to a malformed request. */
const GUESS_FAILURES = new Set(['NotAuthorized', 'CodeMismatch', 'ExpiredCode']);

/** Accounts and addresses tracked at once; the least recently seen are forgotten first. */
const MAX_TRACKED = 100_000;

/** Wrong guesses counted in a fixed window that starts at the first one. */
class FailureCounter {
  private readonly windows = new LRUCache<string, { failures: number; endsAt: number }>({ max: MAX_TRACKED });

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  waitSeconds(key: string): number {
    const window = this.windows.get(key);
    const now = this.clock.now();
    if (!window || window.endsAt <= now || window.failures < this.limit) return 0;
    return (window.endsAt - now) / 1000;
  }

  count(key: string): void {
    const now = this.clock.now();
    const window = this.windows.get(key);
    if (window && window.endsAt > now) window.failures += 1;
    else this.windows.set(key, { failures: 1, endsAt: now + this.windowMs });
  }
}

/**
 * Slows down guessing: once an account or an address has made too many wrong guesses
 * (passwords, mailed codes, MFA codes) in the window, further attempts get 429 with
 * `Retry-After` without being tried. One process's memory is enough on one machine; on AWS,
 * Cognito's own lockout and API Gateway throttling stand beside it.
 */
export class AuthThrottle {
  private readonly accounts: FailureCounter;
  private readonly addresses: FailureCounter;

  constructor(limits: ThrottleLimits = defaultThrottleLimits, clock: Clock = systemClock) {
    this.accounts = new FailureCounter(limits.perAccount, limits.windowSeconds * 1000, clock);
    this.addresses = new FailureCounter(limits.perAddress, limits.windowSeconds * 1000, clock);
  }

  /** Runs one attempt on behalf of `account` from `address`, counting it if it was a wrong guess. */
  async attempt<T>(account: string, address: string, run: () => Promise<T>): Promise<T> {
    refuseIfBlocked(this.accounts.waitSeconds(account), 'this account');
    refuseIfBlocked(this.addresses.waitSeconds(address), 'your address');
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError && GUESS_FAILURES.has(error.code)) {
        this.accounts.count(account);
        this.addresses.count(address);
      }
      throw error;
    }
  }
}

function refuseIfBlocked(waitSeconds: number, who: string): void {
  if (waitSeconds > 0) throw tooManyRequests(`Too many failed attempts for ${who}: wait and try again`, waitSeconds);
}
