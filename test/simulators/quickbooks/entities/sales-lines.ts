/**
 * Line[] of the sales forms (Invoice, Estimate, CreditMemo) and their totals, all in integer cents:
 * - SalesItemLineDetail: Amount must equal Qty x UnitPrice (rounded half-up to the cent) when both are sent;
 * - DiscountLineDetail: percent of the subtotal or a fixed amount (at most one per form);
 * - SubTotalLineDetail: computed by QBO; a sent one only marks where it goes (else before the discount, or last);
 * - DescriptionOnly: text only.
 * Tax (US): lines coded TAX are taxable; the rates come from TxnTaxDetail.TxnTaxCodeRef, or the company's default
 * tax group (Preferences.TaxPrefs.TaxGroupCodeRef), each TaxRate's RateValue a percent (fixture invoice_read:
 * 8% of 335.25 = 26.82). ApplyTaxAfterDiscount lowers the taxable amount by the discount's taxable share.
 */
import type { QboCompany } from '../company';
import type { QboObject } from '../entity-names';
import { businessValidation, invalidValue, requiredParamMissing } from '../fault';
import { fromCents, isMoney, lineAmountCents, percentOfCents, shareOfCents, toCents } from '../money';
import { isQboDate } from '../time';
import { salesTaxRatesOf } from './lists';
import { compact, resolveOptionalRef, resolveRef } from './rules';

export const PSEUDO_TAX_CODES = new Set(['TAX', 'NON']);

export interface SalesTotals {
  Line: QboObject[];
  TxnTaxDetail: QboObject;
  TotalAmt: number;
  totalCents: number;
}

interface WorkLine {
  line: QboObject;
  kind: 'item' | 'description' | 'discount';
  cents: number;
  taxable: boolean;
}

function resolveTaxCode(company: QboCompany, ref: unknown, element: string): { value: string; taxable: boolean } | undefined {
  if (ref === undefined || ref === null) return undefined;
  const value = String((ref as QboObject).value ?? '');
  if (PSEUDO_TAX_CODES.has(value)) return { value, taxable: value === 'TAX' };
  const code = resolveRef(company, 'TaxCode', ref, element, 'Name');
  return { value: code.ref.value, taxable: code.target.Taxable !== false };
}

function itemLine(company: QboCompany, raw: QboObject, customer: QboObject, index: number): WorkLine {
  const detail = (raw.SalesItemLineDetail ?? {}) as QboObject;
  const element = `Line[${index}].SalesItemLineDetail`;
  const item = resolveRef(company, 'Item', detail.ItemRef, `${element}.ItemRef`);
  if (item.target.Type === 'Category') throw invalidValue(`Item ${item.ref.value} is a category and cannot be sold`, `${element}.ItemRef`);
  const qty = detail.Qty as unknown;
  const unitPrice = detail.UnitPrice as unknown;
  if (qty !== undefined && !isMoney(qty)) throw invalidValue(`Qty must be a number: ${String(qty)}`, `${element}.Qty`);
  if (unitPrice !== undefined && !isMoney(unitPrice)) throw invalidValue(`UnitPrice must be a number: ${String(unitPrice)}`, `${element}.UnitPrice`);
  let cents: number;
  if (isMoney(raw.Amount)) {
    cents = toCents(raw.Amount);
    if (isMoney(qty) && isMoney(unitPrice) && lineAmountCents(qty, unitPrice) !== cents) {
      throw businessValidation(`Amount is not equal to UnitPrice * Qty. Supplied value:${raw.Amount}`, `Line[${index}].Amount`);
    }
  } else if (isMoney(qty) && isMoney(unitPrice)) {
    cents = lineAmountCents(qty, unitPrice);
  } else {
    throw requiredParamMissing('Required parameter Line.Amount is missing in the request', `Line[${index}].Amount`);
  }
  const sentCode = resolveTaxCode(company, detail.TaxCodeRef, `${element}.TaxCodeRef`);
  // Without a code, QBO codes a line taxable when both the item and the customer are taxable.
  const taxCode = sentCode ?? (item.target.Taxable === true && customer.Taxable === true ? { value: 'TAX', taxable: true } : { value: 'NON', taxable: false });
  const classRef = resolveOptionalRef(company, 'Class', detail.ClassRef, `${element}.ClassRef`)?.ref;
  if (detail.ServiceDate !== undefined && !isQboDate(detail.ServiceDate)) throw invalidValue(`ServiceDate must be YYYY-MM-DD: ${String(detail.ServiceDate)}`, `${element}.ServiceDate`);
  const line = compact({
    ...raw,
    Amount: fromCents(cents),
    DetailType: 'SalesItemLineDetail',
    SalesItemLineDetail: compact({ ...detail, ItemRef: { name: item.target.Name as string, value: item.ref.value }, TaxCodeRef: { value: taxCode.value }, ClassRef: classRef }),
  });
  return { line, kind: 'item', cents, taxable: taxCode.taxable };
}

