import { z } from 'zod';
import type { QboPayment } from '../sync/payment-applications';
import { QuickbooksApiError, type QuickbooksApi } from './api';
import { qboQuote, queryAll, type RawObject } from './query';
import { jsonMoneyToCents } from './sales-schemas';

/**
 * What changed in a QBO company, read three ways: one object as QBO has it now (what a webhook notification asks
 * for: its payload carries ids only), change data capture (`GET /cdc?entities=...&changedSince=...`: full objects
 * changed since a time, at most 30 days back and 1000 objects, deleted ones as `{status: "Deleted", Id, MetaData}`,
 * https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture),
 * and queries on MetaData.LastUpdatedTime or Id for what lies beyond CDC's 30 days. Objects are returned raw; the
 * caller turns them into its plain types (sales-schemas.ts, `toPayment` here).
 */
export const CDC_MAX_OBJECTS = 1000;
export const CDC_MAX_LOOKBACK_MS = 30 * 24 * 3600_000;
/** Ids per `Id IN (...)` query: QBO publishes no limit on the list; a page holds at most 1000 objects anyway. */
const IDS_PER_QUERY = 100;

export type ChangedEntity = 'Invoice' | 'Estimate' | 'Payment' | 'CreditMemo';

export interface CdcAnswer {
  /** Live objects, in the order QBO listed them. */
  objects: Array<{ entity: ChangedEntity; raw: RawObject }>;
  /** Objects deleted since the time, with QBO's time of the deletion when it gave one. */
  deleted: Array<{ entity: ChangedEntity; id: string; at: string | null }>;
  /** Objects in the answer, live and deleted: at CDC_MAX_OBJECTS the answer may have been cut short. */
  count: number;
}

const PATHS: Record<ChangedEntity, string> = { Invoice: '/invoice', Estimate: '/estimate', Payment: '/payment', CreditMemo: '/creditmemo' };

const cdcSchema = z.object({
  CDCResponse: z.array(z.object({ QueryResponse: z.array(z.record(z.string(), z.unknown())).optional() })),
});
const objectsSchema = z.array(z.record(z.string(), z.unknown()));

