/**
 * Intuit's throttles, per company: at most 10 requests in flight, 500 per minute and 40 batch requests per minute
 * (developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles; for the cap in flight,
 * developer.intuit.com/hub/blog/2016/08/08/idg-concurrent-api-use-changes-coming-soon), the minute being a sliding
 * window on the simulator's clock (so a test moves time instead of waiting). Only accepted requests count: a client
 * that backs off gets through once the window has moved on.
 * A throttled call gets the XML Fault 3001 that QBO sends even to a client that asked for JSON.
 *
 * `perSecond` (a sliding second) is OFF unless configured: Intuit's limits page also lists "10 requests per second,
 * per realm ID and app", but we judged that figure doubtful next to the cap in flight, and imposing a limit QBO may
 * not enforce would throttle clients QBO lets through. Set it (e.g. 10) to test a client against it; `null` turns it
 * off again.
 */
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { SimClock } from '../common/clock';
import type { FaultResponse } from '../common/faults';
import { sendFaultResponse } from './auth-faults';
import { qboEnvelopeTime } from './time';

export const limitsSchema = z
  .object({
    concurrent: z.number().int().positive(),
    perMinute: z.number().int().positive(),
    batchPerMinute: z.number().int().positive(),
    /** Absent or null: no per-second limit (the default). */
    perSecond: z.number().int().positive().nullable().optional(),
  })
  .strict();
export type QboLimits = z.infer<typeof limitsSchema>;

export const DEFAULT_LIMITS: Readonly<QboLimits> = { concurrent: 10, perMinute: 500, batchPerMinute: 40 };
const WINDOW_MS = 60_000;
const SECOND_MS = 1000;

/** Validates and drops a null perSecond, so "off" always reads as the key being absent. */
function normalise(limits: unknown): QboLimits {
  const parsed = limitsSchema.parse(limits);
  if (parsed.perSecond === null || parsed.perSecond === undefined) delete parsed.perSecond;
  return parsed;
}

/**
 * The 429 body, text as quoted from QBO in intuit/QuickBooks-V3-PHP-SDK#54 and ruckus/quickbooks-ruby#348 (fixture
 * too_many_requests_error.xml): Fault type SERVICE, code 3001, "The request limit was reached.  Try again later"
 * (two spaces, sic). Whether QBO adds a Retry-After header is unconfirmed, so none is sent.
 */
export function throttleFault(clock: SimClock): FaultResponse {
  return {
    status: 429,
    contentType: 'application/xml',
    body:
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
      `<IntuitResponse time="${qboEnvelopeTime(clock.nowMs())}" xmlns="http://schema.intuit.com/finance/v3">\n` +
      `    <Fault type="SERVICE">\n` +
      `        <Error code="3001">\n` +
      `            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\n` +
      `            <Detail>The request limit was reached.  Try again later</Detail>\n` +
      `        </Error>\n` +
      `    </Fault>\n` +
      `</IntuitResponse>`,
  };
}

interface RealmUsage {
  inFlight: number;
  recent: number[];
  recentBatches: number[];
}

export class RealmLimiter {
  private limits: QboLimits;
  private usage = new Map<string, RealmUsage>();

  constructor(
    private readonly clock: SimClock,
    limits: Partial<QboLimits> = {},
  ) {
    this.limits = normalise({ ...DEFAULT_LIMITS, ...limits });
  }

  current(): QboLimits {
    return { ...this.limits };
  }

  set(limits: Partial<QboLimits>): QboLimits {
    this.limits = normalise({ ...this.limits, ...limits });
    return this.current();
  }

  /** What a company has used right now (for the control API and tests). */
  stats(realmId: string): { inFlight: number; lastMinute: number; batchesLastMinute: number } {
    const usage = this.prune(realmId);
    return { inFlight: usage.inFlight, lastMinute: usage.recent.length, batchesLastMinute: usage.recentBatches.length };
  }

  /** Forgets usage; keeps the configured limits unless asked to restore `defaults`. */
  reset(defaults?: Partial<QboLimits>): void {
    this.usage.clear();
    if (defaults) this.limits = normalise({ ...DEFAULT_LIMITS, ...defaults });
  }

  /** Mount under `/v3/company/:realmId`, after authentication. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const realmId = String(req.params.realmId ?? '');
      const usage = this.prune(realmId);
      const isBatch = /^\/batch\/?$/i.test(req.path);
      const now = this.clock.nowMs();
      const perSecond = this.limits.perSecond;
      if (
        (perSecond !== undefined && perSecond !== null && usage.recent.filter((t) => t > now - SECOND_MS).length >= perSecond) ||
        usage.inFlight >= this.limits.concurrent ||
        usage.recent.length >= this.limits.perMinute ||
        (isBatch && usage.recentBatches.length >= this.limits.batchPerMinute)
      ) {
        res.locals.throttled = true;
        sendFaultResponse(res, throttleFault(this.clock));
        return;
      }
      usage.recent.push(now);
      if (isBatch) usage.recentBatches.push(now);
      usage.inFlight += 1;
      let done = false;
      res.on('close', () => {
        if (done) return;
        done = true;
        usage.inFlight -= 1;
      });
      next();
    };
  }

  private prune(realmId: string): RealmUsage {
    let usage = this.usage.get(realmId);
    if (!usage) {
      usage = { inFlight: 0, recent: [], recentBatches: [] };
      this.usage.set(realmId, usage);
    }
    const since = this.clock.nowMs() - WINDOW_MS;
    usage.recent = usage.recent.filter((t) => t > since);
    usage.recentBatches = usage.recentBatches.filter((t) => t > since);
    return usage;
  }
}
