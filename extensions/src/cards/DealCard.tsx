import React, { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Divider, EmptyState, ErrorState, Flex, Heading, LoadingSpinner, Text, hubspot } from '@hubspot/ui-extensions';
import type { ExtensionPointApiActions, ExtensionPointApiContext } from '@hubspot/ui-extensions';
import { callDealBooks, DealBooksError, UNREACHABLE } from '../shared/api';
import type { ActionAnswer, DealSummary } from '../shared/types';
import { ConnectionSection } from './ConnectionSection';
import { CustomerSection, type CustomerChoice } from './CustomerSection';
import { EstimateTile, InvoiceTile } from './Documents';
import { formatTime } from '../shared/time';
import { PendingWorkSection } from './PendingWork';
import { PreviewPanel, previewPanelId, type DocumentKind } from './PreviewPanel';
import { ProblemList } from './Problems';
import { sendModalId } from './SendInvoice';

/** How often the card asks again while work is under way (the work itself runs in DealBooks' job queue). */
export const POLL_MS = 2_000;
/**
 * How often an open card asks again when nothing is under way, so what happens in QuickBooks meanwhile (a payment,
 * a void) shows without a reload. One small read per open card every 30 s is far inside hubspot.fetch's limits.
 */
export const REFRESH_MS = 30_000;
/**
 * The deal's fields whose edit on the record can start or change DealBooks' work (winning the deal makes the invoice;
 * amount and close date change what it would contain). When the person edits one, HubSpot tells the card
 * (actions.onCrmPropertiesUpdate) and the card follows closely for FOLLOW_MS: the edit reaches DealBooks by webhook a
 * moment later, so the first read may not show the work yet.
 */
export const WATCHED_PROPERTIES = ['dealstage', 'amount', 'closedate'];
export const FOLLOW_MS = 10_000;

export type CardContext = ExtensionPointApiContext<'crm.record.sidebar'>;
export type CardActions = Pick<ExtensionPointApiActions<'crm.record.sidebar'>, 'refreshObjectProperties' | 'closeOverlay' | 'onCrmPropertiesUpdate'>;

export interface DealCardProps {
  context: CardContext;
  actions: CardActions;
  /** Tests shorten these; HubSpot gets the defaults. */
  pollMs?: number;
  refreshMs?: number;
  followMs?: number;
}

/** What the deal's own properties show of the documents (DealBooks writes them): when it changes, HubSpot re-reads them. */
function documentsSignature(summary: DealSummary): string {
  return JSON.stringify([...summary.invoices, ...summary.estimates].map((d) => [d.id, d.status, d.balanceCents, d.amountPaidCents, d.totalCents]));
}

/**
 * The deal's QuickBooks side, in HubSpot's deal sidebar: the connection, the customer, the invoices and estimates
 * with their money, the work under way and every problem, with only the buttons DealBooks' `allowedActions` offers
 * (the card never decides permissions itself). Everything comes from DealBooks through `callDealBooks`.
 */
