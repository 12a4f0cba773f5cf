import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import { CONNECT_PATH, completeConnect, startConnect, type ConnectOutcome } from '../../connections/connect-quickbooks';
import { connectPage } from '../connect-pages';
import { sendPage } from '../pages';

/**
 * The browser's legs of "Connect QuickBooks": the one-time connect URL the settings page opens, and Intuit's
 * callback. Both answer with a redirect or a page a person reads; the flow is connections/quickbooks-connect.ts,
 * the pages http/connect-pages.ts.
 */
export function quickbooksOAuthRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get(CONNECT_PATH, async (req, res) => {
    send(res, await startConnect(ctx, queryValue(req, 'ticket')));
  });

  router.get('/oauth/quickbooks/callback', async (req, res) => {
    send(
      res,
      await completeConnect(ctx, {
        // What Intuit redirected to, as PUBLIC_BASE_URL names it (never the Host header).
        callbackUrl: `${ctx.config.publicBaseUrl}${req.originalUrl}`,
        code: queryValue(req, 'code'),
        state: queryValue(req, 'state'),
        realmId: queryValue(req, 'realmId'),
        error: queryValue(req, 'error'),
      }),
    );
  });

  return router;
}

/** One value of a query parameter; a parameter given twice counts as missing (which one would be meant?). */
function queryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function send(res: Response, outcome: ConnectOutcome): void {
  if (outcome.kind === 'redirect') {
    // The state travels in this URL: keep it out of caches and of the Referer Intuit's page would see.
    res.set({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).redirect(302, outcome.url);
    return;
  }
  const { status, page } = connectPage(outcome);
  sendPage(res, status, page);
}
