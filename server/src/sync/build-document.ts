/**
 * The QBO invoice or estimate body for a won deal, and the preview the card shows (issue 5, point 5). The rule
 * that everything else serves: the QBO pre-tax total equals the deal's line-item total to the cent, always.
 *
 * QBO facts relied on (reference "Entities" / "Field rules"; QBO simulator entities/sales-lines.ts):
 * - a SalesItemLineDetail line's Amount must equal Qty x UnitPrice rounded half-up to the cent, else fault 6000;
 * - money and quantities travel as JSON numbers, read back through their printed form;
 * - negative sales lines are accepted, and only one DiscountLineDetail is allowed per form, so a HubSpot
 *   line-item discount becomes a negative line on the same item (it keeps the line's tax code and class, so tax
 *   falls on the discounted amount);
 * - TermRef: STANDARD terms add DueDays to TxnDate, DATE_DRIVEN terms fall on the next DayOfMonthDue;
 * - converting an estimate copies nothing: the invoice must carry the estimate's lines and a LinkedTxn to it.
 */
import { z } from 'zod';
import {
  centsToDecimalString,
  centsToNumber,
  decimalToJsonNumber,
  formatAmount,
  formatDecimal,
  isZero,
  multiply,
  normalize,
  ONE,
  parseDecimal,
  shift,
  sumCents,
  toCents,
  type Decimal,
} from './decimal';
import { renderMemo } from './memo';
import type { DealSnapshot, ItemChoice, LineItemSnapshot, QboDocumentKind, QboTerm } from './model';

export interface BuildSettings {
  txnDate: 'close_date' | 'today';
  taxCodes: { taxable: string | null; nonTaxable: string | null };
  classId: string | null;
  memoTemplate: string;
}

export interface BuildInput {
  kind: QboDocumentKind;
  portalId: number;
  deal: DealSnapshot;
  customer: { id: string; displayName: string; currency: string | null };
  /** Per line item id: the QBO item chosen by the item mapper. */
  items: Map<string, ItemChoice>;
  settings: BuildSettings;
  /** Already chosen by the caller; null leaves the terms (and so the due date) to QBO. */
  terms: QboTerm | null;
  company: { homeCurrency: string | null; multicurrency: boolean | null };
  /** `YYYY-MM-DD` in the company's time zone. */
  today: string;
  billEmail: string | null;
  /** Appended to PrivateNote so DealBooks can find the document again after an unknown outcome. */
  marker: string;
}

export interface PreviewLine {
  lineItemId: string;
  description: string;
  itemId: string;
  itemName: string;
  /** HubSpot's quantity and unit price as exact decimal strings. */
  quantity: string;
  unitPrice: string;
  /** What the line adds to the total: after its discount. */
  amountCents: number;
  discountCents: number;
  taxCode: string | null;
  usesDefaultItem: boolean;
}

export interface DocumentPreview {
  kind: QboDocumentKind;
  customer: { id: string; displayName: string };
  currency: string | null;
  txnDate: string;
  dueDate: string | null;
  terms: { id: string; name: string } | null;
  lines: PreviewLine[];
  /** Before discounts. */
  subtotalCents: number;
  discountCents: number;
  /** The QBO pre-tax total of the body's lines. */
  totalCents: number;
  /** The deal's line-item total, computed from the line items; always equal to totalCents. */
  lineItemsTotalCents: number;
  memo: string | null;
  privateNote: string;
  billEmail: string | null;
  classId: string | null;
  warnings: string[];
}

export interface BuiltDocument {
  body: Record<string, unknown>;
  preview: DocumentPreview;
}

/** The deal cannot be turned into a document; preflight reports these cases in words before a build is tried. */
export class DocumentBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentBuildError';
  }
}

/** QBO limits: PrivateNote 4000 characters; a line Description 4000 (Intuit's API reference for Line.Description). */
export const PRIVATE_NOTE_MAX = 4000;
const LINE_DESCRIPTION_MAX = 4000;

// ---------------------------------------------------------------------------------------------------------------
// Line amounts, as HubSpot computes them

export interface LineItemAmounts {
  price: Decimal;
  quantity: Decimal;
  /** round(price x quantity). */
  preDiscountCents: number;
  /** round(price x quantity x pct / 100) or round(perUnit x quantity). */
  computedDiscountCents: number;
  /** preDiscount - discount, as HubSpot computes it (test/simulators/hubspot/crm/line-items.ts). */
  computedAmountCents: number;
  /** HubSpot's own `amount`, rounded to the cent, when present and parseable. */
  hubspotAmountCents: number | null;
  /** What the line must add to the document: HubSpot's amount when present, else the computed one. */
  targetCents: number;
  discount: { kind: 'percentage'; value: Decimal } | { kind: 'per_unit'; value: Decimal } | null;
}

