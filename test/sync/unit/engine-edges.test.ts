/** Edges of the engine that the per-module tests did not reach (found by `npm run mutate`). */
import { lineItemAmounts } from '../../../server/src/sync/line-amounts';
import { CUSTOMER_MEMO_MAX, renderMemo } from '../../../server/src/sync/memo';
import type { LineItemSnapshot } from '../../../server/src/sync/model';
import { normalizeCompanyName, rankCustomerCandidates } from '../../../server/src/sync/names';

const vars = { dealName: 'Permit set', dealId: '42', closeDate: null, companyName: null, contactName: null };

describe('memo edges', () => {
  it('When a template names an unknown placeholder, then it renders as nothing', () => {
    expect(renderMemo('For {{dealName}}{{ nope }}.', vars)).toBe('For Permit set.');
  });

  it('When the cut at 1000 falls inside a surrogate pair, then the whole pair goes; one ending exactly at 1000 stays', () => {
    const before = 'x'.repeat(CUSTOMER_MEMO_MAX - 1);
    expect(renderMemo(`${before}😀 tail`, vars)).toBe(before);
    // U+10FFFF: its high surrogate is 0xDBFF, the top of the range.
    expect(renderMemo(`${before}\u{10FFFF} tail`, vars)).toBe(before);
    const pairAtEnd = `${'x'.repeat(CUSTOMER_MEMO_MAX - 2)}😀`;
    expect(renderMemo(`${pairAtEnd} tail`, vars)).toBe(pairAtEnd);
  });
});

describe('names edges', () => {
  it('When a company name starts with "The", then the article is dropped, unless it is the only word', () => {
    expect(normalizeCompanyName('The Acme Company')).toBe(normalizeCompanyName('Acme Company'));
    expect(normalizeCompanyName('The')).toBe('the');
  });

  it('When the company name normalises to nothing, then no customer is proposed', () => {
    const customer = { id: '1', displayName: '...', companyName: null, email: null, active: true, currency: null, syncToken: '0', job: false, parentId: null };
    expect(rankCustomerCandidates('...', [customer])).toEqual([]);
  });
});

describe('line amount refusals', () => {
  it('When the quantity is not a number, then the line is refused in words; an empty quantity counts as 1', () => {
    const line: LineItemSnapshot = {
      id: 'l1',
      name: 'Drafting hours',
      description: null,
      productId: null,
      sku: null,
      quantity: 'two',
      price: '10',
      discount: null,
      discountPercentage: null,
      amount: null,
      currency: 'USD',
      product: null,
    };
    expect(() => lineItemAmounts(line)).toThrow('The line item “Drafting hours” has a quantity that is not a number: two.');
    expect(() => lineItemAmounts({ ...line, price: null })).toThrow('The line item “Drafting hours” has no price.');
    expect(lineItemAmounts({ ...line, quantity: '  ' }).preDiscountCents).toBe(1000);
  });
});
