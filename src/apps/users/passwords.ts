import { dictionary } from '@zxcvbn-ts/language-common';

/** About 49,000 of the most common passwords (zxcvbn's list), compared case-insensitively. */
const common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function isCommonPassword(password: string): boolean {
  return common.has(password.toLowerCase());
}
