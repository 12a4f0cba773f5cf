import { z } from 'zod';
import { bigintColumn, integerColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';
import type { WebhookSource } from './webhook-inbox';

/** Webhook deliveries refused for their signature, per source, with the burst they belong to. */
export interface SignatureRefusals {
  source: WebhookSource;
  refusedTotal: number;
  burstStartedAt: Date;
  burstRefused: number;
  lastRefusedAt: Date;
  lastReason: string;
}

const refusalRow = z.object({
  source: z.enum(['hubspot', 'quickbooks']),
  refused_total: bigintColumn,
  burst_started_at: timestampColumn,
  burst_refused: integerColumn,
  last_refused_at: timestampColumn,
  last_reason: z.string(),
});

function toRefusals(row: unknown): SignatureRefusals {
  const r = parseRow('webhook_signature_refusals', refusalRow, row);
  return { source: r.source, refusedTotal: r.refused_total, burstStartedAt: r.burst_started_at, burstRefused: r.burst_refused, lastRefusedAt: r.last_refused_at, lastReason: r.last_reason };
}

/**
 * Counts one refusal. A refusal more than `quietMs` after the previous one starts a new burst (burst_refused = 1),
 * which is how the caller knows to say so once per burst rather than once per request.
 */
export async function countRefusal(db: Queryable, input: { source: WebhookSource; reason: string; at: Date; quietMs: number }): Promise<SignatureRefusals> {
  const { rows } = await db.query(
    `INSERT INTO webhook_signature_refusals AS r (source, refused_total, burst_started_at, burst_refused, last_refused_at, last_reason)
     VALUES ($1, 1, $2, 1, $2, $3)
     ON CONFLICT (source) DO UPDATE SET
       refused_total = r.refused_total + 1,
       burst_started_at = CASE WHEN r.last_refused_at < $2 - make_interval(secs => $4 / 1000.0) THEN $2 ELSE r.burst_started_at END,
       burst_refused = CASE WHEN r.last_refused_at < $2 - make_interval(secs => $4 / 1000.0) THEN 1 ELSE r.burst_refused + 1 END,
       last_refused_at = GREATEST(r.last_refused_at, $2),
       last_reason = $3
     RETURNING *`,
    [input.source, input.at, input.reason.slice(0, 200), input.quietMs],
  );
  return toRefusals(rows[0]);
}

export async function refusalCounts(db: Queryable): Promise<SignatureRefusals[]> {
  const { rows } = await db.query('SELECT * FROM webhook_signature_refusals ORDER BY source');
  return rows.map(toRefusals);
}