/**
 * The amounts of one line item, exact to the cent. A missing quantity counts as 1 (HubSpot's default); a
 * percentage wins over a per-unit discount when both are set (as HubSpot does). Throws DocumentBuildError for a
 * line without a usable price or quantity.
 */
export function lineItemAmounts(line: LineItemSnapshot): LineItemAmounts {
  const price = parseDecimal(line.price);
  if (!price) throw new DocumentBuildError(`The line item “${line.name}” has no price.`);
  const quantity = line.quantity.trim() === '' ? ONE : parseDecimal(line.quantity);
  if (!quantity) throw new DocumentBuildError(`The line item “${line.name}” has a quantity that is not a number: ${line.quantity}.`);
  const exactPre = multiply(price, quantity);
  const preDiscountCents = toCents(exactPre);
  const percentage = parseDecimal(line.discountPercentage);
  const perUnit = parseDecimal(line.discount);
  let discount: LineItemAmounts['discount'] = null;
  let computedDiscountCents = 0;
  if (percentage && !isZero(percentage)) {
    discount = { kind: 'percentage', value: percentage };
    computedDiscountCents = toCents(shift(multiply(exactPre, percentage), 2));
  } else if (perUnit && !isZero(perUnit)) {
    discount = { kind: 'per_unit', value: perUnit };
    computedDiscountCents = toCents(multiply(perUnit, quantity));
  }
  const computedAmountCents = preDiscountCents - computedDiscountCents;
  const hubspot = parseDecimal(line.amount);
  const hubspotAmountCents = hubspot ? toCents(hubspot) : null;
  return {
    price,
    quantity,
    preDiscountCents,
    computedDiscountCents,
    computedAmountCents,
    hubspotAmountCents,
    targetCents: hubspotAmountCents ?? computedAmountCents,
    discount,
  };
}

/** The deal's line-item total in cents (what the QBO pre-tax total must equal). */
export function lineItemsTotalCents(lines: readonly LineItemSnapshot[]): number {
  return sumCents(lines.map((line) => lineItemAmounts(line).targetCents));
}

// ---------------------------------------------------------------------------------------------------------------
// Dates

/** The document's TxnDate: the deal's close date when settings say so and the deal has one, else today. */
export function transactionDate(setting: 'close_date' | 'today', deal: Pick<DealSnapshot, 'closeDate'>, today: string): string {
  return setting === 'close_date' && deal.closeDate ? deal.closeDate : today;
}

/**
 * The payment terms of a new invoice: DealBooks' setting, else the customer's own terms, else the company's default
 * terms (the order QuickBooks itself applies). Null leaves the terms, and so the due date, to QuickBooks.
 */
export function chooseTerms(terms: readonly QboTerm[], choice: { setting: string | null; customer: string | null | undefined; company: string | null | undefined }): QboTerm | null {
  const termId = choice.setting ?? choice.customer ?? choice.company ?? null;
  return termId ? (terms.find((t) => t.id === termId) ?? null) : null;
}

