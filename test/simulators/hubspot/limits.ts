import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { SimClock } from '../common/clock';
import { sendErrorBody } from './server-errors';

/**
 * HubSpot's API rate limits for a marketplace OAuth app, counted per (app, installing portal) on the simulator's
 * clock (developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines; bodies and headers: fixture
 * payloads.json `rate_limit_429_bodies`):
 * - 110 requests per rolling 10 seconds, with `X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds` on every
 *   answer; over it, 429 with policyName TEN_SECONDLY_ROLLING;
 * - CRM search about 5 requests per second, counted apart, without rate-limit headers; over it, 429 "You have
 *   reached your secondly limit." (no policyName).
 * No daily limit: it does not apply to OAuth marketplace apps, and neither do its headers.
 * Rejected requests are not counted (a client that backs off is not punished for having been told to).
 */
export const rateLimitSchema = z.object({
  max: z.number().int().positive().default(110),
  intervalMs: z.number().int().positive().default(10_000),
  searchPerSecond: z.number().int().positive().default(5),
});
export type RateLimitOptions = z.input<typeof rateLimitSchema>;
export type RateLimitSettings = z.infer<typeof rateLimitSchema>;

const SEARCH_PATH = /^\/crm\/v3\/objects\/[^/]+\/search\/?$/;

export function tenSecondlyBody(): object {
  return {
    status: 'error',
    message: 'You have reached your ten_secondly_rolling limit.',
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: 'TEN_SECONDLY_ROLLING',
  };
}

export function secondlyBody(): object {
  return { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: randomUUID() };
}

export class RateLimiter {
  private settings: RateLimitSettings;
  private readonly initial: RateLimitSettings;
  private readonly windows = new Map<string, number[]>();
  private readonly searchWindows = new Map<string, number[]>();

  constructor(
    private readonly clock: SimClock,
    options: RateLimitOptions = {},
  ) {
    this.initial = rateLimitSchema.parse(options);
    this.settings = { ...this.initial };
  }

  get current(): RateLimitSettings {
    return { ...this.settings };
  }

  configure(options: RateLimitOptions): RateLimitSettings {
    this.settings = rateLimitSchema.parse({ ...this.settings, ...options });
    return this.current;
  }

  /** Mount after authentication (it needs res.locals.appId and portalId). */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const key = `${String(res.locals.appId)}:${String(res.locals.portalId)}`;
      const now = this.clock.nowMs();
      if (req.method === 'POST' && SEARCH_PATH.test(req.path)) {
        const recent = prune(this.searchWindows, key, now - 1000);
        if (recent.length >= this.settings.searchPerSecond) return sendErrorBody(res, 429, secondlyBody());
        recent.push(now);
        return next();
      }
      const recent = prune(this.windows, key, now - this.settings.intervalMs);
      const allowed = recent.length < this.settings.max;
      if (allowed) recent.push(now);
      res.setHeader('X-HubSpot-RateLimit-Max', String(this.settings.max));
      res.setHeader('X-HubSpot-RateLimit-Remaining', String(Math.max(0, this.settings.max - recent.length)));
      res.setHeader('X-HubSpot-RateLimit-Interval-Milliseconds', String(this.settings.intervalMs));
      if (!allowed) return sendErrorBody(res, 429, tenSecondlyBody());
      next();
    };
  }

  /** Forgets the counts and goes back to the settings given at construction. */
  reset(): void {
    this.settings = { ...this.initial };
    this.windows.clear();
    this.searchWindows.clear();
  }
}

/** The request times of `key` still inside the window (older ones dropped). */
function prune(windows: Map<string, number[]>, key: string, since: number): number[] {
  const kept = (windows.get(key) ?? []).filter((t) => t > since);
  windows.set(key, kept);
  return kept;
}
