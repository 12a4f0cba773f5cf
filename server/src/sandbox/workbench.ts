import { Router, type Request, type Response } from 'express';
import type { Logger } from '../logger';
import { workbenchBundler, type BundleName } from './workbench-bundle';

/**
 * The sandbox workbench at /sandbox: the demo HubSpot account and the demo QBO company side by side, with the real
 * deal card and settings page running as HubSpot runs them (workbench/). Served only in sandbox mode.
 *
 * The page changes nothing itself: it drives the simulators through their control routes (a user moving a deal, a
 * bookkeeper recording a payment, an outage switched on) and everything else happens as in production, through
 * DealBooks' own webhooks and APIs. Only the control routes listed here are passed on, so the page cannot read the
 * simulators' secrets (the sandbox app's client secret, tokens).
 */

export interface WorkbenchWorld {
  baseUrl: string;
  hubspot: { portalId: number; appId: number; users: Array<{ userId: number; userEmail: string; firstName: string; lastName: string; installer: boolean }> };
  quickbooks: { realmId: string };
  /** The demo account's deal pipelines, each with its stages in order. */
  pipelines: Array<{ id: string; label: string; stages: Array<{ id: string; label: string; isClosed: boolean }> }>;
}

export interface WorkbenchDeps {
  logger: Logger;
  hubspotUrl: string;
  quickbooksUrl: string;
  world(): WorkbenchWorld;
}

/** The simulators' control routes the page may use: method and path pattern under each simulator's /_sim. */
const PASSED_ON: Record<'hubspot' | 'quickbooks', Array<[string, RegExp]>> = {
  hubspot: [
    ['GET', /^\/hubspot\/accounts\/\d+\/objects\/[a-z_]+(\/\d+)?$/],
    ['PATCH', /^\/hubspot\/accounts\/\d+\/objects\/deals\/\d+$/],
    ['POST', /^\/card-requests$/],
    ['POST', /^\/webhooks\/flush$/],
  ],
  quickbooks: [
    ['GET', /^\/quickbooks\/companies\/\d+\/[A-Za-z]+(\/\d+)?$/],
    ['PATCH', /^\/quickbooks\/companies\/\d+\/preferences$/],
    ['POST', /^\/quickbooks\/bookkeeper\/\d+\/(payments|payments\/void|payments\/delete|invoices\/void|invoices\/delete|estimates\/accept|estimates\/reject)$/],
    ['GET', /^\/faults$/],
    ['POST', /^\/faults$/],
    ['DELETE', /^\/faults$/],
    ['GET', /^\/limits$/],
    ['POST', /^\/limits$/],
    ['POST', /^\/webhooks\/flush$/],
  ],
};

const PAGE_TITLE = 'DealBooks workbench';

export function workbenchRoutes(deps: WorkbenchDeps): Router {
  const router = Router();
  const bundles = workbenchBundler(deps.world().baseUrl);

  router.get('/sandbox', async (_req, res, next) => {
    try {
      const { version } = await bundles();
      res.type('html').set('cache-control', 'no-store').send(pageHtml(version));
    } catch (err) {
      next(err);
    }
  });

  router.get('/sandbox/assets/:name.js', async (req, res, next) => {
    const name = req.params.name as BundleName;
    if (!['page', 'card', 'settings'].includes(name)) return next();
    try {
      const built = await bundles();
      res.type('application/javascript').set('cache-control', 'no-store').send(built.files[name]);
    } catch (err) {
      deps.logger.error({ err }, 'Sandbox workbench: the browser code could not be bundled');
      res
        .status(500)
        .type('application/javascript')
        .send(`throw new Error(${JSON.stringify(`The workbench could not bundle its code: ${err instanceof Error ? err.message : String(err)}`)});`);
    }
  });

  router.get('/sandbox/api/world', (_req, res) => {
    res.set('cache-control', 'no-store').json(deps.world());
  });

  router.all(/^\/sandbox\/sim\/(hubspot|quickbooks)(\/.*)$/, async (req: Request, res: Response) => {
    const match = /^\/sandbox\/sim\/(hubspot|quickbooks)(\/.*)$/.exec(req.path)!;
    const simulator = match[1] as 'hubspot' | 'quickbooks';
    const route = match[2]!;
    if (!PASSED_ON[simulator].some(([method, pattern]) => method === req.method && pattern.test(route))) {
      res.status(404).json({ error: { code: 'not_a_workbench_route', message: `The workbench does not pass ${req.method} ${route} on to the ${simulator} simulator.` } });
      return;
    }
    const base = simulator === 'hubspot' ? deps.hubspotUrl : deps.quickbooksUrl;
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    try {
      const answer = await fetch(`${base}/_sim${route}${query}`, {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        body: req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE' ? undefined : JSON.stringify(req.body ?? {}),
      });
      const text = await answer.text();
      res.status(answer.status).type(answer.headers.get('content-type') ?? 'application/json').send(text);
    } catch (err) {
      res.status(502).json({ error: { code: 'simulator_unreachable', message: `The ${simulator} simulator did not answer: ${err instanceof Error ? err.message : String(err)}` } });
    }
  });

  return router;
}

function pageHtml(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${PAGE_TITLE}</title>
<link rel="icon" href="data:,">
</head>
<body>
<div id="root"><p style="font-family: sans-serif; padding: 24px">Loading the workbench…</p></div>
<script>window.__WORKBENCH__ = ${JSON.stringify({ version })};</script>
<script src="/sandbox/assets/page.js?v=${version}"></script>
</body>
</html>
`;
}
