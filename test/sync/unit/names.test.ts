import type { QboCustomer } from '../../../server/src/sync/model';
import {
  disambiguatedDisplayName,
  nameSimilarity,
  normalizeCompanyName,
  qboDisplayName,
  rankCustomerCandidates,
} from '../../../server/src/sync/names';

function customer(id: string, displayName: string, extra: Partial<QboCustomer> = {}): QboCustomer {
  return { id, displayName, companyName: null, email: null, active: true, currency: 'USD', syncToken: '0', job: false, parentId: null, ...extra };
}

describe('normalizeCompanyName', () => {
  it('When the same company is written with different legal suffixes and punctuation, then all forms meet', () => {
    for (const name of ['ABC LLC', 'ABC, LLC', 'ABC Inc', 'abc inc.', 'ABC L.L.C.', 'ABC Corp.', 'A.B.C. Ltd', 'ABC Pty Ltd', 'The ABC Company', ' ABC  ']) {
      expect(normalizeCompanyName(name)).toBe('abc');
    }
  });

  it('When "&" or "+" stands for "and", then it matches the word', () => {
    expect(normalizeCompanyName('Smith & Sons Co.')).toBe('smith and sons');
    expect(normalizeCompanyName('Smith and Sons')).toBe('smith and sons');
    expect(normalizeCompanyName('Smith+Sons')).toBe('smith and sons');
  });

  it('When a name has diacritics, then they are stripped', () => {
    expect(normalizeCompanyName('Café Müller GmbH')).toBe('cafe muller');
    expect(normalizeCompanyName('Société Générale S.A.')).toBe('societe generale');
  });

  it('When the name is nothing but a suffix, then it is never reduced to empty', () => {
    expect(normalizeCompanyName('The Company')).toBe('company');
    expect(normalizeCompanyName('Inc')).toBe('inc');
    expect(normalizeCompanyName('Co. Ltd.')).toBe('co');
    expect(normalizeCompanyName('')).toBe('');
  });

  it('When a legal word is inside the name, then only the trailing ones are removed', () => {
    expect(normalizeCompanyName('Co-operative Bank Ltd')).toBe('co operative bank');
    expect(normalizeCompanyName('Limited Edition Prints LLC')).toBe('limited edition prints');
    expect(normalizeCompanyName('Theatre Co')).toBe('theatre');
  });
});

describe('nameSimilarity', () => {
  it('When names normalise to the same text, then the score is 1', () => {
    expect(nameSimilarity('ABC LLC', 'abc, inc.')).toBe(1);
  });

  it('When names differ in a word ending, then the score is around 0.8', () => {
    const score = nameSimilarity('Northwind Traders', 'Northwind Trading');
    expect(score).toBeGreaterThanOrEqual(0.8);
    expect(score).toBeLessThan(1);
  });

  it('When names have nothing in common, then the score is near 0', () => {
    expect(nameSimilarity('ABC', 'XYZ Holdings')).toBeLessThan(0.1);
    expect(nameSimilarity('', 'XYZ')).toBe(0);
  });

  it('When words are in another order, then the word overlap still finds them alike', () => {
    expect(nameSimilarity('Acme West', 'West Acme')).toBe(1);
  });

  it('When compared either way round, then the score is the same', () => {
    expect(nameSimilarity('Globex Corporation', 'Globex Intl')).toBe(nameSimilarity('Globex Intl', 'Globex Corporation'));
  });
});

