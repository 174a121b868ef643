// Notes are Markdown written by anyone, and public notes are read by anyone, so nothing in a note
// may ever run script. Two layers:
// 1. HTML typed into a note is shown as the text it is, never parsed as HTML. Besides being the
//    honest way to show it, this keeps the page quiet: Chromium reports a CSP violation the moment
//    it parses an on* attribute, even in an inert document (so sanitising it would still log errors).
// 2. marked's own output still goes through DOMPurify, for what Markdown syntax itself can carry
//    (`[x](javascript:…)`, `![](javascript:…)`).
// And on top: links open in a new tab without handing over `window.opener` or the referrer, and
// without lending the page's reputation (nofollow); images from other sites become plain links,
// because the CSP (img-src 'self') blocks them anyway and a remote image in a public note would
// tell its author who read it.
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

const LINK_REL = 'noopener noreferrer nofollow';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Our own marked and DOMPurify instances, so this configuration never leaks into other code. */
const markdown = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html({ text, block }: Tokens.HTML | Tokens.Tag) {
      const shown = escapeHtml(block ? text.trim() : text);
      return block ? `<p>${shown}</p>\n` : shown;
    },
  },
});
const purify = DOMPurify(window);

purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', LINK_REL);
  }
});

/** Markdown (GitHub flavoured) as HTML that is safe to insert with `dangerouslySetInnerHTML`. */
export function renderMarkdown(source: string): string {
  const html = markdown.parse(source, { async: false });
  const fragment = purify.sanitize(html, {
    FORBID_TAGS: ['style', 'form'],
    FORBID_ATTR: ['style'],
    // Guards against DOM clobbering through id/name attributes.
    SANITIZE_NAMED_PROPS: true,
    RETURN_DOM_FRAGMENT: true,
  });
  for (const image of fragment.querySelectorAll('img')) {
    if (!isLocalImage(image.getAttribute('src') ?? '')) image.replaceWith(linkFor(image));
  }
  const holder = document.createElement('div');
  holder.append(fragment);
  return holder.innerHTML;
}

/** Images the page's CSP lets load: this site's own, and inline data images. */
function isLocalImage(src: string): boolean {
  if (src === '') return false;
  if (src.startsWith('data:image/')) return true;
  try {
    return new URL(src, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

/** An outside image, as a link to it named by its alt text (plain text if it is no web URL). */
function linkFor(image: HTMLImageElement): HTMLElement {
  const src = image.getAttribute('src') ?? '';
  const label = `Image: ${image.getAttribute('alt') || src || 'no address'}`;
  if (!/^https?:/i.test(src)) {
    const text = document.createElement('span');
    text.textContent = label;
    return text;
  }
  const link = document.createElement('a');
  link.href = src;
  link.target = '_blank';
  link.rel = LINK_REL;
  link.textContent = label;
  return link;
}
