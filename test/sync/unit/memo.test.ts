import { CUSTOMER_MEMO_MAX, memoTemplateProblems, renderMemo, type MemoVars } from '../../../server/src/sync/memo';

const vars: MemoVars = {
  dealName: 'Permit set for 12 Elm St',
  dealId: '4242',
  closeDate: '2026-03-31',
  companyName: 'ABC LLC',
  contactName: 'Jane Doe',
};

describe('memo templates', () => {
  it('When a template names every placeholder, then each is filled in, with or without spaces in the braces', () => {
    const memo = renderMemo('{{dealName}} | {{ dealId }} | {{closeDate}} | {{  companyName}} | {{contactName }}', vars);
    expect(memo).toBe('Permit set for 12 Elm St | 4242 | 2026-03-31 | ABC LLC | Jane Doe');
  });

  it('When a value is missing, then its placeholder becomes empty', () => {
    expect(renderMemo('Thanks {{contactName}}! Deal {{dealId}}.', { ...vars, contactName: null, dealId: null })).toBe('Thanks ! Deal .');
  });

  it('When a placeholder is written in another case, then it still works', () => {
    expect(renderMemo('Deal {{DealID}}', vars)).toBe('Deal 4242');
  });

  it('When the memo is longer than QBO allows, then it is cut to 1000 characters', () => {
    const memo = renderMemo(`${'x'.repeat(990)} {{dealName}}`, vars);
    expect(memo).toHaveLength(CUSTOMER_MEMO_MAX);
    expect(memo.startsWith('x'.repeat(990))).toBe(true);
  });

  it('When a value contains braces, then it is inserted literally and not expanded again', () => {
    expect(renderMemo('{{dealName}}', { ...vars, dealName: '{{dealId}}' })).toBe('{{dealId}}');
  });

  it('When a template uses unknown placeholders, then settings validation lists each once', () => {
    const problems = memoTemplateProblems('{{dealname}} {{invoiceNumber}} {{ total }} {{invoiceNumber}}');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('{{invoiceNumber}}');
    expect(problems[0]).toContain('{{dealName}}');
    expect(problems[1]).toContain('{{total}}');
  });

  it('When braces are unbalanced, then that is a problem too; a good template has none', () => {
    expect(memoTemplateProblems('Deal {{dealName}')).toEqual(['The memo template has an unmatched "{{" or "}}". Write placeholders as {{dealName}}.']);
    expect(memoTemplateProblems('Thank you, {{ contactName }}, for {{dealName}}.')).toEqual([]);
    expect(memoTemplateProblems('')).toEqual([]);
  });
});
