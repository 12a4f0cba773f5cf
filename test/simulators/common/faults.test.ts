import express from 'express';
import { listen, type RunningServer } from './listen';
import { FaultInjector } from './faults';

/** A service with one write endpoint behind the fault injector; `writes` counts what the service really did. */
async function service() {
  const faults = new FaultInjector(() => ({ status: 503, body: { error: 'unavailable' } }));
  let writes = 0;
  const app = express();
  app.use(faults.middleware());
  app.post('/invoice', (_req, res) => {
    writes += 1;
    res.status(200).json({ Invoice: { Id: String(writes) } });
  });
  const server = await listen(app);
  return { faults, server, writes: () => writes };
}

describe('FaultInjector', () => {
  let running: RunningServer | undefined;
  afterEach(async () => running?.close());

  it('When a reset is set to strike after the work, then the write happens but the client gets no answer', async () => {
    const svc = await service();
    running = svc.server;
    svc.faults.add({ path: '/invoice', kind: 'reset', after: true });
    await expect(fetch(`${svc.server.url}/invoice`, { method: 'POST' })).rejects.toThrow();
    expect(svc.writes()).toBe(1);
    const next = await fetch(`${svc.server.url}/invoice`, { method: 'POST' });
    expect(next.status).toBe(200);
    expect(svc.writes()).toBe(2);
  });

  it('When a hang is set to strike after the work, then the write happens and the client times out', async () => {
    const svc = await service();
    running = svc.server;
    svc.faults.add({ path: '/invoice', kind: 'hang', after: true });
    await expect(fetch(`${svc.server.url}/invoice`, { method: 'POST', signal: AbortSignal.timeout(200) })).rejects.toThrow(/timeout|aborted/i);
    expect(svc.writes()).toBe(1);
    svc.faults.clear(); // lets go of the held response
  });

  it('When a reset strikes before the work (the default), then nothing is written', async () => {
    const svc = await service();
    running = svc.server;
    svc.faults.add({ path: '/invoice', kind: 'reset' });
    await expect(fetch(`${svc.server.url}/invoice`, { method: 'POST' })).rejects.toThrow();
    expect(svc.writes()).toBe(0);
  });

  it('When a rule has a field the injector does not know, then it is refused rather than silently ignored', () => {
    const faults = new FaultInjector(() => ({ status: 500, body: {} }));
    expect(() => faults.add({ path: '/invoice', kind: 'reset', time: 2 } as never)).toThrow(/time/);
    expect(faults.list()).toEqual([]);
  });
});
