import type { CustomerDraft, PostalAddress } from '../sync/model';

/**
 * The Customer body DealBooks sends, within QBO's field rules (Intuit's Customer reference,
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer: DisplayName max 500 with no ':' / tab / newline; GivenName, FamilyName, CompanyName max 100; email max 100 with
 * '@' and '.'; phone max 30; Notes max 2000; address lines max 500). The address's other fields follow Intuit's
 * PhysicalAddress reference (City, Country, CountrySubDivisionCode max 255, PostalCode max 30). What HubSpot holds
 * may be longer or malformed: text is cut to fit, and a value that would be wrong once cut (an email, a phone
 * number) is left out rather than sent, so one odd field never blocks the customer.
 */
export const CUSTOMER_LIMITS = {
  displayName: 500,
  name: 100,
  email: 100,
  phone: 30,
  notes: 2000,
  addressLine: 500,
  city: 255,
  region: 255,
  postalCode: 30,
  country: 255,
} as const;

/** At most `max` UTF-16 units, never splitting a surrogate pair. */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

function text(value: string | null | undefined, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = clip(value.trim(), max).trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A single line: every run of whitespace (tabs, newlines) as one space. */
function oneLine(value: string | null | undefined): string | undefined {
  return typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : undefined;
}

const EMAIL = /^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/;

export function validEmail(value: string | null | undefined): string | undefined {
  const email = value?.trim();
  return email && email.length <= CUSTOMER_LIMITS.email && EMAIL.test(email) ? email : undefined;
}

/**
 * A DisplayName QBO accepts: ':' separates a sub-customer from its parent in FullyQualifiedName, so "Acme: West"
 * becomes "Acme - West"; tabs and newlines become spaces. Empty when nothing usable is left.
 */
export function displayNameFor(value: string | null | undefined): string {
  const cleaned = oneLine((value ?? '').replace(/\s*:\s*/g, ' - ')) ?? '';
  return clip(cleaned, CUSTOMER_LIMITS.displayName).trim();
}

export function customerBody(input: CustomerDraft): Record<string, unknown> {
  const given = text(oneLine(input.givenName), CUSTOMER_LIMITS.name);
  const family = text(oneLine(input.familyName), CUSTOMER_LIMITS.name);
  const company = text(oneLine(input.companyName), CUSTOMER_LIMITS.name);
  const email = validEmail(input.email);
  const displayName =
    displayNameFor(input.displayName) || displayNameFor(input.companyName) || displayNameFor([given, family].filter(Boolean).join(' ')) || displayNameFor(email);
  if (!displayName) throw new Error('a QuickBooks customer needs a name: the display name, company name, person and email are all empty');
  const phone = oneLine(input.phone);
  const address = input.billAddr
    ? {
        Line1: text(oneLine(input.billAddr.line1), CUSTOMER_LIMITS.addressLine),
        City: text(oneLine(input.billAddr.city), CUSTOMER_LIMITS.city),
        CountrySubDivisionCode: text(oneLine(input.billAddr.countrySubDivisionCode), CUSTOMER_LIMITS.region),
        PostalCode: text(oneLine(input.billAddr.postalCode), CUSTOMER_LIMITS.postalCode),
        Country: text(oneLine(input.billAddr.country), CUSTOMER_LIMITS.country),
      }
    : undefined;
  const billAddr = address && Object.values(address).some((v) => v !== undefined) ? withoutUndefined(address) : undefined;
  const currency = input.currency?.trim().toUpperCase();
  const parentId = input.parentId?.trim();
  return withoutUndefined({
    DisplayName: displayName,
    CompanyName: company,
    GivenName: given,
    FamilyName: family,
    PrimaryEmailAddr: email ? { Address: email } : undefined,
    PrimaryPhone: phone && phone.length <= CUSTOMER_LIMITS.phone ? { FreeFormNumber: phone } : undefined,
    BillAddr: billAddr,
    Notes: text(input.notes, CUSTOMER_LIMITS.notes),
    CurrencyRef: currency && /^[A-Z]{3}$/.test(currency) ? { value: currency } : undefined,
    ...(parentId ? { Job: true, ParentRef: { value: parentId }, BillWithParent: true } : {}),
  });
}

function withoutUndefined<T extends Record<string, unknown>>(object: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}
