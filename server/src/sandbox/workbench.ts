import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { WorkbenchWorld } from '../../../workbench/src/world';
import type { Logger } from '../logger';
import { sourcesVersion, workbenchBundler, type BundleName } from './workbench-bundle';

/**
 * The sandbox workbench at /sandbox: the demo HubSpot account and the demo QBO company side by side, with the real
 * deal card and settings page running as HubSpot runs them (workbench/). Served only in sandbox mode.
 *
 * The page changes nothing itself: it drives the simulators through their control routes (a user moving a deal, a
 * bookkeeper recording a payment, an outage switched on) and everything else happens as in production, through
 * DealBooks' own webhooks and APIs. Only the control routes listed here are passed on, so the page cannot read the
 * simulators' secrets (the sandbox app's client secret, tokens).
 */

export type { WorkbenchWorld };

export interface WorkbenchDeps {
  logger: Logger;
  hubspotUrl: string;
  quickbooksUrl: string;
  world(): WorkbenchWorld;
}

/**
 * The simulators' control routes the page may use: method and path pattern under each simulator's /_sim. A pattern
 * with an `account` group is passed on for the demo HubSpot account only (see demoAccountOnly below).
 */
const PASSED_ON: Record<'hubspot' | 'quickbooks', Array<[string, RegExp]>> = {
  hubspot: [
    ['GET', /^\/hubspot\/accounts\/\d+\/objects\/[a-z_]+(\/\d+)?$/],
    ['PATCH', /^\/hubspot\/accounts\/\d+\/objects\/deals\/\d+$/],
    // A user deletes, restores or merges deals in HubSpot (the webhooks that follow reach DealBooks as in
    // production). Deals only: a company or contact merge moves QBO customer links, which the page does not offer.
    ['POST', /^\/hubspot\/accounts\/(?<account>\d+)\/objects\/deals\/\d+\/(delete|restore)$/],
    ['POST', /^\/hubspot\/accounts\/(?<account>\d+)\/objects\/deals\/merge$/],
    ['POST', /^\/card-requests$/],
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
  ],
};

const PAGE_TITLE = 'DealBooks workbench';

export function workbenchRoutes(deps: WorkbenchDeps): Router {
  const router = Router();
  const bundles = workbenchBundler(deps.world().baseUrl);

  // The page itself only names its bundles' version: a failed build is reported by the bundle (below), in words the
  // page shows, instead of as a bare 500 here.
  router.get('/sandbox', (_req, res) => {
    res.type('html').set('cache-control', 'no-store').send(pageHtml(sourcesVersion()));
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
    const world = deps.world();
    // Routes that change what exists (delete, restore, merge) name their account in an `account` group: only the demo
    // account's, the one the page shows, is passed on, as card requests are signed for the demo account only.
    const demoAccountOnly = (found: RegExpExecArray | null) =>
      found !== null && (found.groups?.account === undefined || found.groups.account === String(world.hubspot.portalId));
    if (!PASSED_ON[simulator].some(([method, pattern]) => method === req.method && demoAccountOnly(pattern.exec(route)))) {
      res.status(404).json({ error: { code: 'not_a_workbench_route', message: `The workbench does not pass ${req.method} ${route} on to the ${simulator} simulator.` } });
      return;
    }
    let body: unknown = req.body ?? {};
    if (simulator === 'hubspot' && route === '/card-requests') {
      const signed = cardRequest(body, world);
      if (!signed.ok) {
        res.status(400).json({ error: { code: 'not_a_card_request', message: signed.message } });
        return;
      }
      body = signed.request;
    }
    const base = simulator === 'hubspot' ? deps.hubspotUrl : deps.quickbooksUrl;
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    try {
      const answer = await fetch(`${base}/_sim${route}${query}`, {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        body: req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE' ? undefined : JSON.stringify(body),
      });
      const text = await answer.text();
      res.status(answer.status).type(answer.headers.get('content-type') ?? 'application/json').send(text);
    } catch (err) {
      res.status(502).json({ error: { code: 'simulator_unreachable', message: `The ${simulator} simulator did not answer: ${err instanceof Error ? err.message : String(err)}` } });
    }
  });

  return router;
}

const cardRequestSchema = z
  .object({
    portalId: z.number().int(),
    url: z.string(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    body: z.unknown().optional(),
    userId: z.number().int().optional(),
  })
  .strict();

/**
 * A card's request to be signed by the HubSpot simulator, as HubSpot signs them: only to DealBooks' own address (the
 * app's permitted fetch URL) and only for the demo account. The simulator itself would fetch any URL it is given and
 * hand back the answer, which would make this route a way to read the simulators' own control routes (the sandbox
 * app's client secret among them) from wherever DealBooks is reachable.
 */
function cardRequest(input: unknown, world: WorkbenchWorld): { ok: true; request: z.infer<typeof cardRequestSchema> } | { ok: false; message: string } {
  const parsed = cardRequestSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: `A card request takes {portalId, url, method?, body?, userId?}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}.` };
  let target: URL;
  try {
    target = new URL(parsed.data.url);
  } catch {
    return { ok: false, message: `"${parsed.data.url}" is not an absolute URL.` };
  }
  const base = new URL(world.baseUrl);
  if (target.origin !== base.origin || !`${target.pathname}/`.startsWith(`${base.pathname.replace(/\/$/, '')}/`)) {
    return { ok: false, message: `A card may fetch only DealBooks at ${world.baseUrl}, not ${target.origin}${target.pathname}.` };
  }
  if (parsed.data.portalId !== world.hubspot.portalId) return { ok: false, message: `The workbench shows account ${world.hubspot.portalId} only.` };
  return { ok: true, request: parsed.data };
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
<script>
window.__WORKBENCH__ = ${JSON.stringify({ version })};
// A page that fails to load (its bundle could not be built, a script error) says so where the page would be.
window.addEventListener('error', function (event) {
  var root = document.getElementById('root');
  if (root && !root.dataset.started) {
    var p = document.createElement('pre');
    p.style.cssText = 'font-family: monospace; padding: 24px; color: #b3001e; white-space: pre-wrap';
    p.textContent = 'The workbench failed to start: ' + (event.message || 'a script error');
    root.replaceChildren(p);
  }
});
</script>
<script src="/sandbox/assets/page.js?v=${version}"></script>
</body>
</html>
`;
}
