import { z } from 'zod';
import { dueDateFor } from './document-dates';
import type { DocumentHeader } from './document-header';
import { DocumentBuildError } from './document-text';
import type { QboTerm } from './model';

/**
 * Converting an estimate: the estimate then reads Closed with a LinkedTxn back to the invoice, and an invoice may
 * link to one estimate only.
 */

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
  /** TxnDate, PrivateNote and the "Deal ID" field, by the rules every DealBooks document shares (document-header.ts). */
  header: DocumentHeader;
  terms: QboTerm | null;
  /** Null: the estimate's BillEmail, if it has one. */
  billEmail: string | null;
}

/** "Converted from QuickBooks estimate <number>.": the words the header's private note starts with. */
export function conversionNote(estimate: { docNumber: string | null; id: string }): string {
  return `Converted from QuickBooks estimate ${estimate.docNumber ?? estimate.id}.`;
}

/** Lines QBO computes itself (subtotals, tax) are left out; item, description, group and discount lines are sent. */
const COPIED_LINE_TYPES = new Set(['SalesItemLineDetail', 'DescriptionOnly', 'DiscountLineDetail', 'GroupLineDetail']);

/**
 * The Invoice body that converts an estimate: QBO copies nothing on conversion, so the
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
  const txnDate = input.header.TxnDate;
  const dueDate = input.terms ? dueDateFor(input.terms, txnDate) : null;

  const body: Record<string, unknown> = {
    CustomerRef: estimate.CustomerRef,
    TxnDate: txnDate,
    Line: lines,
    LinkedTxn: [{ TxnId: estimate.Id, TxnType: 'Estimate' }],
    PrivateNote: input.header.PrivateNote,
  };
  if (input.header.CustomField) body.CustomField = input.header.CustomField;
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
