import type { Response } from 'express';

/**
 * The small HTML pages a person sees at the end of an OAuth flow (install, connect): what happened, in words, and
 * what to do next. Everything interpolated is escaped; pages are never cached and never framed.
 */
export interface Page {
  title: string;
  tone: 'success' | 'error' | 'info';
  /** Plain-text paragraphs (escaped). */
  paragraphs: string[];
  /** Facts shown as a definition list (e.g. company name, home currency). */
  facts?: Array<[label: string, value: string]>;
  actions?: Array<{ label: string; href: string }>;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const COLORS = { success: '#00bda5', error: '#f2545b', info: '#0091ae' } as const;

export function renderPage(page: Page): string {
  const facts = page.facts?.length
    ? `<dl>${page.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`
    : '';
  const actions = page.actions?.length
    ? `<p>${page.actions.map((a) => `<a class="button" href="${escapeHtml(a.href)}">${escapeHtml(a.label)}</a>`).join(' ')}</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · DealBooks</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#33475b}
h1{border-left:.4rem solid ${COLORS[page.tone]};padding-left:.8rem}dt{font-weight:600}dd{margin:0 0 .6rem 0}
a.button{display:inline-block;padding:.5rem 1rem;border-radius:.25rem;background:#33475b;color:#fff;text-decoration:none}</style>
</head><body><h1>${escapeHtml(page.title)}</h1>
${page.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${facts}
${actions}
</body></html>
`;
}

export function sendPage(res: Response, status: number, page: Page): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'referrer-policy': 'no-referrer',
    })
    .send(renderPage(page));
}
