import type { ConnectOutcome, LinkRefusal } from '../connections/connect-quickbooks';
import type { ConnectionView } from '../connections/quickbooks-connections';
import type { Page } from './pages';

/**
 * The pages a person reads at the end of "Connect QuickBooks": what happened, in words, and what to do next. One
 * page per outcome of connections/quickbooks-connect.ts.
 */
const SETTINGS_HINT = 'Open DealBooks in HubSpot (Settings > Connected apps > DealBooks) and choose "Connect QuickBooks" again.';
const NOT_CONNECTED = 'QuickBooks was not connected';
const DID_NOT_CONNECT = 'QuickBooks did not connect';

type PageOutcome = Exclude<ConnectOutcome, { kind: 'redirect' }>;

export function connectPage(outcome: PageOutcome): { status: number; page: Page } {
  const retry = 'retryUrl' in outcome ? [{ label: 'Try again', href: outcome.retryUrl }] : [];
  const failed = (status: number, paragraphs: string[]) => ({ status, page: { title: DID_NOT_CONNECT, tone: 'error' as const, paragraphs, actions: retry } });
  switch (outcome.kind) {
    case 'bad_link':
      return { status: 400, page: refusedLink(outcome.link, outcome.reason) };
    case 'not_installed':
      return {
        status: 403,
        page: {
          title: NOT_CONNECTED,
          tone: 'error',
          paragraphs: [
            `DealBooks is not installed in HubSpot account ${outcome.portalId}, so QuickBooks cannot be connected to it.`,
            'Install DealBooks from the HubSpot marketplace, then connect QuickBooks from its settings.',
          ],
        },
      };
    case 'cancelled':
      return {
        status: 200,
        page: {
          title: NOT_CONNECTED,
          tone: 'info',
          paragraphs: ['You cancelled the connection on the QuickBooks page, so nothing was changed.', 'To connect QuickBooks, try again.'],
          actions: retry,
        },
      };
    case 'intuit_error':
      return failed(400, [`Intuit ended the connection with the error "${outcome.error}". Nothing was changed.`, 'Try again; if it happens again, contact DealBooks support.']);
    case 'missing_code':
      return failed(400, ['Intuit sent DealBooks back without an authorization code or a company id, so nothing was changed.', 'Try again.']);
    case 'code_rejected':
      return failed(400, [
        'Intuit refused the authorization code: it was invalid, had expired, or was already used (for example when the page was reloaded). Nothing was changed.',
        'Start the connection again.',
      ]);
    case 'exchange_failed':
      return failed(502, ['DealBooks could not finish the connection with Intuit (Intuit did not answer as expected). Nothing was changed.', 'Try again in a few minutes.']);
    case 'company_unreadable':
      return failed(502, [
        `DealBooks could not read the company's settings from QuickBooks (${outcome.reason}), so it did not keep the connection and withdrew the access you just gave.`,
        'Try again in a few minutes.',
      ]);
    case 'other_company': {
      const connected = outcome.connected.companyName ?? `company ${outcome.connected.realmId}`;
      const chosen = outcome.chosen.companyName ?? `company ${outcome.chosen.realmId}`;
      return {
        status: 409,
        page: {
          title: NOT_CONNECTED,
          tone: 'error',
          paragraphs: [
            `This HubSpot account is connected to ${connected} (realm ${outcome.connected.realmId}), but you chose ${chosen} (realm ${outcome.chosen.realmId}).`,
            `Choose ${connected} on the QuickBooks page, or disconnect it first in the DealBooks settings in HubSpot. Nothing was changed, and the access you just gave to ${chosen} was withdrawn.`,
          ],
          actions: retry,
        },
      };
    }
    case 'connected':
      return { status: 200, page: connectedPage(outcome) };
  }
}

function connectedPage(outcome: Extract<ConnectOutcome, { kind: 'connected' }>): Page {
  const stored = outcome.connection;
  const name = stored.companyName ?? `company ${stored.realmId}`;
  const paragraphs = [
    `HubSpot account ${outcome.portalId} is ${outcome.reconnected ? 'reconnected' : 'connected'} to the QuickBooks company ${name}. You can close this window and go back to HubSpot.`,
  ];
  if (outcome.woken > 0) paragraphs.push(`${outcome.woken} piece(s) of work that waited for QuickBooks will now run.`);
  if (stored.homeCurrency === null) paragraphs.push('QuickBooks did not say which home currency the company uses; DealBooks will check again before it writes there.');
  return { title: 'QuickBooks is connected', tone: 'success', paragraphs, facts: companyFactList(stored) };
}

/** A ticket or state that cannot be used. It names no account DealBooks can trust, so the retry starts in HubSpot. */
function refusedLink(what: 'ticket' | 'state', reason: LinkRefusal): Page {
  const link = what === 'ticket' ? 'This connect link' : 'This answer from QuickBooks';
  const why: Record<LinkRefusal, string> = {
    malformed: `${link} is incomplete or was not made by DealBooks.`,
    unknown: `${link} is not one DealBooks knows (it may have been cleaned up).`,
    used: `${link} was already used. Each link works once (a reloaded or reopened page lands here). If QuickBooks shows as connected in the DealBooks settings, there is nothing more to do.`,
    expired: `${link} expired: it works for 10 minutes.`,
    wrong_flow: `${link} belongs to another DealBooks step, not to connecting QuickBooks.`,
  };
  return { title: NOT_CONNECTED, tone: 'error', paragraphs: [why[reason], `Nothing was changed. ${SETTINGS_HINT}`] };
}

const onOff = (value: boolean | null) => (value === null ? 'Unknown' : value ? 'On' : 'Off');

function companyFactList(c: ConnectionView): Array<[string, string]> {
  return [
    ['Company', c.companyName ?? 'Unknown'],
    ['Home currency', c.homeCurrency ?? 'Unknown'],
    ['Multicurrency', onOff(c.multicurrencyEnabled)],
    ['Books closed through', c.bookCloseDate ?? 'No closing date set'],
    ['Custom transaction numbers', onOff(c.customTxnNumbers)],
    ['Realm ID', c.realmId],
  ];
}
