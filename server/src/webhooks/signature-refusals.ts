import type pg from 'pg';
import type { Clock } from '../clock';
import { countRefusal, refusalCounts, type SignatureRefusals } from '../db/signature-refusals';
import type { WebhookSource } from '../db/webhook-inbox';
import type { Logger } from '../logger';

/**
 * Refused webhook signatures, counted per source. HubSpot retries a refused delivery up to 10 times and Intuit for
 * up to days, so a sender whose clock is off, a rotated secret or a probe shows up as a run of 401s: each one is
 * counted (GET /readyz shows the counts), and a warning is logged once when a burst begins, not for every request.
 * A refused delivery stores nothing; a missed HubSpot deal change is repaired by the backstop
 * (quote-to-cash/backstop.ts).
 */
export const REFUSAL_QUIET_MS = 15 * 60_000;

export async function recordRefusedSignature(
  deps: { pool: pg.Pool; clock: Clock; logger: Logger },
  source: WebhookSource,
  reason: string,
): Promise<SignatureRefusals> {
  const counted = await countRefusal(deps.pool, { source, reason, at: deps.clock.now(), quietMs: REFUSAL_QUIET_MS });
  if (counted.burstRefused === 1) {
    deps.logger.warn(
      { component: 'webhooks', source, reason, refusedTotal: counted.refusedTotal },
      `${source === 'hubspot' ? 'HubSpot' : 'QuickBooks'} webhook deliveries are being refused for their signature (${reason}); further refusals in this burst are counted in GET /readyz, not logged as warnings`,
    );
  }
  return counted;
}

export interface RefusalReport {
  /** Refusals since the first one ever, and in the current (or last) burst. */
  refusedTotal: number;
  burstRefused: number;
  burstStartedAt: string;
  lastRefusedAt: string;
  lastReason: string;
}

/** What /readyz shows per source (a source never refused is absent). */
export async function refusalReport(pool: pg.Pool): Promise<Partial<Record<WebhookSource, RefusalReport>>> {
  const report: Partial<Record<WebhookSource, RefusalReport>> = {};
  for (const r of await refusalCounts(pool)) {
    report[r.source] = {
      refusedTotal: r.refusedTotal,
      burstRefused: r.burstRefused,
      burstStartedAt: r.burstStartedAt.toISOString(),
      lastRefusedAt: r.lastRefusedAt.toISOString(),
      lastReason: r.lastReason,
    };
  }
  return report;
}
