import { z } from 'zod';
import type { SalesCustomField } from '../sync/document-header';
import type { QboCustomer, QboDocument, QboDocumentKind, QboItem, QboTerm } from '../sync/model';
import { qboWebUrl } from './web-links';

/**
 * QBO's JSON, parsed (zod) into the plain types of sync/model.ts. Money arrives as a JSON number that is not padded
 * (`275.0` reads as 275, `31.5`, `362.07`, as in test/fixtures/quickbooks/invoice_read_response.json); it becomes integer cents from the number's shortest
 * text, digit by digit, so no float arithmetic ever touches an amount. Ids and SyncTokens are strings. Only fields
 * with values are returned, so nearly everything is optional.
 */

/** A JSON number as an exact plain decimal string: 362.07 -> "362.07", 1e21 -> "1000000000000000000000". */
export function jsonNumberToDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  // String() gives the shortest text that reads back as the same double: the number QBO wrote.
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`unexpected number text: ${String(value)}`);
  const [, sign, whole = '0', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  text = text.replace(/^0+(?=\d)/, '');
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text === '0' ? '0' : `${sign}${text}`;
}

/** A JSON money amount as integer cents; a third decimal (QBO never sends one) rounds half away from zero. */
export function jsonMoneyToCents(value: number): number {
  const text = jsonNumberToDecimal(value);
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  let cents = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  if (fraction.length > 2 && Number(fraction[2]) >= 5) cents += 1n;
  const result = Number(negative ? -cents : cents);
  if (!Number.isSafeInteger(result)) throw new RangeError(`amount out of range: ${text}`);
  return result === 0 ? 0 : result;
}

const id = z.string().min(1);
const ref = z.object({ value: z.string(), name: z.string().optional() });
const money = z.number().finite();
const email = z.object({ Address: z.string().optional() });

export const customerSchema = z.object({
  Id: id,
  DisplayName: z.string(),
  CompanyName: z.string().optional(),
  PrimaryEmailAddr: email.optional(),
  Active: z.boolean().optional(),
  CurrencyRef: ref.optional(),
  SyncToken: z.string(),
  Job: z.boolean().optional(),
  ParentRef: ref.optional(),
  SalesTermRef: ref.optional(),
});

export const itemSchema = z.object({
  Id: id,
  Name: z.string(),
  Sku: z.string().optional(),
  Type: z.string().optional(),
  Active: z.boolean().optional(),
  Taxable: z.boolean().optional(),
  UnitPrice: money.optional(),
});

export const termSchema = z.object({
  Id: id,
  Name: z.string(),
  Type: z.string().optional(),
  DueDays: z.number().int().optional(),
  DayOfMonthDue: z.number().int().optional(),
  Active: z.boolean().optional(),
});

export const taxCodeSchema = z.object({ Id: id, Name: z.string(), Taxable: z.boolean().optional(), Active: z.boolean().optional() });
export const classSchema = z.object({ Id: id, Name: z.string(), FullyQualifiedName: z.string().optional(), Active: z.boolean().optional() });

export const documentSchema = z.object({
  Id: id,
  DocNumber: z.string().optional(),
  CustomerRef: ref,
  TxnDate: z.string(),
  DueDate: z.string().optional(),
  ExpirationDate: z.string().optional(),
  CurrencyRef: ref.optional(),
  TotalAmt: money.optional(),
  Balance: money.optional(),
  TxnTaxDetail: z.object({ TotalTax: money.optional() }).optional(),
  TxnStatus: z.string().optional(),
  EmailStatus: z.string().optional(),
  PrivateNote: z.string().optional(),
  SyncToken: z.string(),
  LinkedTxn: z.array(z.object({ TxnId: z.string(), TxnType: z.string() })).optional(),
  BillEmail: email.optional(),
  InvoiceLink: z.string().optional(),
  MetaData: z.object({ LastUpdatedTime: z.string().optional() }).optional(),
});

