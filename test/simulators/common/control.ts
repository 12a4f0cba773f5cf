import express, { type Request, type Response, type NextFunction } from 'express';
import { z, ZodError } from 'zod';
import type { SimClock } from './clock';
import type { FaultInjector } from './faults';
import type { RequestLog } from './request-log';
import type { WebhookDispatcher } from './webhooks';

/**
 * The control calls every simulator shares, mounted under `/_sim` (plain JSON, no auth; loopback only):
 *   GET    /clock                    {now, rate}
 *   POST   /clock/advance            {ms} or {seconds} or {minutes} or {hours} or {days} -> {now}; runs what fell due
 *   POST   /clock/rate               {rate}: how fast scheduled work (webhook retries) fires in real time
 *   GET    /requests?method&path&account   what the simulator was asked (credentials redacted)
 *   DELETE /requests
 *   POST   /faults                   {path, method?, times?, kind: status|hang|reset, status?, body?, hangMs?} -> 201
 *   GET    /faults, DELETE /faults
 *   GET    /webhooks                 {messages, attempts}
 *   POST   /webhooks/mode            {drop?, duplicate?, delay?, delayMs?, reorder?}: applies to the next N messages
 *   POST   /webhooks/flush           sends batched and held (reordered) messages now; waits for them
 *   POST   /reset                    back to the seeded start: accounts re-seeded, tokens, faults, requests and
 *                                     deliveries forgotten; the clock and the apps' webhook targets stay
 */
export interface CommonControlDeps {
  clock: SimClock;
  requests: RequestLog;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  /** Sends batched-but-unsent messages now (the simulator's batcher). */
  flushWebhooks(): Promise<void>;
  reset(): void;
}

const advanceSchema = z
  .object({
    ms: z.number().nonnegative().optional(),
    seconds: z.number().nonnegative().optional(),
    minutes: z.number().nonnegative().optional(),
    hours: z.number().nonnegative().optional(),
    days: z.number().nonnegative().optional(),
  })
  .strict();

export function commonControlRouter(deps: CommonControlDeps): express.Router {
  const router = express.Router();

  router.get('/clock', (_req, res) => {
    res.json({ now: deps.clock.now().toISOString(), rate: deps.clock.timeRate, frozen: deps.clock.frozen });
  });
  router.post('/clock/advance', async (req, res) => {
    const a = advanceSchema.parse(req.body ?? {});
    const ms = (a.ms ?? 0) + (a.seconds ?? 0) * 1e3 + (a.minutes ?? 0) * 6e4 + (a.hours ?? 0) * 3.6e6 + (a.days ?? 0) * 8.64e7;
    await deps.clock.advance(ms);
    await deps.webhooks.settle();
    res.json({ now: deps.clock.now().toISOString() });
  });
  router.post('/clock/rate', (req, res) => {
    const { rate } = z.object({ rate: z.number().nonnegative() }).parse(req.body);
    deps.clock.setRate(rate);
    res.json({ rate: deps.clock.timeRate, frozen: deps.clock.frozen });
  });

  router.get('/requests', (req, res) => {
    const q = z.object({ method: z.string().optional(), path: z.string().optional(), account: z.string().optional() }).parse(req.query);
    res.json({ requests: deps.requests.list(q) });
  });
  router.delete('/requests', (_req, res) => {
    deps.requests.clear();
    res.status(204).end();
  });

  router.post('/faults', (req, res) => {
    res.status(201).json(deps.faults.add(req.body));
  });
  router.get('/faults', (_req, res) => {
    res.json({ faults: deps.faults.list() });
  });
  router.delete('/faults', (_req, res) => {
    deps.faults.clear();
    res.status(204).end();
  });

  router.get('/webhooks', (_req, res) => {
    res.json({ messages: deps.webhooks.list(), attempts: deps.webhooks.attempts() });
  });
  router.post('/webhooks/mode', (req, res) => {
    deps.webhooks.setMode(req.body ?? {});
    res.json({ ok: true });
  });
  router.post('/webhooks/flush', async (_req, res) => {
    await deps.flushWebhooks();
    deps.webhooks.releaseHeld();
    await deps.webhooks.settle();
    res.json({ messages: deps.webhooks.list() });
  });

  router.post('/reset', (_req, res) => {
    deps.reset();
    res.status(204).end();
  });

  return router;
}

/** Control-API errors: a bad control call says what was wrong in plain JSON. Mount after the control routers. */
export function controlErrorHandler() {
  return (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error instanceof ZodError) {
      res.status(400).json({ error: 'invalid control call', issues: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
      return;
    }
    res.status(400).json({ error: error instanceof Error ? error.message : String(error) });
  };
}
