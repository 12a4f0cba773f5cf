import { z } from 'zod';
import type { SimClock } from './clock';

/**
 * Outbound webhooks as the real services send them: each message is delivered to the app's URL, retried on a
 * schedule (on the simulator's clock) when the app fails or is slow, and, on command, dropped, duplicated,
 * delayed or reordered, the ways real deliveries misbehave.
 */
export interface OutgoingWebhook {
  url: string;
  /** Renders the request for one attempt (0 = first): HubSpot numbers attempts in the body; signatures cover timestamps. */
  render(attempt: number): { body: string; headers: Record<string, string> };
  /** Shown by the control API, e.g. the events inside. */
  summary?: unknown;
  /**
   * Requests of one lane (e.g. one app for one portal) share the lane's concurrency limit (`laneLimit`): an attempt,
   * first or retry, waits while the lane has that many requests on the wire.
   */
  lane?: string;
}

export interface DeliveryAttempt {
  messageId: number;
  attempt: number;
  at: string;
  url: string;
  status?: number;
  error?: string;
  body: string;
}

export type MessageState = 'pending' | 'delivered' | 'failed' | 'dropped' | 'held';

interface Message {
  id: number;
  webhook: OutgoingWebhook;
  state: MessageState;
  attempts: number;
  nextAttemptAt?: number;
  cancel?: () => void;
}

export const deliveryModeSchema = z.object({
  /** The next N messages are lost (never delivered, never retried). */
  drop: z.number().int().min(0).optional(),
  /** The next N messages are delivered twice. */
  duplicate: z.number().int().min(0).optional(),
  /** The next N messages wait `delayMs` (simulated) before their first attempt. */
  delay: z.number().int().min(0).optional(),
  delayMs: z.number().int().min(0).optional(),
  /** The next N messages are held and then delivered in reverse order (once N are held, or on flush). */
  reorder: z.number().int().min(0).optional(),
});
export type DeliveryMode = z.infer<typeof deliveryModeSchema>;

export interface DispatcherOptions {
  clock: SimClock;
  /** Delay before retry k (k = 1..n) after a failed attempt; its length is the number of retries. */
  retryDelaysMs: readonly number[];
  /**
   * Where a request to `url` is actually sent (default: `url` itself). A tunnel or reverse proxy in front of the app:
   * the request is signed for the address the service knows, and reaches the app's listener on another.
   */
  route?: (url: string) => string;
  /** An answer slower than this (real ms) counts as a failure. */
  timeoutMs: number;
  /**
   * How many finished messages (delivered, failed, dropped) and delivery attempts the control API can still show;
   * older ones are forgotten so a long-running sandbox does not grow without bound (default 1000 / 5000).
   */
  keepMessages?: number;
  keepAttempts?: number;
  /** The most requests of one lane on the wire at once (read at each attempt; default: no limit). */
  laneLimit?: (lane: string) => number;
}

export const DEFAULT_KEPT_MESSAGES = 1000;
export const DEFAULT_KEPT_ATTEMPTS = 5000;
const FINISHED: ReadonlySet<MessageState> = new Set(['delivered', 'failed', 'dropped']);

