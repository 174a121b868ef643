export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

let common: Promise<Set<string>> | undefined;

/**
 * About 49,000 of the most common passwords (zxcvbn's list), compared case-insensitively.
 * Loaded on the first password check, not at start: the list is 400 KB of code, which every
 * Lambda function would otherwise load on its cold start though only the auth function checks
 * passwords.
 */
export async function isCommonPassword(password: string): Promise<boolean> {
  common ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())),
  );
  return (await common).has(password.toLowerCase());
}