function discountLine(company: QboCompany, raw: QboObject, index: number): WorkLine {
  const detail = (raw.DiscountLineDetail ?? {}) as QboObject;
  const element = `Line[${index}].DiscountLineDetail`;
  const percentBased = detail.PercentBased === true;
  if (percentBased && !isMoney(detail.DiscountPercent)) throw requiredParamMissing('Required parameter DiscountPercent is missing in the request', `${element}.DiscountPercent`);
  if (!percentBased && !isMoney(raw.Amount)) throw requiredParamMissing('Required parameter Line.Amount is missing in the request', `Line[${index}].Amount`);
  const defaultAccount = company.preferencesView().SalesFormsPrefs?.DefaultDiscountAccount as string | undefined;
  const accountRef = detail.DiscountAccountRef ?? (defaultAccount ? { value: defaultAccount } : undefined);
  const account = resolveOptionalRef(company, 'Account', accountRef, `${element}.DiscountAccountRef`);
  const line = compact({ ...raw, DetailType: 'DiscountLineDetail', DiscountLineDetail: compact({ ...detail, PercentBased: percentBased, DiscountAccountRef: account ? { name: account.target.Name as string, value: account.ref.value } : undefined }) });
  return { line, kind: 'discount', cents: percentBased ? 0 : toCents(raw.Amount as number), taxable: false };
}

/** Lines with Id/LineNum: kept when sent and unique, otherwise the next free number. */
function numberLines(lines: WorkLine[]): void {
  const used = new Set<string>();
  let next = 1;
  let lineNum = 1;
  for (const work of lines) {
    if (work.kind === 'discount') continue;
    const sent = work.line.Id === undefined ? undefined : String(work.line.Id);
    let id = sent !== undefined && !used.has(sent) ? sent : undefined;
    while (id === undefined && used.has(String(next))) next++;
    id ??= String(next++);
    used.add(id);
    work.line.Id = id;
    work.line.LineNum = lineNum++;
  }
}

export function computeSalesLines(company: QboCompany, input: QboObject, customer: QboObject): SalesTotals {
  const raw = input.Line as unknown;
  if (!Array.isArray(raw)) throw requiredParamMissing('Required parameter Line is missing in the request', 'Line');
  const work: WorkLine[] = [];
  let subtotalAt: number | undefined;
  raw.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) throw invalidValue(`Line[${index}] must be an object`, `Line[${index}]`);
    const line = entry as QboObject;
    const type = (line.DetailType as string | undefined) ?? (line.SalesItemLineDetail ? 'SalesItemLineDetail' : undefined);
    if (type === 'SubTotalLineDetail') subtotalAt ??= work.length;
    else if (type === 'SalesItemLineDetail') work.push(itemLine(company, line, customer, index));
    else if (type === 'DiscountLineDetail') work.push(discountLine(company, line, index));
    else if (type === 'DescriptionOnly') work.push({ line: compact({ ...line, DetailType: 'DescriptionOnly' }), kind: 'description', cents: 0, taxable: false });
    else throw invalidValue(`Unsupported Line DetailType: ${String(type)}`, `Line[${index}].DetailType`);
  });
  if (!work.some((w) => w.kind === 'item' || w.kind === 'description')) throw requiredParamMissing('Required parameter Line is missing in the request', 'Line');
  const discounts = work.filter((w) => w.kind === 'discount');
  if (discounts.length > 1) throw businessValidation('Only one discount line is allowed per transaction', 'Line');

  const items = work.filter((w) => w.kind === 'item');
  const subtotal = items.reduce((sum, w) => sum + w.cents, 0);
  let taxable = items.filter((w) => w.taxable).reduce((sum, w) => sum + w.cents, 0);
  const discount = discounts[0];
  let discountCents = 0;
  if (discount) {
    const detail = discount.line.DiscountLineDetail as QboObject;
    discountCents = detail.PercentBased ? percentOfCents(subtotal, detail.DiscountPercent as number) : discount.cents;
    if (discountCents > subtotal) throw businessValidation('The discount is larger than the subtotal', 'Line');
    discount.line.Amount = fromCents(discountCents);
    if (input.ApplyTaxAfterDiscount === true) taxable -= shareOfCents(discountCents, taxable, subtotal);
  }

  const prefs = company.preferencesView();
  const txnTaxDetail: QboObject = { TotalTax: 0 };
  let taxCents = 0;
  const sentTaxCode = input.TxnTaxDetail?.TxnTaxCodeRef as QboObject | undefined;
  if (prefs.TaxPrefs?.UsingSalesTax === true && (taxable > 0 || sentTaxCode)) {
    const codeRef = sentTaxCode ?? prefs.TaxPrefs?.TaxGroupCodeRef;
    const code = resolveRef(company, 'TaxCode', codeRef, 'TxnTaxDetail.TxnTaxCodeRef', 'Name');
    const taxLines = salesTaxRatesOf(company, code.ref.value).map((rate) => {
      const cents = percentOfCents(taxable, rate.percent);
      taxCents += cents;
      return {
        DetailType: 'TaxLineDetail',
        Amount: fromCents(cents),
        TaxLineDetail: { NetAmountTaxable: fromCents(taxable), TaxPercent: rate.percent, TaxRateRef: { value: rate.rateId }, PercentBased: true },
      };
    });
    txnTaxDetail.TxnTaxCodeRef = { value: code.ref.value };
    txnTaxDetail.TotalTax = fromCents(taxCents);
    if (taxLines.length > 0) txnTaxDetail.TaxLine = taxLines;
  }

  numberLines(work);
  const lines = work.map((w) => w.line);
  const subtotalLine = { DetailType: 'SubTotalLineDetail', Amount: fromCents(subtotal), SubTotalLineDetail: {} };
  const firstDiscount = work.findIndex((w) => w.kind === 'discount');
  const at = subtotalAt ?? (firstDiscount >= 0 ? firstDiscount : lines.length);
  lines.splice(at, 0, subtotalLine);
  const totalCents = subtotal - discountCents + taxCents;
  return { Line: lines, TxnTaxDetail: txnTaxDetail, TotalAmt: fromCents(totalCents), totalCents };
}