export class WebhookDispatcher {
  private messages = new Map<number, Message>();
  private log: DeliveryAttempt[] = [];
  private nextId = 1;
  private mode: Required<Omit<DeliveryMode, 'delayMs'>> & { delayMs: number } = { drop: 0, duplicate: 0, delay: 0, delayMs: 0, reorder: 0 };
  private held: Message[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Per lane: requests on the wire, and attempts waiting for a free slot (oldest first). */
  private readonly onWire = new Map<string, number>();
  private readonly laneQueues = new Map<string, Message[]>();

  constructor(private readonly options: DispatcherOptions) {}

  send(webhook: OutgoingWebhook): number {
    const message: Message = { id: this.nextId++, webhook, state: 'pending', attempts: 0 };
    this.messages.set(message.id, message);
    if (this.mode.drop > 0) {
      this.mode.drop -= 1;
      message.state = 'dropped';
      this.forgetOldMessages();
      return message.id;
    }
    if (this.mode.reorder > 0) {
      this.mode.reorder -= 1;
      message.state = 'held';
      this.held.push(message);
      if (this.mode.reorder === 0) this.releaseHeld();
      return message.id;
    }
    const copies = this.mode.duplicate > 0 ? (this.mode.duplicate--, 2) : 1;
    const delay = this.mode.delay > 0 ? (this.mode.delay--, this.mode.delayMs) : 0;
    for (let i = 0; i < copies; i++) {
      const target = i === 0 ? message : this.copyOf(message);
      if (delay > 0) this.scheduleAttempt(target, delay);
      else this.attempt(target);
    }
    return message.id;
  }

  setMode(input: DeliveryMode): void {
    const mode = deliveryModeSchema.parse(input);
    this.mode = {
      drop: mode.drop ?? this.mode.drop,
      duplicate: mode.duplicate ?? this.mode.duplicate,
      delay: mode.delay ?? this.mode.delay,
      delayMs: mode.delayMs ?? this.mode.delayMs,
      reorder: mode.reorder ?? this.mode.reorder,
    };
  }

  /** Delivers held (reordered) messages now, newest first. */
  releaseHeld(): void {
    const held = this.held.reverse();
    this.held = [];
    this.mode.reorder = 0;
    for (const message of held) {
      message.state = 'pending';
      this.attempt(message);
    }
  }

  attempts(): DeliveryAttempt[] {
    return [...this.log];
  }

  list(): Array<{ id: number; state: MessageState; attempts: number; nextAttemptAt?: string; url: string; summary?: unknown }> {
    return [...this.messages.values()].map((m) => ({
      id: m.id,
      state: m.state,
      attempts: m.attempts,
      nextAttemptAt: m.nextAttemptAt === undefined ? undefined : new Date(m.nextAttemptAt).toISOString(),
      url: m.webhook.url,
      summary: m.webhook.summary,
    }));
  }

  /** Resolves once no delivery is on the wire. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  reset(): void {
    for (const m of this.messages.values()) m.cancel?.();
    this.messages.clear();
    this.held = [];
    this.log = [];
    this.laneQueues.clear();
    this.mode = { drop: 0, duplicate: 0, delay: 0, delayMs: 0, reorder: 0 };
  }

  private copyOf(message: Message): Message {
    const copy: Message = { id: this.nextId++, webhook: message.webhook, state: 'pending', attempts: 0 };
    this.messages.set(copy.id, copy);
    return copy;
  }

  private scheduleAttempt(message: Message, delayMs: number): void {
    message.nextAttemptAt = this.options.clock.nowMs() + delayMs;
    message.cancel = this.options.clock.after(delayMs, () => this.attempt(message));
  }

  /** Starts an attempt (or queues it behind its lane); resolves when a started attempt has finished. */
  private attempt(message: Message): Promise<void> {
    const lane = message.webhook.lane;
    if (lane !== undefined && this.options.laneLimit) {
      const busy = this.onWire.get(lane) ?? 0;
      if (busy >= Math.max(1, this.options.laneLimit(lane))) {
        const queue = this.laneQueues.get(lane) ?? [];
        queue.push(message);
        this.laneQueues.set(lane, queue);
        return Promise.resolve();
      }
      this.onWire.set(lane, busy + 1);
    }
    const run = this.deliver(message).finally(() => this.leaveLane(lane));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** A lane's request left the wire: the oldest attempt waiting in that lane goes next. */
  private leaveLane(lane: string | undefined): void {
    if (lane === undefined || !this.options.laneLimit) return;
    this.onWire.set(lane, Math.max(0, (this.onWire.get(lane) ?? 1) - 1));
    const queue = this.laneQueues.get(lane);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.laneQueues.delete(lane);
    if (next && this.messages.has(next.id)) void this.attempt(next);
  }

  private async deliver(message: Message): Promise<void> {
    message.nextAttemptAt = undefined;
    const attempt = message.attempts;
    message.attempts += 1;
    const { body, headers } = message.webhook.render(attempt);
    const record: DeliveryAttempt = { messageId: message.id, attempt, at: this.options.clock.now().toISOString(), url: message.webhook.url, body };
    this.log.push(record);
    const keepAttempts = this.options.keepAttempts ?? DEFAULT_KEPT_ATTEMPTS;
    if (this.log.length > keepAttempts) this.log.splice(0, this.log.length - keepAttempts);
    try {
      const response = await fetch(this.options.route?.(message.webhook.url) ?? message.webhook.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      record.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        this.finish(message, 'delivered');
        return;
      }
    } catch (error) {
      record.error = (error as Error).name === 'TimeoutError' ? 'timeout' : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    }
    // A reset while this attempt was on the wire forgot the message: it must not come back as a retry.
    if (this.messages.get(message.id) !== message) return;
    const delay = this.options.retryDelaysMs[attempt];
    if (delay === undefined) {
      this.finish(message, 'failed');
      return;
    }
    this.scheduleAttempt(message, delay);
  }

  private finish(message: Message, state: MessageState): void {
    message.state = state;
    this.forgetOldMessages();
  }

  /** Drops the oldest finished messages beyond the configured number (pending and held ones always stay). */
  private forgetOldMessages(): void {
    const keep = this.options.keepMessages ?? DEFAULT_KEPT_MESSAGES;
    let finished = 0;
    for (const m of this.messages.values()) if (FINISHED.has(m.state)) finished += 1;
    for (const [id, m] of this.messages) {
      if (finished <= keep) break;
      if (!FINISHED.has(m.state)) continue;
      this.messages.delete(id);
      finished -= 1;
    }
  }
}

/**
 * Collects items (events, changed entities) that happen close together and hands them over in batches of at
 * most `max`, like both services do. `windowMs` is simulated time; 0 means "what happens in the same tick".
 */
export class Batcher<T> {
  private items = new Map<string, T[]>();
  private timers = new Map<string, () => void>();

  constructor(
    private readonly options: { clock: SimClock; max: number; windowMs: number; flush: (key: string, items: T[]) => void },
  ) {}

  add(key: string, item: T): void {
    const list = this.items.get(key) ?? [];
    list.push(item);
    this.items.set(key, list);
    if (list.length >= this.options.max) return this.flush(key);
    if (this.timers.has(key)) return;
    if (this.options.windowMs === 0) {
      const handle = setImmediate(() => this.flush(key));
      this.timers.set(key, () => clearImmediate(handle));
    } else {
      this.timers.set(key, this.options.clock.after(this.options.windowMs, () => this.flush(key)));
    }
  }

  /** Hands over everything collected so far. */
  flushAll(): void {
    for (const key of [...this.items.keys()]) this.flush(key);
  }

  get size(): number {
    let n = 0;
    for (const list of this.items.values()) n += list.length;
    return n;
  }

  clear(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.items.clear();
  }

  private flush(key: string): void {
    this.timers.get(key)?.();
    this.timers.delete(key);
    const list = this.items.get(key) ?? [];
    this.items.delete(key);
    for (let i = 0; i < list.length; i += this.options.max) this.options.flush(key, list.slice(i, i + this.options.max));
  }
}