export const preferencesSchema = z.object({
  CurrencyPrefs: z.object({ HomeCurrency: z.object({ value: z.string() }).optional(), MultiCurrencyEnabled: z.boolean().optional() }).optional(),
  AccountingInfoPrefs: z.object({ BookCloseDate: z.string().optional(), ClassTrackingPerTxn: z.boolean().optional(), ClassTrackingPerTxnLine: z.boolean().optional() }).optional(),
  SalesFormsPrefs: z
    .object({
      CustomTxnNumbers: z.boolean().optional(),
      AllowEstimates: z.boolean().optional(),
      DefaultTerms: ref.optional(),
      // Groups of name/value settings: SalesFormsPrefs.UseSalesCustom<n> (boolean) and SalesCustomName<n> (string),
      // as in test/fixtures/quickbooks/preferences_read_response.json.
      CustomField: z
        .array(z.object({ CustomField: z.array(z.object({ Name: z.string(), StringValue: z.string().optional(), BooleanValue: z.boolean().optional() }).passthrough()).optional() }).passthrough())
        .optional(),
    })
    .optional(),
  TaxPrefs: z.object({ UsingSalesTax: z.boolean().optional() }).optional(),
});

export function toCustomer(raw: unknown): QboCustomer {
  const c = customerSchema.parse(raw);
  return {
    id: c.Id,
    displayName: c.DisplayName,
    companyName: c.CompanyName ?? null,
    email: c.PrimaryEmailAddr?.Address ?? null,
    active: c.Active !== false,
    currency: c.CurrencyRef?.value ?? null,
    syncToken: c.SyncToken,
    job: c.Job === true,
    parentId: c.ParentRef?.value ?? null,
    termId: c.SalesTermRef?.value ?? null,
  };
}

export function toItem(raw: unknown): QboItem {
  const i = itemSchema.parse(raw);
  return {
    id: i.Id,
    name: i.Name,
    sku: i.Sku ?? null,
    type: i.Type ?? 'Service',
    active: i.Active !== false,
    taxable: i.Taxable ?? null,
    unitPrice: i.UnitPrice === undefined ? null : jsonNumberToDecimal(i.UnitPrice),
  };
}

export function toTerm(raw: unknown): QboTerm {
  const t = termSchema.parse(raw);
  const dateDriven = t.Type === 'DATE_DRIVEN';
  return {
    id: t.Id,
    name: t.Name,
    dueDays: dateDriven ? null : (t.DueDays ?? null),
    dayOfMonthDue: dateDriven ? (t.DayOfMonthDue ?? null) : null,
    active: t.Active !== false,
  };
}

/** `webUrl` is the QBO web app's page for the document (web-links.ts). */
export function toDocument(kind: QboDocumentKind, raw: unknown, appBaseUrl: string): QboDocument {
  const d = documentSchema.parse(raw);
  const total = d.TotalAmt === undefined ? 0 : jsonMoneyToCents(d.TotalAmt);
  return {
    kind,
    id: d.Id,
    docNumber: d.DocNumber ?? null,
    customerId: d.CustomerRef.value,
    txnDate: d.TxnDate,
    dueDate: d.DueDate ?? null,
    expirationDate: d.ExpirationDate ?? null,
    currency: d.CurrencyRef?.value ?? null,
    totalCents: total,
    // An estimate has no balance; an invoice without one has had nothing paid yet.
    balanceCents: kind === 'estimate' ? null : d.Balance === undefined ? total : jsonMoneyToCents(d.Balance),
    taxCents: d.TxnTaxDetail?.TotalTax === undefined ? 0 : jsonMoneyToCents(d.TxnTaxDetail.TotalTax),
    txnStatus: kind === 'estimate' ? (d.TxnStatus ?? null) : null,
    emailStatus: d.EmailStatus ?? null,
    privateNote: d.PrivateNote ?? null,
    syncToken: d.SyncToken,
    linked: (d.LinkedTxn ?? []).map((l) => ({ id: l.TxnId, type: l.TxnType })),
    billEmail: d.BillEmail?.Address ?? null,
    webUrl: qboWebUrl(appBaseUrl, kind, d.Id),
    updatedAt: d.MetaData?.LastUpdatedTime ?? null,
  };
}

/** The company's three sales-form custom fields, from Preferences SalesFormsPrefs.CustomField (absent: none in use). */
export function salesCustomFields(prefs: z.infer<typeof preferencesSchema>): SalesCustomField[] {
  const settings = new Map<string, { StringValue?: string; BooleanValue?: boolean }>();
  for (const group of prefs.SalesFormsPrefs?.CustomField ?? []) for (const field of group.CustomField ?? []) settings.set(field.Name, field);
  return ['1', '2', '3'].map((n) => ({
    definitionId: n,
    name: settings.get(`SalesFormsPrefs.SalesCustomName${n}`)?.StringValue ?? null,
    inUse: settings.get(`SalesFormsPrefs.UseSalesCustom${n}`)?.BooleanValue === true,
  }));
}
