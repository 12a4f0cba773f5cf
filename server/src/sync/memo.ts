/**
 * The customer-facing memo on an invoice or estimate (QBO CustomerMemo), written by finance as a template such as
 * "Thank you for {{ dealName }} - closed {{closeDate}}".
 */

export interface MemoVars {
  dealName: string | null;
  dealId: string | null;
  closeDate: string | null;
  companyName: string | null;
  contactName: string | null;
}

/**
 * The placeholders a template may use, in the order settings show them. No deal owner: reading owners needs the
 * crm.objects.owners.read scope, and DealBooks asks HubSpot for no scope it can do without.
 */
export const MEMO_PLACEHOLDERS = ['dealName', 'dealId', 'closeDate', 'companyName', 'contactName'] as const;
export type MemoPlaceholder = (typeof MEMO_PLACEHOLDERS)[number];

/** QBO's CustomerMemo limit. */
export const CUSTOMER_MEMO_MAX = 1000;

// `{{name}}` with optional spaces inside the braces.
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Names are matched without regard to case, so "{{DealName}}" works as a person would expect. */
function known(name: string): MemoPlaceholder | undefined {
  const lower = name.toLowerCase();
  return MEMO_PLACEHOLDERS.find((p) => p.toLowerCase() === lower);
}

/** The template with every placeholder filled in (a missing value or an unknown placeholder becomes ""), cut to 1000. */
export function renderMemo(template: string, vars: MemoVars): string {
  const rendered = template.replace(PLACEHOLDER, (_whole, name: string) => {
    const key = known(name);
    return key === undefined ? '' : (vars[key] ?? '');
  });
  return truncateMemo(rendered.trim());
}

function truncateMemo(text: string): string {
  if (text.length <= CUSTOMER_MEMO_MAX) return text;
  let end = CUSTOMER_MEMO_MAX;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // never split a surrogate pair
  return text.slice(0, end);
}

/** What is wrong with a template, one sentence per problem (empty when it is fine); used by settings validation. */
export function memoTemplateProblems(template: string): string[] {
  const problems: string[] = [];
  const allowed = MEMO_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');
  const seen = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (known(name) !== undefined || seen.has(name)) continue;
    seen.add(name);
    problems.push(`The memo template uses an unknown placeholder {{${name}}}. Use one of ${allowed}.`);
  }
  const leftover = template.replace(PLACEHOLDER, '');
  if (leftover.includes('{{') || leftover.includes('}}')) {
    problems.push('The memo template has an unmatched "{{" or "}}". Write placeholders as {{dealName}}.');
  }
  return problems;
}