function utcDate(date: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new DocumentBuildError(`Not a YYYY-MM-DD date: ${date}`);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

/**
 * The due date QBO would set for these terms: STANDARD -> TxnDate + DueDays; DATE_DRIVEN -> the next DayOfMonthDue
 * on or after TxnDate (the last day of a shorter month). Null when the terms say neither.
 */
export function dueDateFor(terms: Pick<QboTerm, 'dueDays' | 'dayOfMonthDue'>, txnDate: string): string | null {
  const start = utcDate(txnDate);
  if (terms.dueDays !== null) {
    start.setUTCDate(start.getUTCDate() + terms.dueDays);
    return start.toISOString().slice(0, 10);
  }
  if (terms.dayOfMonthDue === null) return null;
  const dueDay = terms.dayOfMonthDue;
  const lastDayOf = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth();
  if (start.getUTCDate() > Math.min(dueDay, lastDayOf(year, month))) {
    month += 1;
    if (month === 12) {
      month = 0;
      year += 1;
    }
  }
  return new Date(Date.UTC(year, month, Math.min(dueDay, lastDayOf(year, month)))).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------
// Text

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** `HubSpot deal "<name>" (deal <id>, HubSpot account <portalId>). <marker>`, cut in the name so the marker survives. */
export function privateNoteFor(deal: Pick<DealSnapshot, 'id' | 'name'>, portalId: number, marker: string): string {
  const before = 'HubSpot deal "';
  const after = `" (deal ${deal.id}, HubSpot account ${portalId}). ${marker}`;
  const room = PRIVATE_NOTE_MAX - before.length - after.length;
  if (room < 1) throw new DocumentBuildError('The private note marker is too long for QuickBooks.');
  return `${before}${cut(deal.name, room)}${after}`;
}

/** Money for descriptions: at least two decimals ("10.00", "0.125"). */
function moneyText(d: Decimal): string {
  return normalize(d).scale <= 2 ? centsToDecimalString(toCents(d)) : formatDecimal(d);
}

function contactName(deal: DealSnapshot): string | null {
  const parts = [deal.contact?.firstName, deal.contact?.lastName].filter((p): p is string => !!p && p.trim() !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Building

type QboLine = Record<string, unknown>;

interface LineParts {
  lines: Array<{ line: QboLine; cents: number }>;
  preview: PreviewLine;
  preDiscountCents: number;
  warnings: string[];
}

function lineDescription(line: LineItemSnapshot, item: ItemChoice): string {
  const description = line.description?.trim() ? line.description.trim() : null;
  // A default item stands for an unmapped product: the line's own words must still say what was sold.
  if (item.method === 'default') return description && description !== line.name ? `${line.name} - ${description}` : line.name;
  return description ?? line.name;
}

function itemLine(detail: Record<string, unknown>, amountCents: number, description: string, qty: number, unitPrice: number): { line: QboLine; cents: number } {
  const line = {
    DetailType: 'SalesItemLineDetail',
    Amount: centsToNumber(amountCents),
    Description: cut(description, LINE_DESCRIPTION_MAX),
    SalesItemLineDetail: { ...detail, Qty: qty, UnitPrice: unitPrice },
  };
  return { line, cents: amountCents };
}

function buildLine(line: LineItemSnapshot, item: ItemChoice, settings: BuildSettings): LineParts {
  const amounts = lineItemAmounts(line);
  const warnings: string[] = [];
  const taxCode = item.taxable === true ? settings.taxCodes.taxable : settings.taxCodes.nonTaxable;
  const detail: Record<string, unknown> = { ItemRef: { value: item.itemId, name: item.itemName } };
  if (taxCode) detail.TaxCodeRef = { value: taxCode };
  if (settings.classId) detail.ClassRef = { value: settings.classId };

  const quantityText = formatDecimal(amounts.quantity);
  const priceText = formatDecimal(amounts.price);
  const description = lineDescription(line, item);
  if (item.method === 'default') {
    warnings.push(`“${line.name}” has no QuickBooks item of its own; it goes on the document as “${item.itemName}” with its own name and description.`);
  }
  if (amounts.hubspotAmountCents !== null && amounts.hubspotAmountCents !== amounts.computedAmountCents) {
    warnings.push(
      `HubSpot's amount for “${line.name}” (${formatAmount(amounts.hubspotAmountCents)}) differs from its price, quantity and discount ` +
        `(${formatAmount(amounts.computedAmountCents)}); the document follows HubSpot's amount.`,
    );
  }

  const qty = decimalToJsonNumber(amounts.quantity);
  const unitPrice = decimalToJsonNumber(amounts.price);
  const exact = qty !== null && unitPrice !== null;
  // A line QBO would recompute to another amount (HubSpot rounded differently, or a value JSON cannot carry
  // exactly) is sent as 1 x its amount, with the original quantity and price in words.
  const asOneUnit = (cents: number, text: string) =>
    itemLine(detail, cents, `${text} (${quantityText} x ${priceText})`, 1, centsToNumber(cents));

  const lines: LineParts['lines'] = [];
  let discountCents = 0;
  if (amounts.discount === null || amounts.preDiscountCents === amounts.targetCents) {
    const fits = exact && amounts.preDiscountCents === amounts.targetCents;
    lines.push(fits ? itemLine(detail, amounts.targetCents, description, qty, unitPrice) : asOneUnit(amounts.targetCents, description));
  } else {
    lines.push(exact ? itemLine(detail, amounts.preDiscountCents, description, qty, unitPrice) : asOneUnit(amounts.preDiscountCents, description));
    discountCents = amounts.preDiscountCents - amounts.targetCents;
    const what =
      amounts.discount.kind === 'percentage'
        ? `Discount ${formatDecimal(amounts.discount.value)}% on ${line.name}`
        : `Discount ${moneyText(amounts.discount.value)} per unit on ${line.name}`;
    lines.push(itemLine(detail, -discountCents, what, 1, centsToNumber(-discountCents)));
  }
  const preDiscountCents = amounts.discount === null ? amounts.targetCents : amounts.preDiscountCents;
  return {
    lines,
    preDiscountCents,
    warnings,
    preview: {
      lineItemId: line.id,
      description,
      itemId: item.itemId,
      itemName: item.itemName,
      quantity: quantityText,
      unitPrice: priceText,
      amountCents: amounts.targetCents,
      discountCents,
      taxCode: taxCode ?? null,
      usesDefaultItem: item.method === 'default',
    },
  };
}

/** The QBO Invoice or Estimate body for the deal, and the preview of exactly what it will contain. */
export function buildDocument(input: BuildInput): BuiltDocument {
  const { deal, settings } = input;
  if (deal.lineItems.length === 0) throw new DocumentBuildError(`The deal “${deal.name}” has no line items.`);
  const parts = deal.lineItems.map((line) => {
    const item = input.items.get(line.id);
    if (!item) throw new DocumentBuildError(`No QuickBooks item was chosen for the line item “${line.name}”.`);
    return buildLine(line, item, settings);
  });
  const lines = parts.flatMap((p) => p.lines.map((l) => l.line));
  const totalCents = sumCents(parts.flatMap((p) => p.lines.map((l) => l.cents)));
  const expectedCents = lineItemsTotalCents(deal.lineItems);
  // The one promise of this module; a difference here is a bug, never something to send to QuickBooks.
  if (totalCents !== expectedCents) throw new Error(`document total ${totalCents} != line-item total ${expectedCents}`);

  const warnings = parts.flatMap((p) => p.warnings);
  const dealAmount = parseDecimal(deal.amount);
  if (dealAmount && toCents(dealAmount) !== expectedCents) {
    warnings.push(`The deal amount ${formatAmount(toCents(dealAmount))} differs from its line items ${formatAmount(expectedCents)}; the ${input.kind} follows the line items.`);
  }

  const txnDate = transactionDate(settings.txnDate, deal, input.today);
  const isInvoice = input.kind === 'invoice';
  const terms = isInvoice ? input.terms : null;
  const dueDate = terms ? dueDateFor(terms, txnDate) : null;
  const memo = renderMemo(settings.memoTemplate, {
    dealName: deal.name,
    dealId: deal.id,
    closeDate: deal.closeDate,
    companyName: deal.company?.name ?? null,
    contactName: contactName(deal),
  });
  const privateNote = privateNoteFor(deal, input.portalId, input.marker);
  const sendCurrency = input.company.multicurrency === true && deal.currency !== null;

  const body: Record<string, unknown> = {
    CustomerRef: { value: input.customer.id, name: input.customer.displayName },
    TxnDate: txnDate,
    Line: lines,
    PrivateNote: privateNote,
  };
  if (terms) body.SalesTermRef = { value: terms.id };
  if (dueDate) body.DueDate = dueDate;
  if (memo !== '') body.CustomerMemo = { value: memo };
  if (input.billEmail) body.BillEmail = { Address: input.billEmail };
  if (sendCurrency) body.CurrencyRef = { value: deal.currency };

  const subtotalCents = sumCents(parts.map((p) => p.preDiscountCents));
  return {
    body,
    preview: {
      kind: input.kind,
      customer: { id: input.customer.id, displayName: input.customer.displayName },
      // QBO uses CurrencyRef when sent, else the customer's currency (itself the home currency by default).
      currency: sendCurrency ? deal.currency : (input.customer.currency ?? input.company.homeCurrency),
      txnDate,
      dueDate,
      terms: terms ? { id: terms.id, name: terms.name } : null,
      lines: parts.map((p) => p.preview),
      subtotalCents,
      discountCents: sumCents(parts.map((p) => p.preview.discountCents)),
      totalCents,
      lineItemsTotalCents: expectedCents,
      memo: memo === '' ? null : memo,
      privateNote,
      billEmail: input.billEmail,
      classId: settings.classId,
      warnings,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Estimate -> invoice

const refSchema = z.looseObject({ value: z.string().min(1) });
const estimateSchema = z.looseObject({
  Id: z.string().min(1),
  DocNumber: z.string().optional(),
  CustomerRef: refSchema,
  CurrencyRef: refSchema.optional(),
  ClassRef: refSchema.optional(),
  DepartmentRef: refSchema.optional(),
  CustomerMemo: z.looseObject({ value: z.string() }).optional(),
  ApplyTaxAfterDiscount: z.boolean().optional(),
  BillEmail: z.looseObject({ Address: z.string().optional() }).optional(),
  TxnTaxDetail: z.looseObject({ TxnTaxCodeRef: refSchema.optional() }).optional(),
  Line: z.array(z.looseObject({ DetailType: z.string() })),
});

export interface InvoiceFromEstimateInput {
  /** The estimate as QBO returned it. */
  estimate: unknown;
  /** Null: today. */
  txnDate: string | null;
  terms: QboTerm | null;
  marker: string;
  /** Text before the marker; default "Converted from QuickBooks estimate <number>." */
  privateNote?: string | null;
  /** Null: the estimate's BillEmail, if it has one. */
  billEmail: string | null;
  today: string;
}

/** Lines QBO computes itself (subtotals, tax) are left out; item, description, group and discount lines are sent. */
const COPIED_LINE_TYPES = new Set(['SalesItemLineDetail', 'DescriptionOnly', 'DiscountLineDetail', 'GroupLineDetail']);

/**
 * The Invoice body that converts an estimate: QBO copies nothing on conversion (reference "Entities"), so the
 * estimate's lines, customer, currency, class and tax code are sent again, with a LinkedTxn to the estimate.
 */
export function invoiceFromEstimate(input: InvoiceFromEstimateInput): Record<string, unknown> {
  const parsed = estimateSchema.safeParse(input.estimate);
  if (!parsed.success) throw new DocumentBuildError(`The QuickBooks estimate could not be read: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const estimate = parsed.data;
  const lines = estimate.Line.filter((line) => COPIED_LINE_TYPES.has(line.DetailType)).map((line) => {
    // Ids and line numbers belong to the estimate; a line-level LinkedTxn would point back at it.
    const { Id: _id, LineNum: _lineNum, LinkedTxn: _linked, ...rest } = line;
    return rest;
  });
  if (!lines.some((line) => line.DetailType !== 'DiscountLineDetail')) {
    throw new DocumentBuildError(`The QuickBooks estimate ${estimate.DocNumber ?? estimate.Id} has no lines to invoice.`);
  }
  const txnDate = input.txnDate ?? input.today;
  const dueDate = input.terms ? dueDateFor(input.terms, txnDate) : null;
  const label = input.privateNote?.trim() || `Converted from QuickBooks estimate ${estimate.DocNumber ?? estimate.Id}.`;
  const room = PRIVATE_NOTE_MAX - input.marker.length - 1;
  if (room < 1) throw new DocumentBuildError('The private note marker is too long for QuickBooks.');

  const body: Record<string, unknown> = {
    CustomerRef: estimate.CustomerRef,
    TxnDate: txnDate,
    Line: lines,
    LinkedTxn: [{ TxnId: estimate.Id, TxnType: 'Estimate' }],
    PrivateNote: `${cut(label, room)} ${input.marker}`,
  };
  if (estimate.CurrencyRef) body.CurrencyRef = estimate.CurrencyRef;
  if (estimate.ClassRef) body.ClassRef = estimate.ClassRef;
  if (estimate.DepartmentRef) body.DepartmentRef = estimate.DepartmentRef;
  if (estimate.CustomerMemo) body.CustomerMemo = estimate.CustomerMemo;
  if (estimate.ApplyTaxAfterDiscount !== undefined) body.ApplyTaxAfterDiscount = estimate.ApplyTaxAfterDiscount;
  if (estimate.TxnTaxDetail?.TxnTaxCodeRef) body.TxnTaxDetail = { TxnTaxCodeRef: estimate.TxnTaxDetail.TxnTaxCodeRef };
  if (input.terms) body.SalesTermRef = { value: input.terms.id };
  if (dueDate) body.DueDate = dueDate;
  // The estimate's own address was where the customer saw the quote: a sensible default for its invoice.
  const billEmail = input.billEmail ?? estimate.BillEmail?.Address ?? null;
  if (billEmail) body.BillEmail = { Address: billEmail };
  return body;
}
