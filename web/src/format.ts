// How sizes and times are written for people, in one place so the screens that show them (Files,
// API keys) agree. Sizes count in powers of 1024 and show one decimal only below 10, where it
// still tells two values apart; dates follow the browser's locale.

const MB = 1024 ** 2;

/** `512` → `512 B`, `1536` → `1.5 KB`, `42 * 1024 ** 2` → `42 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${value} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A size in megabytes without the unit, for sentences that name it once ("3.2 MB of 100 MB"). */
export function formatMb(bytes: number): string {
  const mb = bytes / MB;
  if (mb === 0) return '0';
  return mb < 10 ? mb.toFixed(1) : String(Math.round(mb));
}

/** A date and time, e.g. "12 Mar 2025, 14:05" (the words and order are the browser's locale's). */
export const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
