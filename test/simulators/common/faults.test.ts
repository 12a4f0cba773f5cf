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

  it("When a rule names text in the body, then only requests whose body holds it fail, matched on the whole path behind a router's prefix", async () => {
    // As the QuickBooks simulator mounts it: a check point before the body is read (every rule but body rules), and
    // one after the body parser under a prefix (body rules only), where req.path is relative to the prefix.
    const faults = new FaultInjector(() => ({ status: 500, body: { error: 'injected' } }));
    let writes = 0;
    const app = express();
    app.use(faults.middleware());
    const api = express.Router();
    api.use(express.json(), faults.middleware({ bodyRulesOnly: true }));
    api.post('/invoice', (_req, res) => {
      writes += 1;
      res.status(200).json({ ok: true });
    });
    app.use('/v3/company/:realmId', api);
    running = await listen(app);
    const post = (note: string) =>
      fetch(`${running!.url}/v3/company/9/invoice`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ PrivateNote: note }) });

    faults.add({ path: '/v3/company/9/invoice', method: 'POST', status: 500, times: 2, bodyContains: '(deal 7,' });
    faults.add({ path: '/invoice', method: 'POST', status: 503, times: 1 });
    expect((await post('Deal X (deal 8, pipeline default)')).status).toBe(503); // the plain rule, at the first check point
    expect((await post('Deal X (deal 8, pipeline default)')).status).toBe(200);
    expect((await post('Deal Y (deal 7, pipeline default)')).status).toBe(500);
    expect((await post('Deal Y (deal 7, pipeline default)')).status).toBe(500);
    expect((await post('Deal Y (deal 7, pipeline default)')).status).toBe(200);
    expect(writes).toBe(2);
    expect(faults.list()).toEqual([]);
  });

  it('When a rule names text in the body but no check point has read the body, then it never matches', async () => {
    const svc = await service();
    running = svc.server;
    svc.faults.add({ path: '/invoice', status: 500, bodyContains: 'anything' });
    expect((await fetch(`${svc.server.url}/invoice`, { method: 'POST', body: 'anything' })).status).toBe(200);
    expect(svc.faults.list()).toHaveLength(1);
  });

  it('When a rule has a field the injector does not know, then it is refused rather than silently ignored', () => {
    const faults = new FaultInjector(() => ({ status: 500, body: {} }));
    expect(() => faults.add({ path: '/invoice', kind: 'reset', time: 2 } as never)).toThrow(/time/);
    expect(faults.list()).toEqual([]);
  });
});