export function DealCard({ context, actions, pollMs = POLL_MS, refreshMs = REFRESH_MS, followMs = FOLLOW_MS }: DealCardProps) {
  const dealId = String(context.crm.objectId);
  const [summary, setSummary] = useState<DealSummary | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reads, setReads] = useState(0);
  const [busy, setBusy] = useState(false);
  /** The server's words when it refused what the person asked for (403, 409, 422...). */
  const [refusal, setRefusal] = useState<string | null>(null);
  /** What DealBooks answered instead of doing the work: the document already exists (a 200 `exists`). */
  const [notice, setNotice] = useState<string | null>(null);
  const mounted = useRef(true);
  const previous = useRef<DealSummary | null>(null);

  // Reads can overlap (the timer's and the one after a press); only the latest one started may show, so a slow,
  // older answer never puts back what a newer one already replaced.
  const latestRead = useRef(0);
  const load = useCallback(async () => {
    const read = ++latestRead.current;
    try {
      const { body } = await callDealBooks<DealSummary>(`/api/deals/${dealId}/summary`);
      if (!mounted.current || read !== latestRead.current) return;
      setSummary(body);
      setLoadError(null);
    } catch (err) {
      if (!mounted.current || read !== latestRead.current) return;
      setLoadError(err instanceof DealBooksError ? err.message : UNREACHABLE);
    } finally {
      if (mounted.current) setReads((n) => n + 1);
    }
  }, [dealId]);

  useEffect(() => {
    mounted.current = true;
    void load();
    return () => {
      mounted.current = false;
    };
  }, [load]);

  // A watched field edited on the record: read now, then follow closely until followMs have passed.
  const [edits, setEdits] = useState(0);
  const [following, setFollowing] = useState(false);
  useEffect(() => {
    actions.onCrmPropertiesUpdate(WATCHED_PROPERTIES, () => {
      if (!mounted.current) return;
      setEdits((n) => n + 1);
      setFollowing(true);
      void load();
    });
  }, [actions, load]);
  useEffect(() => {
    if (edits === 0) return;
    // Each edit starts the window again.
    const timer = setTimeout(() => setFollowing(false), followMs);
    return () => clearTimeout(timer);
  }, [edits, followMs]);

  // While work is under way (or an edit is being followed), ask again every pollMs, else every refreshMs; an
  // unmounted card asks no more. Work that only waits (for a reconnect, an outage to pass: possibly days) is not
  // under way, so it is asked about at refreshMs.
  const working = following || (summary?.pending.some((p) => p.waitingFor === null) ?? false);
  const hasSummary = summary !== null;
  useEffect(() => {
    if (!hasSummary) return;
    const timer = setTimeout(() => void load(), working ? pollMs : refreshMs);
    return () => clearTimeout(timer);
  }, [hasSummary, working, reads, load, pollMs, refreshMs]);

  // When work finishes, or with nothing under way a document's money changes (a payment recorded in QuickBooks),
  // DealBooks has written the deal's properties: HubSpot re-reads them once (not at every step of work in progress).
  useEffect(() => {
    const before = previous.current;
    previous.current = summary;
    if (!before || !summary) return;
    const finished = before.pending.length > 0 && summary.pending.length === 0;
    const moneyMoved = summary.pending.length === 0 && documentsSignature(before) !== documentsSignature(summary);
    if (finished || moneyMoved) actions.refreshObjectProperties();
  }, [summary, actions]);

  /** Runs a press: the server's refusal is shown in its own words; the summary is read again either way. */
  const press = async (call: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setRefusal(null);
    setNotice(null);
    let ok = false;
    try {
      await call();
      ok = true;
    } catch (err) {
      if (mounted.current) setRefusal(err instanceof DealBooksError ? err.message : UNREACHABLE);
    } finally {
      if (mounted.current) setBusy(false);
    }
    await load();
    return ok;
  };

  /** Posts a press; an `exists` answer (200: nothing was queued, the document is already there) is said in words. */
  const ask = async (path: string, exists: (doc: { id: string; docNumber?: string | null }) => string) => {
    const { body } = await callDealBooks<ActionAnswer>(path, { method: 'POST', body: {} });
    if (body.status === 'exists' && mounted.current) setNotice(exists(body.document));
  };
  const create = async (kind: DocumentKind) => {
    await press(() => ask(`/api/deals/${dealId}/${kind}s`, (d) => `${kind === 'invoice' ? 'Invoice' : 'Estimate'} ${d.docNumber ?? d.id} already exists in QuickBooks; nothing new was created.`));
    actions.closeOverlay(previewPanelId(kind));
  };
  // Converting answers `exists` with the deal's invoice: a deal gets one invoice, so the estimate was not converted again.
  const convert = (estimateId: string) =>
    void press(() => ask(`/api/estimates/${estimateId}/convert`, (d) => `This deal already has invoice ${d.docNumber ?? d.id} in QuickBooks; the estimate was not converted again.`));
  const send = async (invoiceId: string, sendTo: string) => {
    const ok = await press(() => callDealBooks<ActionAnswer>(`/api/invoices/${invoiceId}/send`, { method: 'POST', body: { sendTo } }));
    actions.closeOverlay(sendModalId(invoiceId));
    return ok;
  };
  const choose = (choice: CustomerChoice) => void press(() => callDealBooks(`/api/deals/${dealId}/customer`, { method: 'POST', body: choice }));

  if (!summary) {
    if (loadError) {
      return (
        <ErrorState title="DealBooks can't be reached">
          <Text>{loadError}</Text>
          <Button onClick={() => void load()}>Retry</Button>
        </ErrorState>
      );
    }
    return <LoadingSpinner label="Loading QuickBooks details…" showLabel layout="centered" />;
  }

  const allowed = summary.allowedActions;
  const timeZone = context.portal.timezone;
  const locale = context.user.locale;
  // An outage that pending work waits out is shown with that work (with its next try), not twice.
  const waitingWords = new Set(summary.pending.map((p) => p.waitingFor).filter((w): w is string => w !== null));
  // A connection that is not usable is said once, by the connection section with its way out.
  const connectionSaid = summary.connection.state !== 'connected';
  const problems = summary.problems.filter(
    (p) => !waitingWords.has(p.message) && !(connectionSaid && (p.code === 'quickbooks_not_connected' || p.code === 'quickbooks_needs_reconnect')),
  );
  const nothingYet = summary.invoices.length === 0 && summary.estimates.length === 0;

  return (
    <Flex direction="column" gap="sm">
      {loadError ? (
        <Alert title="DealBooks can't be reached" variant="warning">
          <Flex direction="column" gap="xs">
            <Text>{`${loadError} What is shown may be out of date.`}</Text>
            <Button size="sm" onClick={() => void load()}>
              Retry
            </Button>
          </Flex>
        </Alert>
      ) : null}
      {refusal ? (
        <Alert title="DealBooks did not do that" variant="danger">
          {refusal}
        </Alert>
      ) : null}
      {notice ? (
        <Alert title="Already in QuickBooks" variant="info">
          {notice}
        </Alert>
      ) : null}
      {summary.merge?.message ? (
        <Alert title="Deals merged: more than one invoice" variant="warning">
          {summary.merge.message}
        </Alert>
      ) : null}
      <ConnectionSection connection={summary.connection} allowed={allowed} />
      <PendingWorkSection pending={summary.pending} timeZone={timeZone} locale={locale} />
      <ProblemList problems={problems} allowed={allowed} />
      <CustomerSection customer={summary.customer} allowed={allowed} busy={busy} onChoose={choose} />
      {summary.invoices.length > 0 ? <Heading>Invoices</Heading> : null}
      {summary.invoices.map((invoice) => (
        <InvoiceTile key={invoice.id} invoice={invoice} allowed={allowed} busy={busy} onSend={send} />
      ))}
      {summary.estimates.length > 0 ? <Heading>Estimates</Heading> : null}
      {summary.estimates.map((estimate) => (
        <EstimateTile key={estimate.id} estimate={estimate} allowed={allowed} busy={busy} onConvert={convert} />
      ))}
      {nothingYet && summary.connection.state === 'connected' && summary.pending.length === 0 ? (
        <EmptyState title="No invoice or estimate yet" layout="vertical">
          <Text>{allowed.includes('create_invoice') || allowed.includes('create_estimate') ? 'Create one from this deal below.' : 'Nothing has been created in QuickBooks for this deal.'}</Text>
        </EmptyState>
      ) : null}
      <Flex direction="row" gap="sm" wrap="wrap">
        {(['invoice', 'estimate'] as const)
          .filter((kind) => allowed.includes(kind === 'invoice' ? 'create_invoice' : 'create_estimate'))
          .map((kind) => (
            <Button
              key={kind}
              variant={kind === 'invoice' ? 'primary' : 'secondary'}
              disabled={busy}
              overlay={<PreviewPanel kind={kind} dealId={dealId} allowed={allowed} busy={busy} onConfirm={create} />}
            >
              {kind === 'invoice' ? 'Create invoice' : 'Create estimate'}
            </Button>
          ))}
      </Flex>
      {summary.lastHeardFromQuickBooks ? (
        <>
          <Divider />
          <Text variant="microcopy">{`Last heard from QuickBooks: ${formatTime(summary.lastHeardFromQuickBooks.at, timeZone, locale)}${summary.lastHeardFromQuickBooks.what ? ` (${summary.lastHeardFromQuickBooks.what})` : ''}`}</Text>
        </>
      ) : null}
    </Flex>
  );
}

hubspot.extend<'crm.record.sidebar'>(({ context, actions }) => <DealCard context={context} actions={actions} />);
