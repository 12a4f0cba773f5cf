import { companyDate, formatMoney } from '../../../server/src/sync/format';

describe('format', () => {
  it("When a document has a currency, then money reads in it; without one, in USD (QBO's default)", () => {
    expect(formatMoney(1250000, 'EUR')).toBe('€12,500.00');
    expect(formatMoney(1000, 'CAD')).toBe('CA$10.00');
    expect(formatMoney(1250, null)).toBe('$12.50');
  });

  it("When the company's zone is ahead of or behind UTC, then its today is the date there; unknown means UTC", () => {
    const now = new Date('2026-03-01T23:30:00Z');
    expect(companyDate(now, 60)).toBe('2026-03-02');
    expect(companyDate(now, 0)).toBe('2026-03-01');
    expect(companyDate(now, null)).toBe('2026-03-01');
    expect(companyDate(new Date('2026-03-02T00:30:00Z'), -60)).toBe('2026-03-01');
    expect(companyDate(new Date('2026-03-02T00:30:00Z'), null)).toBe('2026-03-02');
  });
});
