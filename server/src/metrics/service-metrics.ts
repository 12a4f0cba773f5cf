import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logger';

/**
 * What one DealBooks service counts, in a Prometheus registry of its own. Never prom-client's global default
 * registry: several services in one process (tests, the sandbox) would register the same names twice and read each
 * other's counts. Only the composition root (service.ts) builds this; the parts it counts take small callbacks
 * (`onCall`, `onSettled`, `onRefresh`, `onIntake`) and know nothing of Prometheus.
 *
 * Label values are closed sets (sources, outcomes, queue names, HTTP statuses), never ids, so series stay few.
 */

/** One row per queue: jobs due to run and not taken yet, and how long the oldest of them has been due. */
export interface QueueBacklog {
  queue: string;
  waiting: number;
  oldestWaitingSeconds: number;
}

export type WebhookDeliveryOutcome = 'stored' | 'failed' | 'refused';
export type JobOutcome = 'completed' | 'failed' | 'retried';
export type TokenRefreshOutcome = 'refreshed' | 'already_refreshed' | 'revoked' | 'failed';

export interface ServiceMetrics {
  readonly registry: Registry;
  webhookDelivery(source: string, outcome: WebhookDeliveryOutcome): void;
  webhookEvents(source: string, counts: { stored: number; duplicates: number; ignored: number; failed: number }): void;
  jobSettled(settled: { queue: string; outcome: JobOutcome; seconds?: number }): void;
  /** `status`: the HTTP status the API answered, undefined when no answer came (timeout, reset, refused). */
  upstreamCall(call: { api: 'hubspot' | 'quickbooks'; status: number | undefined; seconds: number }): void;
  tokenRefresh(provider: string, outcome: TokenRefreshOutcome): void;
}

/**
 * Upstream calls take from tens of milliseconds to QBO's 120 s timeout; jobs from milliseconds to their 300 s
 * expiry. Buckets cover both ends.
 */
const UPSTREAM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300];

export function createServiceMetrics(options: { logger: Logger; backlog: () => Promise<QueueBacklog[]> }): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const deliveries = new Counter({
    name: 'dealbooks_webhook_deliveries_total',
    help: 'Webhook deliveries by source and outcome: stored, failed (kept but not understood), refused (bad signature, nothing stored).',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });
  const events = new Counter({
    name: 'dealbooks_webhook_events_total',
    help: 'Events in stored webhook deliveries by source and outcome: stored, duplicate, ignored (unknown account), failed.',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });

  // Both queue gauges come from one query per scrape: prom-client collects every metric of a scrape at once, so the
  // second gauge finds the first one's query still in flight and shares it.
  let inFlight: Promise<QueueBacklog[] | undefined> | undefined;
  const backlog = (): Promise<QueueBacklog[] | undefined> => {
    inFlight ??= options
      .backlog()
      .catch((err: unknown) => {
        // A scrape still answers (process metrics, counters); the queue gauges are left out rather than made up.
        options.logger.warn({ err, component: 'metrics' }, 'queue backlog could not be read for a metrics scrape');
        return undefined;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const queueGauge = (name: string, help: string, value: (row: QueueBacklog) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        const rows = await backlog();
        this.reset();
        for (const row of rows ?? []) this.set({ queue: row.queue }, value(row));
      },
    });
  queueGauge('dealbooks_queue_depth', 'Jobs due to run and not yet taken by a worker, by queue (retries in their backoff and jobs scheduled later are not counted).', (r) => r.waiting);
  queueGauge('dealbooks_queue_oldest_job_age_seconds', 'How long the oldest due job of the queue has waited for a worker, in seconds (0 when none waits).', (r) => r.oldestWaitingSeconds);

  const jobs = new Counter({
    name: 'dealbooks_jobs_total',
    help: 'Job runs by queue and outcome: completed, retried (failed, will run again), failed (for good: dead-lettered).',
    labelNames: ['queue', 'outcome'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: 'dealbooks_job_duration_seconds',
    help: 'How long a job run took, by queue (every outcome).',
    labelNames: ['queue'] as const,
    buckets: JOB_BUCKETS,
    registers,
  });

  const upstream = new Counter({
    name: 'dealbooks_upstream_requests_total',
    help: 'HTTP requests to HubSpot and QuickBooks by api and status ("none": no answer came).',
    labelNames: ['api', 'status'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'dealbooks_upstream_request_duration_seconds',
    help: 'How long a request to HubSpot or QuickBooks took, answered or not, by api.',
    labelNames: ['api'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers,
  });

  const refreshes = new Counter({
    name: 'dealbooks_token_refreshes_total',
    help: 'OAuth token refreshes by provider and outcome: refreshed, already_refreshed (another caller or process had), revoked (needs a person), failed (tried again later).',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  });

  return {
    registry,
    webhookDelivery: (source, outcome) => deliveries.inc({ source, outcome }),
    webhookEvents(source, counts) {
      events.inc({ source, outcome: 'stored' }, counts.stored);
      events.inc({ source, outcome: 'duplicate' }, counts.duplicates);
      events.inc({ source, outcome: 'ignored' }, counts.ignored);
      events.inc({ source, outcome: 'failed' }, counts.failed);
    },
    jobSettled({ queue, outcome, seconds }) {
      jobs.inc({ queue, outcome });
      if (seconds !== undefined) jobDuration.observe({ queue }, seconds);
    },
    upstreamCall({ api, status, seconds }) {
      upstream.inc({ api, status: status === undefined ? 'none' : String(status) });
      upstreamDuration.observe({ api }, seconds);
    },
    tokenRefresh: (provider, outcome) => refreshes.inc({ provider, outcome }),
  };
}