describe('rankCustomerCandidates', () => {
  const books = [
    customer('1', 'ABC LLC'),
    customer('2', 'ABC, LLC'),
    customer('3', 'ABC Inc'),
    customer('4', 'Old Mill Bakery', { active: false }),
    customer('5', 'Northwind Trading'),
    customer('6', 'ABC Inc:Project 7', { job: true, parentId: '3' }),
    customer('7', 'Contoso', { companyName: 'Northwind Traders Ltd' }),
    customer('8', 'XYZ Holdings'),
  ];

  it('When several customers normalise to the company name, then they all come first as exact, by display name', () => {
    const ranked = rankCustomerCandidates('ABC Inc.', books);
    expect(ranked.map((r) => [r.customer.displayName, r.score, r.exact])).toEqual([
      ['ABC Inc', 1, true],
      ['ABC LLC', 1, true],
      ['ABC, LLC', 1, true],
    ]);
  });

  it('When a customer’s company name matches, then it counts as exact even if its display name does not', () => {
    const ranked = rankCustomerCandidates('Northwind Traders', books);
    expect(ranked[0]).toMatchObject({ customer: { id: '7' }, exact: true, score: 1 });
    expect(ranked[1]).toMatchObject({ customer: { id: '5' }, exact: false });
    expect(ranked[1]!.score).toBeGreaterThanOrEqual(0.8);
  });

  it('When a sub-customer matches, then it is skipped unless jobs are asked for', () => {
    expect(rankCustomerCandidates('ABC Inc Project 7', books).map((r) => r.customer.id)).not.toContain('6');
    expect(rankCustomerCandidates('ABC Inc Project 7', books, { includeJobs: true }).map((r) => r.customer.id)).toContain('6');
  });

  it('When an inactive customer matches, then it is returned flagged inactive', () => {
    const ranked = rankCustomerCandidates('Old Mill Bakery Ltd', books);
    expect(ranked).toEqual([{ customer: books[3], score: 1, exact: true, inactive: true }]);
    expect(rankCustomerCandidates('Old Mill Bakery Ltd', books, { includeInactive: false })).toEqual([]);
  });

  it('When limit and minScore are given, then weak and surplus candidates are left out', () => {
    expect(rankCustomerCandidates('ABC', books, { limit: 2 })).toHaveLength(2);
    expect(rankCustomerCandidates('Northwind Tradng', books, { minScore: 0.95 })).toEqual([]);
    expect(rankCustomerCandidates('Nothing Alike At All', books)).toEqual([]);
  });

  it('When the same input is ranked twice, then the order is the same', () => {
    const shuffled = [...books].reverse();
    expect(rankCustomerCandidates('ABC Holdings', shuffled).map((r) => r.customer.id)).toEqual(rankCustomerCandidates('ABC Holdings', books).map((r) => r.customer.id));
  });
});

describe('QBO display names', () => {
  it('When a name has colons, tabs or newlines, then the DisplayName has none', () => {
    expect(qboDisplayName('Acme: West\tCoast\nDivision')).toBe('Acme - West Coast Division');
    expect(qboDisplayName(':Acme:')).toBe('Acme');
    expect(qboDisplayName('  Smith   & Sons  ')).toBe('Smith & Sons');
  });

  it('When a name is empty or only forbidden characters, then a fallback is used', () => {
    expect(qboDisplayName('')).toBe('HubSpot customer');
    expect(qboDisplayName(' :\t\n ')).toBe('HubSpot customer');
    expect(qboDisplayName(null, 'Jane Doe')).toBe('Jane Doe');
  });

  it('When a name is longer than 500 characters, then it is cut to 500', () => {
    const name = qboDisplayName('x'.repeat(600));
    expect(name).toHaveLength(500);
    const emoji = qboDisplayName(`${'x'.repeat(499)}😀`);
    expect(emoji).toBe('x'.repeat(499)); // never half a surrogate pair
  });

  it('When a name collides (6240), then later attempts add (2), (3) and stay within 500', () => {
    expect(disambiguatedDisplayName('Northwind Traders', 1)).toBe('Northwind Traders');
    expect(disambiguatedDisplayName('Northwind Traders', 2)).toBe('Northwind Traders (2)');
    expect(disambiguatedDisplayName('Northwind Traders', 3)).toBe('Northwind Traders (3)');
    const long = disambiguatedDisplayName('y'.repeat(500), 12);
    expect(long).toHaveLength(500);
    expect(long.endsWith('y (12)')).toBe(true);
  });
});
