import { formatTime } from '../shared/time';
import { formatCents, looksLikeEmail } from './format';

describe('How the card writes money, times and addresses', () => {
  it('When an amount is in cents, then it is written from its digits with the currency symbol', () => {
    expect(formatCents(123_456_789, 'USD')).toBe('$1,234,567.89');
    expect(formatCents(5, 'EUR')).toBe('€0.05');
    expect(formatCents(-1_000, null)).toBe('-$10.00');
  });

  it('When a time is shown, then it is the HubSpot account\'s time zone, named, with the date only when it is not today there', () => {
    const now = new Date('2026-12-03T12:00:00.000Z');
    expect(formatTime('2026-12-03T13:05:00.000Z', 'Europe/Berlin', 'en-GB', now)).toBe('14:05 Europe/Berlin time');
    expect(formatTime('2026-12-04T08:00:00.000Z', 'America/New_York', 'en-US', now)).toBe('Dec 4, 03:00 America/New_York time');
    expect(formatTime('2026-12-03T13:05:00.000Z', 'Not/AZone', undefined, now)).toBe('13:05 UTC time');
  });

  it('When an address is checked before sending, then only something@domain.tld passes', () => {
    expect(looksLikeEmail(' ap@larkspur.example ')).toBe(true);
    expect(looksLikeEmail('ap@larkspur')).toBe(false);
    expect(looksLikeEmail('ap larkspur@x.example')).toBe(false);
  });
});
