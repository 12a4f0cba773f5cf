import { Router, type Response } from 'express';
import type { AppContext } from '../../context';
import { completeInstall, startInstall, type InstallOutcome } from '../../connections/install-hubspot';
import { sendPage, type Page } from '../pages';

/**
 * GET /oauth/hubspot/install (the marketplace's install button) and GET /oauth/hubspot/callback (where HubSpot's
 * consent screen returns). The work is in connections/hubspot-install.ts; these turn its outcome into a page that says
 * what happened and what to do next.
 */
export const INSTALL_PATH = '/oauth/hubspot/install';
export const CALLBACK_PATH = '/oauth/hubspot/callback';

const START_AGAIN = { label: 'Start the install again', href: INSTALL_PATH };
const NEXT_STEP = 'Next step: connect QuickBooks from the DealBooks settings page in HubSpot (Settings > Connected apps > DealBooks).';
const NOTHING_SAVED = 'Nothing was saved.';

export function hubspotOAuthRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get(INSTALL_PATH, async (_req, res) => {
    try {
      const url = await startInstall(ctx);
      res.set({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).redirect(302, url);
    } catch (err) {
      sendUnexpected(ctx, res, err);
    }
  });

  router.get(CALLBACK_PATH, async (req, res) => {
    try {
      const outcome = await completeInstall(ctx, {
        code: single(req.query.code),
        state: single(req.query.state),
        error: single(req.query.error),
        errorDescription: single(req.query.error_description),
      });
      const { status, page } = installPage(outcome);
      sendPage(res, status, page);
    } catch (err) {
      sendUnexpected(ctx, res, err);
    }
  });

  return router;
}

/** A repeated parameter is not something HubSpot sends: it reads as absent, which fails the state check. */
function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function installPage(outcome: InstallOutcome): { status: number; page: Page } {
  switch (outcome.kind) {
    case 'installed': {
      const paragraphs = [`DealBooks is installed in HubSpot account ${outcome.portalId}.`];
      if (!outcome.firstInstall) paragraphs.push('It was installed there before; its authorization has been renewed.');
      if (!outcome.properties.ok) {
        paragraphs.push(
          `DealBooks could not create its deal properties in HubSpot yet (${outcome.properties.reason}). They will be created on the next attempt; you do not need to do anything about it.`,
        );
      }
      paragraphs.push(NEXT_STEP);
      return { status: 200, page: { title: 'DealBooks is installed', tone: 'success', paragraphs, facts: [['HubSpot account', String(outcome.portalId)]] } };
    }
    case 'bad_state':
      return { status: 400, page: refused('This install link cannot be used', [stateProblem(outcome.reason), NOTHING_SAVED]) };
    case 'denied':
      return {
        status: 200,
        page: { title: 'Install cancelled', tone: 'info', paragraphs: ["You cancelled on HubSpot's consent screen, so DealBooks was not installed.", NOTHING_SAVED], actions: [START_AGAIN] },
      };
    case 'hubspot_error':
      return { status: 400, page: refused('HubSpot did not complete the install', [`HubSpot ended the install with the error "${outcome.error}".`, NOTHING_SAVED]) };
    case 'missing_code':
      return { status: 400, page: refused('This install link cannot be used', ['The link from HubSpot carried no authorization code.', NOTHING_SAVED]) };
    case 'code_rejected':
      return {
        status: 400,
        page: refused('HubSpot refused the authorization', [
          'HubSpot did not accept the authorization code: it was already used, has expired, or was not issued to DealBooks. This happens when the page is reloaded or opened twice.',
          NOTHING_SAVED,
        ]),
      };
    case 'hubspot_unavailable':
      return {
        status: 502,
        page: {
          ...refused('HubSpot could not be reached', ['DealBooks could not complete the install with HubSpot just now.', NOTHING_SAVED, 'Please try again in a few minutes.']),
          facts: [['Reason', outcome.reason]],
        },
      };
    case 'wrong_app':
      return {
        status: 400,
        page: refused('This authorization is for another app', [
          `HubSpot issued this authorization to app ${outcome.appId ?? '(unknown)'}, not to DealBooks as it is configured. This is a configuration problem on DealBooks' side: please contact DealBooks support.`,
          NOTHING_SAVED,
        ]),
      };
    case 'missing_scopes':
      return {
        status: 403,
        page: {
          ...refused('DealBooks needs more permissions', [
            'DealBooks needs every permission it asks for in HubSpot, and some were not granted. Start the install again and accept all the permissions.',
            NOTHING_SAVED,
          ]),
          facts: [['Permissions not granted', outcome.missing.join(', ')]],
        },
      };
  }
}

function stateProblem(reason: Extract<InstallOutcome, { kind: 'bad_state' }>['reason']): string {
  switch (reason) {
    case 'malformed':
      return 'The link is incomplete or was not issued by DealBooks, so it cannot complete an install.';
    case 'unknown':
      return 'DealBooks does not recognise this install request.';
    case 'used':
      return 'This install link was already used. If you reloaded the page or went back, the install may already be complete; otherwise start it again.';
    case 'expired':
      return 'This install request has expired: HubSpot\'s consent screen must be completed within 10 minutes of starting the install.';
    case 'wrong_flow':
      return 'This link belongs to another DealBooks flow, not to installing DealBooks in HubSpot.';
  }
}

function refused(title: string, paragraphs: string[]): Page {
  return { title, tone: 'error', paragraphs, actions: [START_AGAIN] };
}

function sendUnexpected(ctx: AppContext, res: Response, err: unknown): void {
  ctx.logger.error({ err }, 'HubSpot install failed unexpectedly');
  sendPage(res, 500, refused('Something went wrong', ["Something went wrong on DealBooks' side and the install was not completed. It has been logged.", 'Please try again in a few minutes.']));
}
