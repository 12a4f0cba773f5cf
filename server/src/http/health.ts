import { Router } from 'express';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; message?: string; details?: unknown }>;
}

export type ReadinessCheck = () => Promise<ReadinessReport>;

/**
 * /healthz: the process is alive and serving HTTP (restart it if not).
 * /readyz: it can do its work: database reachable, migrations applied, job queue running (route traffic to it).
 */
export function healthRoutes(readiness: ReadinessCheck): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await readiness();
    res
      .status(report.ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  });
  return router;
}