/** A time as QBO's query language and CDC take it: whole seconds, UTC offset written out (floored, never later). */
export function qboTime(at: Date): string {
  return `${new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/** A read of something that is not there: 404, or QBO's "Object Not Found" (code 610). */
export function isObjectNotFound(error: unknown): boolean {
  return error instanceof QuickbooksApiError && (error.status === 404 || error.code === '610');
}

const ref = z.object({ value: z.string(), name: z.string().optional() });
const paymentSchema = z.object({
  Id: z.string().min(1),
  SyncToken: z.string(),
  MetaData: z.object({ LastUpdatedTime: z.string().optional() }).optional(),
  CustomerRef: ref.optional(),
  TxnDate: z.string().optional(),
  CurrencyRef: ref.optional(),
  TotalAmt: z.number().finite().optional(),
  PaymentMethodRef: ref.optional(),
  PaymentRefNum: z.string().optional(),
  PrivateNote: z.string().optional(),
  Line: z
    .array(z.object({ Amount: z.number().finite().optional(), LinkedTxn: z.array(z.object({ TxnId: z.union([z.string(), z.number()]).transform(String), TxnType: z.string() })).optional() }))
    .optional(),
});

/** A Payment object (test/fixtures/quickbooks/payment_create_response.json, payment_void_response.json) as DealBooks reads it. */
export function toPayment(raw: unknown): QboPayment {
  const p = paymentSchema.parse(raw);
  return {
    id: p.Id,
    syncToken: p.SyncToken,
    updatedAt: p.MetaData?.LastUpdatedTime ?? null,
    customerId: p.CustomerRef?.value ?? null,
    txnDate: p.TxnDate && /^\d{4}-\d{2}-\d{2}$/.test(p.TxnDate) ? p.TxnDate : null,
    currency: p.CurrencyRef?.value ?? null,
    totalCents: p.TotalAmt === undefined ? 0 : jsonMoneyToCents(p.TotalAmt),
    method: p.PaymentMethodRef?.name ?? null,
    reference: p.PaymentRefNum && p.PaymentRefNum !== '' ? p.PaymentRefNum : null,
    privateNote: p.PrivateNote ?? null,
    lines: (p.Line ?? []).map((line) => ({
      amountCents: line.Amount === undefined ? 0 : jsonMoneyToCents(line.Amount),
      linked: (line.LinkedTxn ?? []).map((l) => ({ id: l.TxnId, type: l.TxnType })),
    })),
  };
}

const memoSchema = z.object({
  Id: z.string().min(1),
  CustomerRef: ref.optional(),
  LinkedTxn: z.array(z.object({ TxnId: z.union([z.string(), z.number()]).transform(String), TxnType: z.string() })).optional(),
});

/** The customer of a CreditMemo and the invoices it names itself (QBO may list none: payments carry the links). */
export function creditMemoTargets(raw: unknown): { customerId: string | null; invoiceIds: string[] } {
  const m = memoSchema.parse(raw);
  return { customerId: m.CustomerRef?.value ?? null, invoiceIds: (m.LinkedTxn ?? []).filter((l) => l.TxnType === 'Invoice').map((l) => l.TxnId) };
}

export class QuickbooksChangeFeed {
  constructor(private readonly api: QuickbooksApi) {}

  /** The object as QBO has it now; null when QBO answers that it does not exist (deleted). */
  async read(portalId: number, entity: ChangedEntity, id: string): Promise<RawObject | null> {
    try {
      const response = await this.api.get(portalId, `${PATHS[entity]}/${encodeURIComponent(id)}`);
      return z.object({ [entity]: z.record(z.string(), z.unknown()) }).parse(response.json)[entity] as RawObject;
    } catch (error) {
      if (isObjectNotFound(error)) return null;
      throw error;
    }
  }

  /** Change data capture since `since` (at most 30 days back: QBO refuses more). */
  async changeDataCapture(portalId: number, entities: readonly ChangedEntity[], since: Date): Promise<CdcAnswer> {
    const response = await this.api.get(portalId, '/cdc', { entities: entities.join(','), changedSince: qboTime(since) });
    const body = cdcSchema.parse(response.json);
    const answer: CdcAnswer = { objects: [], deleted: [], count: 0 };
    for (const group of body.CDCResponse.flatMap((r) => r.QueryResponse ?? [])) {
      for (const entity of entities) {
        const key = Object.keys(group).find((k) => k.toLowerCase() === entity.toLowerCase());
        if (key === undefined) continue;
        for (const raw of objectsSchema.parse(group[key])) {
          answer.count += 1;
          if (raw.status === 'Deleted') {
            const at = (raw.MetaData as { LastUpdatedTime?: unknown } | undefined)?.LastUpdatedTime;
            answer.deleted.push({ entity, id: String(raw.Id), at: typeof at === 'string' ? at : null });
          } else {
            answer.objects.push({ entity, raw });
          }
        }
      }
    }
    return answer;
  }

  /** Every object of the entity changed at or after `since` (a query, for windows beyond CDC's 30 days). */
  changedSince(portalId: number, entity: ChangedEntity, since: Date): Promise<RawObject[]> {
    return queryAll(this.api, portalId, entity, `MetaData.LastUpdatedTime >= ${qboQuote(qboTime(since))}`);
  }

  /** The objects of these ids that exist now; an id missing from the answer was deleted. */
  async byIds(portalId: number, entity: ChangedEntity, ids: readonly string[]): Promise<RawObject[]> {
    const found: RawObject[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      found.push(...(await queryAll(this.api, portalId, entity, `Id IN (${chunk.map(qboQuote).join(', ')})`)));
    }
    return found;
  }
}
