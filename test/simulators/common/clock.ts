/**
 * A simulator's own clock: real time plus an offset that tests (and the control API) move forward, so token
 * expiry, retry schedules and date-driven rules can be exercised without sleeping. Work scheduled on it runs
 * when its simulated due time arrives, either because real time got there or because the clock was advanced.
 *
 * `rate` scales only how soon scheduled work (webhook retries, delivery delays) fires in real time: with rate 60 a
 * retry due in 10 simulated seconds fires after about 170 real milliseconds, while the clock itself keeps real
 * time (tokens do not expire early). Rate 0 means scheduled work runs only when advance() reaches it (tests).
 *
 * `freeze: true` also stops real time from leaking in: `now()` moves only through advance(), so a test can assert
 * an exact boundary (a token valid at 3599.999 s and expired at 3600 s). A frozen clock implies rate 0.
 */
export interface ClockOptions {
  /** Start the simulated time here instead of now. */
  start?: Date | number;
  /** How much faster than real time scheduled work fires (default 1; 0 = only when advanced). */
  rate?: number;
  /** Simulated time moves only through advance(); scheduled work runs only when advanced (default false). */
  freeze?: boolean;
}

interface Scheduled {
  id: number;
  dueMs: number;
  task: () => unknown;
  timer?: NodeJS.Timeout;
}

export class SimClock {
  private offsetMs: number;
  private rate: number;
  /** Real time the clock is pinned to when frozen; undefined = follow real time. */
  private readonly frozenRealMs: number | undefined;
  private nextId = 1;
  private readonly scheduled = new Map<number, Scheduled>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(options: ClockOptions = {}) {
    const realNow = Date.now();
    this.frozenRealMs = options.freeze === true ? realNow : undefined;
    this.offsetMs = options.start === undefined ? 0 : new Date(options.start).getTime() - realNow;
    this.rate = options.freeze === true ? 0 : (options.rate ?? 1);
  }

  nowMs(): number {
    return (this.frozenRealMs ?? Date.now()) + this.offsetMs;
  }

  /** True when only advance() moves this clock. */
  get frozen(): boolean {
    return this.frozenRealMs !== undefined;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  get timeRate(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    if (!(rate >= 0)) throw new RangeError('rate must be >= 0');
    if (this.frozen) return; // a frozen clock fires work only when advanced, whatever the rate
    this.rate = rate;
    for (const item of this.scheduled.values()) this.arm(item);
  }

  /** Runs `task` when simulated time reaches `dueMs`. Returns a cancel function. */
  at(dueMs: number, task: () => unknown): () => void {
    const item: Scheduled = { id: this.nextId++, dueMs, task };
    this.scheduled.set(item.id, item);
    this.arm(item);
    return () => this.cancel(item.id);
  }

  /** Runs `task` after `delayMs` of simulated time. */
  after(delayMs: number, task: () => unknown): () => void {
    return this.at(this.nowMs() + delayMs, task);
  }

  /** How many tasks wait for their time. */
  get pending(): number {
    return this.scheduled.size;
  }

  /**
   * Moves simulated time forward and runs, in due order, everything that became due (including work that those
   * tasks schedule inside the window). Resolves when those tasks (and their promises) have finished.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError('advance takes a non-negative number of milliseconds');
    const target = this.nowMs() + ms;
    for (;;) {
      const next = [...this.scheduled.values()].filter((s) => s.dueMs <= target).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (!next) break;
      if (next.dueMs > this.nowMs()) this.offsetMs += next.dueMs - this.nowMs();
      await this.fire(next);
    }
    if (target > this.nowMs()) this.offsetMs += target - this.nowMs();
    for (const item of this.scheduled.values()) this.arm(item);
    await this.settle();
  }

  /** Runs everything already due now; waits for running tasks. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Forgets every scheduled task (simulator reset / close). */
  clear(): void {
    for (const item of this.scheduled.values()) if (item.timer) clearTimeout(item.timer);
    this.scheduled.clear();
  }

  private cancel(id: number): void {
    const item = this.scheduled.get(id);
    if (!item) return;
    if (item.timer) clearTimeout(item.timer);
    this.scheduled.delete(id);
  }

  private arm(item: Scheduled): void {
    if (item.timer) clearTimeout(item.timer);
    item.timer = undefined;
    if (this.rate === 0) return;
    const realDelay = Math.max(0, (item.dueMs - this.nowMs()) / this.rate);
    item.timer = setTimeout(() => {
      if (this.scheduled.has(item.id)) void this.fire(item);
    }, Math.min(realDelay, 2_147_483_647));
    item.timer.unref();
  }

  private async fire(item: Scheduled): Promise<void> {
    this.cancel(item.id);
    const run = (async () => item.task())();
    this.running.add(run);
    try {
      await run;
    } catch {
      // A task owns its errors; the clock keeps going.
    } finally {
      this.running.delete(run);
    }
  }
}
