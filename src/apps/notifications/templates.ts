/**
 * The mail every notification is sent as: a plain-text part that reads well on its own, and an
 * HTML part with the same words (escaped: task titles are user input) in one simple layout.
 */
export interface MailContent {
  /** The first line: what this is about. */
  heading: string;
  /** Paragraphs; a line is a list item when it starts with "• ". */
  lines: string[];
  action?: { label: string; url: string };
  /** Why the user gets this, and where to change it. */
  footer: string;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );

export function renderMail(content: MailContent): { text: string; html: string } {
  const text = [
    content.heading,
    '',
    ...content.lines,
    ...(content.action ? ['', `${content.action.label}: ${content.action.url}`] : []),
    '',
    '--',
    content.footer,
  ].join('\n');
  const body = content.lines
    .map((line) =>
      line.startsWith('• ')
        ? `<li>${escapeHtml(line.slice(2))}</li>`
        : `<p style="margin:0 0 12px">${escapeHtml(line)}</p>`,
    )
    .join('\n')
    .replace(/(?:<li>[^\n]*<\/li>\n?)+/g, (items) => `<ul style="margin:0 0 12px;padding-left:20px">${items}</ul>`);
  const action = content.action
    ? `<p style="margin:20px 0"><a href="${escapeHtml(content.action.url)}" style="background:#1d4ed8;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(content.action.label)}</a></p>`
    : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(content.heading)}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5;font-family:system-ui,-apple-system,sans-serif;color:#18181b">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(content.heading)}</h1>
${body}
${action}
<p style="margin:24px 0 0;font-size:12px;color:#71717a">${escapeHtml(content.footer)}</p>
</div></body></html>`;
  return { text, html };
}
