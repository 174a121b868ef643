import { RateLimiterMemory } from 'rate-limiter-flexible';
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

/**
 * Slows down guessing: once an account or an address has made too many wrong guesses
 * (passwords, mailed codes, MFA codes) in the window, further attempts get 429 with
 * `Retry-After` without being tried. One process's memory is enough on one machine; on AWS,
 * Cognito's own lockout and API Gateway throttling stand beside it.
 */
export class AuthThrottle {
  private readonly accounts: RateLimiterMemory;
  private readonly addresses: RateLimiterMemory;

  constructor(private readonly limits: ThrottleLimits = defaultThrottleLimits) {
    this.accounts = new RateLimiterMemory({
      keyPrefix: 'account',
      points: limits.perAccount,
      duration: limits.windowSeconds,
    });
    this.addresses = new RateLimiterMemory({
      keyPrefix: 'address',
      points: limits.perAddress,
      duration: limits.windowSeconds,
    });
  }

  /** Runs one attempt on behalf of `account` from `address`, counting it if it was a wrong guess. */
  async attempt<T>(account: string, address: string, run: () => Promise<T>): Promise<T> {
    await this.refuseIfBlocked(this.accounts, account, this.limits.perAccount, 'this account');
    await this.refuseIfBlocked(this.addresses, address, this.limits.perAddress, 'your address');
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError && GUESS_FAILURES.has(error.code)) {
        await Promise.all([this.accounts.penalty(account), this.addresses.penalty(address)]);
      }
      throw error;
    }
  }

  private async refuseIfBlocked(limiter: RateLimiterMemory, key: string, limit: number, who: string): Promise<void> {
    const state = await limiter.get(key);
    if (state && state.consumedPoints >= limit) {
      throw tooManyRequests(`Too many failed attempts for ${who}: wait and try again`, state.msBeforeNext / 1000);
    }
  }
}
