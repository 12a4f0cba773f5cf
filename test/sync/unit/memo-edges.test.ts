import { CUSTOMER_MEMO_MAX, memoTemplateProblems, renderMemo, type MemoVars } from '../../../server/src/sync/memo';

// The edges of the customer memo: blanks a missing value leaves, the cut at QuickBooks' limit next to a character
// outside the Basic Multilingual Plane, and the exact words settings validation shows.

const vars: MemoVars = {
  dealName: 'Permit set for 12 Elm St',
  dealId: '4242',
  closeDate: '2026-03-31',
  companyName: 'ABC LLC',
  contactName: 'Jane Doe',
};

describe('memo edges', () => {
  it('When a missing value or the template leaves blanks at either end, then the memo is trimmed', () => {
    expect(renderMemo('  Thank you, {{contactName}}', { ...vars, contactName: null })).toBe('Thank you,');
    expect(renderMemo('{{companyName}} - {{dealName}}\n', { ...vars, companyName: null })).toBe('- Permit set for 12 Elm St');
  });

  it('When the cut at 1000 characters falls inside a character written as a surrogate pair, then the whole character is dropped', () => {
    // U+10000 and U+10FFFD: the first and the last high surrogate (0xD800, 0xDBFF) of the pairs.
    for (const wide of ['\u{10000}', '\u{10FFFD}']) {
      const memo = renderMemo(`${'x'.repeat(CUSTOMER_MEMO_MAX - 1)}${wide}{{dealId}}`, vars);
      expect(memo).toBe('x'.repeat(CUSTOMER_MEMO_MAX - 1));
    }
  });

  it('When a character written as a surrogate pair ends exactly at 1000 characters, then it stays whole', () => {
    const memo = renderMemo(`${'x'.repeat(CUSTOMER_MEMO_MAX - 2)}\u{10000}{{dealId}}`, vars);
    expect(memo).toBe(`${'x'.repeat(CUSTOMER_MEMO_MAX - 2)}\u{10000}`);
  });

  it('When a template uses an unknown placeholder, then the problem lists every allowed one, comma-separated', () => {
    expect(memoTemplateProblems('Order {{orderNumber}}')).toEqual([
      'The memo template uses an unknown placeholder {{orderNumber}}. Use one of {{dealName}}, {{dealId}}, {{closeDate}}, {{companyName}}, {{contactName}}.',
    ]);
  });

  it('When taking the placeholders out leaves "{{" or "}}" behind, then the template is reported as unmatched', () => {
    const unmatched = 'The memo template has an unmatched "{{" or "}}". Write placeholders as {{dealName}}.';
    expect(memoTemplateProblems('Deal {{{dealId}}{')).toEqual([unmatched]);
    expect(memoTemplateProblems('Deal }{{dealId}}}')).toEqual([unmatched]);
    // Single braces around a placeholder that leave no pair behind are text, not a problem.
    expect(memoTemplateProblems('Deal {{{dealId}}}')).toEqual([]);
  });
});
