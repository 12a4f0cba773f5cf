/**
 * The QBO invoice or estimate body for a won deal, and the preview the card shows. The rule that everything else
 * serves: the QBO pre-tax total equals the deal's line-item total to the cent, always.
 *
 * QBO facts relied on (the QBO simulator's test/simulators/quickbooks/entities/sales-lines.ts enforces the same):
 * - a SalesItemLineDetail line's Amount must equal Qty x UnitPrice rounded half-up to the cent, else fault 6000;
 * - money and quantities travel as JSON numbers, read back through their printed form;
 * - negative sales lines are accepted, and only one DiscountLineDetail is allowed per form, so a HubSpot
 *   line-item discount becomes a negative line on the same item (it keeps the line's tax code and class, so tax
 *   falls on the discounted amount).
 */
import { centsToDecimalString, centsToNumber, decimalToJsonNumber, formatAmount, formatDecimal, normalize, parseDecimal, sumCents, toCents, type Decimal } from './decimal';
import { dueDateFor } from './document-dates';
import { documentHeader } from './document-header';
import { cut, DocumentBuildError, LINE_DESCRIPTION_MAX } from './document-text';
import { lineItemAmounts, lineItemsTotalCents } from './line-amounts';
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
  /** `dealIdFieldId`: the company's in-use "Deal ID" sales-form custom field (document-header.ts dealIdFieldOf). */
  company: { homeCurrency: string | null; multicurrency: boolean | null; dealIdFieldId?: string | null };
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
  /** The line's tax code: the one the settings set for taxable / non-taxable items, or null (QuickBooks decides). */
  taxCode: string | null;
  /** Who picks the line's tax code: DealBooks' settings, or QuickBooks from the item and the customer. */
  taxCodeFrom: 'settings' | 'quickbooks';
  /** The QBO item's Taxable flag, which QuickBooks uses when the settings set no code. */
  itemTaxable: boolean | null;
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
  /**
   * Sales tax is not in the totals above: QuickBooks computes it when the document is created, from each line's tax
   * code and the customer's tax settings (DealBooks never sends a tax amount).
   */
  tax: { computedBy: 'quickbooks'; message: string; lines: Array<{ lineItemId: string; taxCode: string | null; from: 'settings' | 'quickbooks' }> };
  warnings: string[];
}

export interface BuiltDocument {
  body: Record<string, unknown>;
  preview: DocumentPreview;
}

/** The deal cannot be turned into a document; preflight reports these cases in words before a build is tried. */

/** Money for descriptions: at least two decimals ("10.00", "0.125"). */
function moneyText(d: Decimal): string {
  return normalize(d).scale <= 2 ? centsToDecimalString(toCents(d)) : formatDecimal(d);
}

function contactName(deal: DealSnapshot): string | null {
  const parts = [deal.contact?.firstName, deal.contact?.lastName].filter((p): p is string => !!p && p.trim() !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}


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
      taxCodeFrom: taxCode ? 'settings' : 'quickbooks',
      itemTaxable: item.taxable,
      usesDefaultItem: item.method === 'default',
    },
  };
}

/** The preview's sentence about tax: who computes it, and with which code on each line. */
function taxMessage(lines: readonly PreviewLine[]): string {
  const each = lines.map((l) =>
    l.taxCode
      ? `“${l.description}”: tax code ${l.taxCode} (DealBooks settings)`
      : `“${l.description}”: the code QuickBooks picks from the item (${l.itemTaxable === true ? 'taxable' : l.itemTaxable === false ? 'not taxable' : 'taxable or not as set in QuickBooks'}) and the customer`,
  );
  return `Sales tax is not included in these totals: QuickBooks computes it when the document is created, from each line's tax code and the customer's tax settings. Tax codes: ${each.join('; ')}.`;
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

  const header = documentHeader({
    portalId: input.portalId,
    deal,
    txnDateSetting: settings.txnDate,
    today: input.today,
    marker: input.marker,
    dealIdFieldId: input.company.dealIdFieldId ?? null,
  });
  const txnDate = header.TxnDate;
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
  const privateNote = header.PrivateNote;
  const sendCurrency = input.company.multicurrency === true && deal.currency !== null;

  const body: Record<string, unknown> = {
    CustomerRef: { value: input.customer.id, name: input.customer.displayName },
    TxnDate: header.TxnDate,
    Line: lines,
    PrivateNote: header.PrivateNote,
  };
  if (header.CustomField) body.CustomField = header.CustomField;
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
      tax: {
        computedBy: 'quickbooks',
        message: taxMessage(parts.map((p) => p.preview)),
        lines: parts.map((p) => ({ lineItemId: p.preview.lineItemId, taxCode: p.preview.taxCode, from: p.preview.taxCodeFrom })),
      },
      warnings,
    },
  };
}
