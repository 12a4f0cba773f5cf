import { SimClock } from './clock';

describe('SimClock', () => {
  it('When advanced, then now moves by exactly that much and real time keeps running underneath', async () => {
    const clock = new SimClock({ start: Date.parse('2026-01-01T00:00:00Z'), rate: 0 });
    const before = clock.nowMs();
    await clock.advance(3_600_000);
    const after = clock.nowMs();
    expect(after - before).toBeGreaterThanOrEqual(3_600_000);
    expect(after - before).toBeLessThan(3_600_000 + 1000);
  });

  it('When time is advanced past scheduled work, then it runs in due order, including work it schedules inside the window', async () => {
    const clock = new SimClock({ rate: 0 });
    const ran: string[] = [];
    clock.after(20_000, () => ran.push('b'));
    clock.after(10_000, () => {
      ran.push('a');
      clock.after(5_000, () => ran.push('a+5'));
    });
    clock.after(60_000, () => ran.push('late'));
    await clock.advance(30_000);
    expect(ran).toEqual(['a', 'a+5', 'b']);
    expect(clock.pending).toBe(1);
  });

  it('When a task runs during advance, then it sees the clock at its own due time', async () => {
    const clock = new SimClock({ rate: 0 });
    const start = clock.nowMs();
    let seen = 0;
    clock.after(10_000, () => {
      seen = clock.nowMs() - start;
    });
    await clock.advance(60_000);
    expect(seen).toBeGreaterThanOrEqual(10_000);
    expect(seen).toBeLessThan(11_000);
  });

  it('When work is cancelled or the clock cleared, then it never runs', async () => {
    const clock = new SimClock({ rate: 0 });
    const ran: string[] = [];
    const cancel = clock.after(1000, () => ran.push('cancelled'));
    cancel();
    clock.after(1000, () => ran.push('cleared'));
    clock.clear();
    await clock.advance(5000);
    expect(ran).toEqual([]);
  });

  it('When the rate is high, then scheduled work fires early in real time without the clock jumping', async () => {
    const clock = new SimClock({ rate: 1_000_000 });
    const start = clock.nowMs();
    const fired = new Promise<number>((resolve) => clock.after(60_000, () => resolve(clock.nowMs() - start)));
    const elapsed = await fired; // 60 s at a million times: ~0 ms of real time
    expect(elapsed).toBeLessThan(5_000);
  });

  it('When a task throws, then later tasks still run', async () => {
    const clock = new SimClock({ rate: 0 });
    const ran: string[] = [];
    clock.after(1, () => {
      throw new Error('boom');
    });
    clock.after(2, () => ran.push('next'));
    await clock.advance(10);
    expect(ran).toEqual(['next']);
  });

  it('When the clock is frozen, then now stays put in real time and advance moves it by exactly that much', async () => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const clock = new SimClock({ start, freeze: true });
    const busyUntil = Date.now() + 5;
    while (Date.now() < busyUntil); // a few real milliseconds pass (a busy loop, not a timer)
    expect(clock.nowMs()).toBe(start);
    expect(clock.frozen).toBe(true);
    await clock.advance(3_600_000);
    expect(clock.now().toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('When the clock is frozen, then scheduled work waits for advance even at a high rate', async () => {
    const clock = new SimClock({ freeze: true, rate: 1_000_000 });
    clock.setRate(1_000_000);
    const ran: number[] = [];
    const start = clock.nowMs();
    clock.after(1000, () => ran.push(clock.nowMs() - start));
    await new Promise<void>((resolve) => setTimeout(resolve, 0).unref());
    expect(ran).toEqual([]);
    await clock.advance(999);
    expect(ran).toEqual([]);
    await clock.advance(1);
    expect(ran).toEqual([1000]);
  });

  it('When no freeze is asked for, then now follows real time (the default)', () => {
    const clock = new SimClock({ start: Date.parse('2026-01-01T00:00:00.000Z') });
    const first = clock.nowMs();
    const busyUntil = Date.now() + 5;
    while (Date.now() < busyUntil);
    expect(clock.nowMs()).toBeGreaterThan(first);
    expect(clock.frozen).toBe(false);
  });
});
