/**
 * QBO's outbound webhooks: every successful write a company announces is collected per company (Batcher) and
 * delivered to the configured URL in the configured format, signed with the verifier token, through the common
 * WebhookDispatcher (Intuit's retry schedule on the clock; drop/duplicate/delay/reorder from the control API).
 * With no URL configured, changes are not collected at all, like an app without a webhook endpoint.
 */
import { z } from 'zod';
import type { SimClock } from '../common/clock';
import { Batcher, type WebhookDispatcher } from '../common/webhooks';
import type { QboChange } from './company';
import {
  MAX_EVENTS_PER_DELIVERY,
  SIGNATURE_HEADER,
  WEBHOOK_CONTENT_TYPE,
  cloudEventSource,
  renderCloudEvents,
  renderLegacy,
  signWebhookBody,
  type QboWebhookFormat,
} from './webhooks-format';

export const webhookConfigSchema = z
  .object({
    /** Where to deliver; null/absent = no webhooks. */
    url: z.url().nullable().optional(),
    verifierToken: z.string().min(1).optional(),
    format: z.enum(['cloudevents', 'legacy']).optional(),
    /** How long (simulated ms) changes of one company are collected into one delivery; 0 = same tick. */
    windowMs: z.number().int().min(0).optional(),
  })
  .strict();
export type QboWebhookConfigInput = z.input<typeof webhookConfigSchema>;

export interface QboWebhookConfig {
  url: string | null;
  verifierToken: string;
  format: QboWebhookFormat;
  windowMs: number;
}

export const DEMO_VERIFIER_TOKEN = 'sim-demo-verifier-token';

/**
 * Intuit does not send each change as it happens: "data for the requested event is aggregated and then sent in a
 * periodic notification"; "For sandbox, webhooks will fire near real time. For production, developers can
 * configure for how long Intuit should aggregate events for their application to 1 Minute, 3 Minutes, and 5
 * Minutes" (developers.intuit.com/app/developer/qbo/docs/develop/webhooks; today's page still says "we'll aggregate
 * the requested event data ... and send periodic notifications"). The simulator's default window is 0 (sandbox-like,
 * fast tests); set `windowMs` to one of these for production's timing.
 */
export const INTUIT_AGGREGATION_WINDOWS_MS = [60_000, 180_000, 300_000] as const;
/**
 * CloudEvents is mandatory for apps, so it is the default. Intuit set the deadline at 2026-05-15
 * (blogs.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure/); third-party reports say it moved to
 * 2026-07-31.
 */
export const DEFAULT_WEBHOOK_CONFIG: Readonly<QboWebhookConfig> = { url: null, verifierToken: DEMO_VERIFIER_TOKEN, format: 'cloudevents', windowMs: 0 };

export class QboWebhooks {
  private config: QboWebhookConfig;
  private batcher: Batcher<QboChange>;

  constructor(
    private readonly deps: {
      clock: SimClock;
      dispatcher: WebhookDispatcher;
      companies: { onChange(listener: (change: QboChange) => void): () => void };
      /** Makes the CloudEvents `source` (one per app). */
      appKey: string;
      initial?: QboWebhookConfigInput;
    },
  ) {
    this.config = merge(DEFAULT_WEBHOOK_CONFIG, webhookConfigSchema.parse(deps.initial ?? {}));
    this.batcher = this.newBatcher();
    deps.companies.onChange((change) => {
      if (this.config.url) this.batcher.add(change.realmId, change);
    });
  }

  current(): QboWebhookConfig {
    return { ...this.config };
  }

  /** Changes the configuration; what was already collected is sent first, under the old one. */
  configure(input: QboWebhookConfigInput): QboWebhookConfig {
    const next = merge(this.config, webhookConfigSchema.parse(input));
    this.batcher.flushAll();
    this.config = next;
    this.batcher = this.newBatcher();
    return this.current();
  }

  /** Hands every collected change to the dispatcher now. */
  flush(): void {
    this.batcher.flushAll();
  }

  /** Forgets collected changes and goes back to `config` (the simulator's start-up configuration). */
  reset(config: QboWebhookConfigInput = {}): void {
    this.batcher.clear();
    this.config = merge(DEFAULT_WEBHOOK_CONFIG, webhookConfigSchema.parse(config));
    this.batcher = this.newBatcher();
  }

  private newBatcher(): Batcher<QboChange> {
    return new Batcher<QboChange>({
      clock: this.deps.clock,
      max: MAX_EVENTS_PER_DELIVERY,
      windowMs: this.config.windowMs,
      flush: (realmId, changes) => this.deliver(realmId, changes),
    });
  }

  private deliver(realmId: string, changes: QboChange[]): void {
    const { url, verifierToken, format } = this.config;
    if (!url) return;
    // Rendered once: every retry (and a duplicate) carries the same bytes and event ids, as a real redelivery does.
    const payload = format === 'cloudevents' ? renderCloudEvents(changes, cloudEventSource(this.deps.appKey)) : renderLegacy(realmId, changes);
    const body = JSON.stringify(payload);
    const headers = { 'content-type': WEBHOOK_CONTENT_TYPE, [SIGNATURE_HEADER]: signWebhookBody(verifierToken, body) };
    this.deps.dispatcher.send({
      url,
      render: () => ({ body, headers }),
      summary: { realmId, format, events: changes.map((c) => `${c.entity} ${c.id} ${c.operation}`) },
    });
  }
}

function merge(base: QboWebhookConfig, input: z.infer<typeof webhookConfigSchema>): QboWebhookConfig {
  return {
    url: input.url === undefined ? base.url : input.url,
    verifierToken: input.verifierToken ?? base.verifierToken,
    format: input.format ?? base.format,
    windowMs: input.windowMs ?? base.windowMs,
  };
}
