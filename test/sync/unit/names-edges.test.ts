import type { QboCustomer } from '../../../server/src/sync/model';
import { firstFreeNameAttempt, nameSimilarity, qboDisplayName, rankCustomerCandidates } from '../../../server/src/sync/names';

/**
 * Edges of name matching and QBO display names that the main names tests do not pin down: names with nothing left
 * after normalising, single characters, the order of equal scores, exact cut points with surrogate pairs, and the
 * characters a DisplayName may not hold.
 */
const customer = (id: string, displayName: string, extra: Partial<QboCustomer> = {}): QboCustomer => ({
  id,
  displayName,
  companyName: null,
  email: null,
  active: true,
  currency: null,
  syncToken: '0',
  job: false,
  parentId: null,
  ...extra,
} as QboCustomer);

describe('nameSimilarity edges', () => {
  it('When both names normalise to nothing, then they are not alike at all', () => {
    expect(nameSimilarity('!!!', '...')).toBe(0);
    expect(nameSimilarity('', 'Acme')).toBe(0);
  });

  it('When two different names are one character each, then they score 0, not NaN', () => {
    expect(nameSimilarity('A', 'B')).toBe(0);
  });
});

describe('rankCustomerCandidates edges', () => {
  it('When a customer has no company name, then it is matched on its display name alone', () => {
    const ranked = rankCustomerCandidates('Acme', [customer('1', 'Acme', { companyName: null }), customer('2', 'Zulu', { companyName: '   ' })]);
    expect(ranked.map((c) => c.customer.id)).toEqual(['1']);
  });

  it('When a customer is nothing like the company, then it is left out even with no minimum score', () => {
    expect(rankCustomerCandidates('Acme', [customer('1', 'Zzzz')], { minScore: 0 })).toEqual([]);
  });

  it('When a score equals the minimum, then the candidate stays', () => {
    const score = nameSimilarity('Northwind Traders', 'Northwind Trading');
    const ranked = rankCustomerCandidates('Northwind Traders', [customer('1', 'Northwind Trading')], { minScore: score });
    expect(ranked.map((c) => c.score)).toEqual([score]);
  });

  it('When scores differ, then the higher comes first whatever the names', () => {
    const ranked = rankCustomerCandidates('Northwind Traders', [customer('1', 'A Northwind Trade Co'), customer('2', 'Northwind Traders')]);
    expect(ranked.map((c) => c.customer.id)).toEqual(['2', '1']);
  });

  it('When two customers both score 1, then the exact name comes before a reordering of its words', () => {
    const ranked = rankCustomerCandidates('West Acme', [customer('1', 'Acme West'), customer('2', 'West Acme Inc')]);
    expect(ranked.map((c) => [c.customer.id, c.score, c.exact])).toEqual([
      ['2', 1, true],
      ['1', 1, false],
    ]);
  });

  it('When equal matches differ only in being inactive, then active ones come first, then by display name, then by id', () => {
    const customers = [
      customer('9', 'ABC', { active: false }),
      customer('4', 'ABC LLC'),
      customer('3', 'ABC Inc'),
      customer('2', 'ABC Inc'),
      customer('5', 'ABC Co', { active: false }),
    ];
    const ranked = rankCustomerCandidates('ABC', customers);
    expect(ranked.map((c) => c.customer.id)).toEqual(['2', '3', '4', '9', '5']);
    expect(rankCustomerCandidates('ABC', [...customers].reverse()).map((c) => c.customer.id)).toEqual(['2', '3', '4', '9', '5']);
  });
});

describe('qboDisplayName edges', () => {
  it('When control or invisible characters are in a name, then control characters become a space and invisible ones go', () => {
    expect(qboDisplayName('A\u0001B')).toBe('A B');
    expect(qboDisplayName('A\u200bB\u00adC\ufeff')).toBe('ABC');
  });

  it('When colons lead, trail or repeat, then they go at the ends and become one " - " inside', () => {
    expect(qboDisplayName('::Acme')).toBe('Acme');
    expect(qboDisplayName('Acme::')).toBe('Acme');
    expect(qboDisplayName('Acme::West')).toBe('Acme - West');
    expect(qboDisplayName('Acme:West')).toBe('Acme - West');
  });

  it('When a name is one over the limit, then it is cut to 500 without splitting a surrogate pair or leaving a space', () => {
    expect(qboDisplayName('a'.repeat(501))).toBe('a'.repeat(500));
    expect(qboDisplayName(`${'a'.repeat(499)}\u{10000}`)).toBe('a'.repeat(499)); // high surrogate U+D800, the first
    expect(qboDisplayName(`${'a'.repeat(499)}\u{10FFFF}`)).toBe('a'.repeat(499)); // high surrogate U+DBFF, the last
    expect(qboDisplayName(`${'a'.repeat(499)}\u{E000}b`)).toBe(`${'a'.repeat(499)}\u{E000}`); // not a surrogate: kept
    expect(qboDisplayName(`${'a'.repeat(499)} b`)).toBe('a'.repeat(499));
  });
});

describe('firstFreeNameAttempt edges', () => {
  it('When a taken name differs only in case or surrounding spaces, then it is still taken', () => {
    expect(firstFreeNameAttempt('Acme', ['  ACME  '])).toBe(2);
  });
});
