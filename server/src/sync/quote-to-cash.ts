import type pg from 'pg';
import type { Clock } from '../clock';
import { ConnectionBlockedError, JobMustWaitError } from '../errors';
import { finishAction, getAction, markRunning, type DealAction } from '../db/deal-actions';
import { ensureLink, findLink, linksOfObjects, markLinked, markRejected, mergeDetails, noteAttempt, type EntityLink } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { documentOf, documentsOfDeal, saveDocument, type StoredDocument } from '../db/qbo-documents';
import { recordSync } from '../db/sync-log';
import type { HubSpotDeals } from '../hubspot/deals';
import type { HubSpotInstalls } from '../hubspot/installs';
import type { Logger } from '../logger';
import type { QuickbooksConnections, ConnectionView } from '../quickbooks/connections';
import { QuickbooksApiError } from '../quickbooks/api';
import type { QuickbooksSales } from '../quickbooks/sales';
import { buildDocument, invoiceFromEstimate, type BuildInput, type BuiltDocument } from './build-document';
import { companyDate, formatMoney } from './format';
import type { CatalogCache } from './catalog-cache';
import { billingName, commitCustomer, planCustomer, recordCandidates, type CustomerEnv, type CustomerPlan } from './customers';
import { mapItems, type ItemChoice, type UnmappedLine } from './items';
import type { DealSnapshot, Problem, QboCustomer, QboDocument, QboDocumentKind, QboItem, QboTerm } from './model';
import { preflight, type CustomerFact, type PreflightFacts } from './preflight';
import { mayCreate, type Settings } from './settings';
import { writeBack } from './write-back';

/**
 * The quote-to-cash use-case (issue 5): from a deal, as HubSpot has it now, to the right QBO invoice or estimate,
 * exactly once, and back onto the deal. Routes and jobs call it; it knows the adapters, not Express or the queue.
 *
 * Exactly once rests on three things, each tested: work on one deal runs serially (the job queue's key lease); the
 * deal's link row and its QBO request id exist before the QBO call and every retry reuses them (QBO replays a
 * repeated request id); and after an attempt whose outcome is unknown, DealBooks looks for the document (by the
 * marker in its private note) before it writes again.
 */
export interface QuoteToCashDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  installs: HubSpotInstalls;
  deals: HubSpotDeals;
  connections: QuickbooksConnections;
  sales: QuickbooksSales;
  cache: CatalogCache;
  /** Queues a write-back that failed so it is retried on its own (HubSpot down must not undo a QBO success). */
  queueWriteBack: (portalId: number, dealId: string) => Promise<void>;
}

export interface Facts {
  portalId: number;
  connection: ConnectionView | undefined;
  settings: Settings;
  deal: DealSnapshot | null;
  today: string;
}

export interface Plan {
  kind: QboDocumentKind;
  problems: Problem[];
  customer: CustomerPlan | null;
  items: Map<string, ItemChoice>;
  unmapped: UnmappedLine[];
  built: BuiltDocument | null;
  /** What `built` was made from, so the document can be rebuilt for the customer and marker finally used. */
  buildInput: BuildInput | null;
  terms: QboTerm | null;
}

export interface ActionOutcome {
  status: 'succeeded' | 'failed' | 'blocked';
  problems: Problem[];
  result?: Record<string, unknown>;
}

const kindLabel = (kind: QboDocumentKind) => (kind === 'invoice' ? 'Invoice' : 'Estimate');
const qboType = (kind: QboDocumentKind) => (kind === 'invoice' ? ('Invoice' as const) : ('Estimate' as const));

/** The marker DealBooks writes into a document's private note, to find it again after an answer was lost. */
export const markerFor = (link: EntityLink) => `DealBooks ref ${link.requestId}`;

export class QuoteToCash {
  private readonly logger: Logger;

  constructor(private readonly deps: QuoteToCashDeps) {
    this.logger = deps.logger.child({ component: 'quote-to-cash' });
  }

  /** Today's date for the QBO company (its UTC offset), else for UTC. Invoice dates and closed periods are local. */
  private today(utcOffsetMinutes: number | null = null): string {
    return companyDate(this.deps.clock.now(), utcOffsetMinutes);
  }

  private customerEnv(portalId: number, connectionId: number): CustomerEnv {
    const { pool, clock, sales, cache } = this.deps;
    return { pool, clock, sales, cache, portalId, connectionId };
  }

  /** The account's state and the deal as HubSpot has it now. Throws ConnectionBlockedError when HubSpot is gone. */
  async facts(portalId: number, dealId: string): Promise<Facts> {
    const [connection, stored] = await Promise.all([this.deps.connections.live(portalId), readSettings(this.deps.pool, portalId)]);
    const deal = await this.deps.deals.readDeal(portalId, dealId);
    return { portalId, connection, settings: stored.settings, deal, today: this.today(connection?.utcOffsetMinutes ?? null) };
  }

  /**
   * Work that needs QuickBooks waits for it (issue 4): the job is parked, not failed, and runs once someone connects
   * or reconnects. The card refuses new work up front in that state, so only queued and automatic work gets here.
   */
  private waitForConnection(portalId: number, connection: ConnectionView | undefined): void {
    if (!connection) throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
    if (connection.status === 'needs_reconnect') throw new ConnectionBlockedError('quickbooks', 'needs_reconnect', portalId);
    if (connection.status !== 'connected') throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
  }

  /** Problems that come before any QBO read: the account, the connection, the deal and its lines, the user. */
  private connectionProblems(facts: Facts, kind: QboDocumentKind = 'invoice', options: { userId?: number; sending?: boolean; auto?: boolean } = { auto: true }): Problem[] {
    return preflight(this.preflightBase(facts, kind, options));
  }

  private preflightBase(facts: Facts, kind: QboDocumentKind, options: { userId?: number; sending?: boolean; auto?: boolean }): PreflightFacts {
    const c = facts.connection;
    return {
      kind,
      dealId: facts.deal?.id ?? '',
      hubspotInstalled: true,
      quickbooks: !c ? 'not_connected' : c.status === 'connected' ? 'connected' : c.status === 'needs_reconnect' ? 'needs_reconnect' : 'not_connected',
      deal: facts.deal,
      today: facts.today,
      settings: {
        txnDate: facts.settings.txnDate,
        sendByEmail: options.sending ?? false,
        createCustomers: facts.settings.customers.createWhenNoMatch,
        allowedUserIds: facts.settings.creators === 'everyone' ? null : facts.settings.creators,
      },
      actor: options.auto ? null : { userId: options.userId === undefined ? '' : String(options.userId) },
      quickbooksFacts: null,
    };
  }

  /**
   * Decides everything without writing: customer, items, document, problems. `userId` is the person asking (card),
   * undefined for auto-invoice. `sending`: QBO will email the invoice.
   */
  async plan(facts: Facts, kind: QboDocumentKind, options: { userId?: number; sending: boolean; auto: boolean; linkMarker?: string }): Promise<Plan> {
    const empty: Plan = { kind, problems: [], customer: null, items: new Map(), unmapped: [], built: null, buildInput: null, terms: null };
    const early = this.connectionProblems(facts, kind, options);
    const connection = facts.connection;
    // Without QuickBooks or the deal nothing more can be known; otherwise every problem is gathered below, at once.
    if (!facts.deal || !connection || connection.status !== 'connected') return { ...empty, problems: early };
    const deal = facts.deal;
    const { portalId } = facts;
    const { sales, cache } = this.deps;

    const [prefs, items, terms] = await Promise.all([
      cache.get(portalId, 'preferences', () => sales.preferences(portalId)),
      cache.get<QboItem[]>(portalId, 'items', () => sales.allItems(portalId)),
      cache.get<QboTerm[]>(portalId, 'terms', () => sales.terms(portalId)),
    ]);
    // The company's own date, now that its offset is known (QBO answers in the company's time zone).
    facts = { ...facts, today: this.today(prefs.utcOffsetMinutes) };
    if (prefs.utcOffsetMinutes !== connection.utcOffsetMinutes) await this.deps.connections.noteUtcOffset(connection.id, prefs.utcOffsetMinutes);
    const dealCurrency = deal.currency ?? prefs.homeCurrency ?? null;
    const env = this.customerEnv(portalId, connection.id);
    const customer = await planCustomer(env, deal, facts.settings, dealCurrency);
    const productIds = deal.lineItems.map((l) => l.productId ?? l.product?.id).filter((id): id is string => !!id);
    const productLinks = await linksOfObjects(this.deps.pool, connection.id, 'product', productIds, 'Item');
    const mapped = mapItems({ lines: deal.lineItems, items, productLinks, defaultItemId: facts.settings.defaultItemId });
    // Terms: DealBooks' setting, else the customer's own terms, else the company's default (as QBO itself does).
    const customerTerms = customer.state === 'linked' || customer.state === 'matched' ? (customer.customer.termId ?? null) : null;
    const termId = facts.settings.termId ?? customerTerms ?? prefs.defaultTermId ?? null;
    const term = termId ? (terms.find((t) => t.id === termId) ?? null) : null;

    const customerRef = customerReference(customer);
    const billEmail = deal.contact?.email ?? (customer.state === 'linked' || customer.state === 'matched' ? customer.customer.email : null);
    let built: BuiltDocument | null = null;
    let buildInput: BuildInput | null = null;
    if (customerRef && mapped.unmapped.length === 0 && deal.lineItems.length > 0 && !early.some((p) => p.code === 'line_without_price')) {
      buildInput = {
        kind,
        portalId,
        deal,
        customer: customerRef,
        items: mapped.chosen,
        settings: facts.settings,
        terms: term,
        company: { homeCurrency: prefs.homeCurrency ?? null, multicurrency: prefs.multicurrency ?? null },
        today: facts.today,
        billEmail,
        marker: options.linkMarker ?? 'DealBooks ref (assigned when created)',
      };
      built = buildDocument(buildInput);
    }
    const problems = preflight({
      ...this.preflightBase(facts, kind, options),
      settings: {
        ...this.preflightBase(facts, kind, options).settings,
        // A person chose "create a new customer" for this deal: that is allowed whatever the default.
        createCustomers: facts.settings.customers.createWhenNoMatch || customer.state === 'create',
      },
      quickbooksFacts: {
        company: {
          bookCloseDate: prefs.bookCloseDate ?? connection.bookCloseDate ?? null,
          homeCurrency: prefs.homeCurrency ?? null,
          multicurrency: prefs.multicurrency ?? null,
          allowEstimates: prefs.allowEstimates ?? null,
        },
        items: new Map(deal.lineItems.map((l) => [l.id, mapped.chosen.get(l.id) ? { itemId: mapped.chosen.get(l.id)!.itemId } : null])),
        customer: customerFact(customer, billingName(deal)),
      },
    });
    return { kind, problems, customer, items: mapped.chosen, unmapped: mapped.unmapped, built, buildInput, terms: term };
  }

  /** Runs one queued action to its end. Throws to retry (QBO/HubSpot unavailable, outcome unknown). */
  async run(action: DealAction): Promise<ActionOutcome> {
    const log = this.logger.child({ portalId: action.portalId, dealId: action.dealId, actionId: action.id, kind: action.kind });
    await markRunning(this.deps.pool, action.id, this.deps.clock.now());
    let outcome: ActionOutcome;
    try {
      outcome = await this.carryOut(action, log);
    } catch (err) {
      // A worker that stalled past its job's expiry wakes after another worker finished the action: its late failure
      // must not reopen the action or promise a retry that will never come.
      const now = await getAction(this.deps.pool, action.portalId, action.id);
      if (now && now.status !== 'queued' && now.status !== 'running') {
        log.warn({ err, status: now.status }, 'a late answer to an attempt of an action that has already ended; ignored');
        return { status: now.status, problems: now.problems, result: now.result ?? undefined };
      }
      if (err instanceof ConnectionBlockedError || err instanceof JobMustWaitError) {
        const problem = blockedProblem(err);
        await recordSync(this.deps.pool, { portalId: action.portalId, action: action.kind, outcome: 'blocked', message: problem.message, dealId: action.dealId, dealActionId: action.id, errorCode: problem.code }, this.deps.clock.now());
        // Waiting (not failing) until someone reconnects: the action stays queued and its job is parked.
        await this.deps.pool.query(`UPDATE deal_actions SET status = 'queued', problems = $2 WHERE id = $1 AND status IN ('queued', 'running')`, [action.id, JSON.stringify([problem])]);
        throw err instanceof JobMustWaitError ? err : new JobMustWaitError(problem.message, action.portalId, { cause: err });
      }
      const qbo = err instanceof QuickbooksApiError ? err : undefined;
      await recordSync(
        this.deps.pool,
        {
          portalId: action.portalId,
          action: action.kind,
          outcome: 'retrying',
          message: `${sentence(err instanceof Error ? err.message : String(err))} DealBooks will try again.`,
          dealId: action.dealId,
          dealActionId: action.id,
          intuitTid: qbo?.intuitTid ?? null,
          errorCode: qbo?.code ?? (qbo ? String(qbo.status) : null),
        },
        this.deps.clock.now(),
      );
      throw err;
    }
    await finishAction(this.deps.pool, action.id, outcome, this.deps.clock.now());
    log.info({ status: outcome.status, problems: outcome.problems.map((p) => p.code) }, 'deal action finished');
    return outcome;
  }

  /** Marks an action failed for good (its job ran out of retries). */
  async giveUp(action: DealAction, message: string): Promise<void> {
    const problem: Problem = { code: 'qbo_rejected', message: `${message} DealBooks stopped retrying; use Retry in the sync log once the cause is fixed.` };
    await finishAction(this.deps.pool, action.id, { status: 'failed', problems: [problem] }, this.deps.clock.now());
    await recordSync(this.deps.pool, { portalId: action.portalId, action: action.kind, outcome: 'failed', message: problem.message, dealId: action.dealId, dealActionId: action.id }, this.deps.clock.now());
    await this.safeWriteBack(action.portalId, action.dealId, problem.message);
  }

  private async carryOut(action: DealAction, log: Logger): Promise<ActionOutcome> {
    switch (action.kind) {
      case 'invoice':
      case 'estimate':
        return this.createDocument(action, action.kind, log);
      case 'convert':
        return this.convertEstimate(action, log);
      case 'send':
        return this.sendInvoice(action);
      default:
        return { status: 'failed', problems: [{ code: 'qbo_rejected', message: `Unknown action ${action.kind}.` }] };
    }
  }

  private async blocked(action: DealAction, problems: Problem[], facts: Facts | null): Promise<ActionOutcome> {
    const message = problems.map((p) => p.message).join(' ');
    await recordSync(this.deps.pool, { portalId: action.portalId, action: action.kind, outcome: 'blocked', message, dealId: action.dealId, dealActionId: action.id, errorCode: problems[0]?.code ?? null, details: { problems } }, this.deps.clock.now());
    if (facts?.deal) await this.safeWriteBack(action.portalId, action.dealId, message);
    return { status: 'blocked', problems };
  }

  private async createDocument(action: DealAction, kind: QboDocumentKind, log: Logger): Promise<ActionOutcome> {
    const { pool, sales, clock } = this.deps;
    const facts = await this.facts(action.portalId, action.dealId);
    const connection = facts.connection;
    this.waitForConnection(action.portalId, connection);
    if (connection && connection.status === 'connected' && facts.deal) {
      const existing = await findLink(pool, connection.id, 'deal', action.dealId, qboType(kind));
      if (existing?.status === 'linked' && existing.qboEntityId) return this.alreadyThere(action, facts, kind, existing);
      if (existing && existing.attempts > 0) {
        const found = await this.lookForLostDocument(action.portalId, kind, existing);
        if (found) return this.adopt(action, facts, kind, existing, found, log);
      }
    }
    const sending = kind === 'invoice' && (action.options.send === true || (action.options.send === undefined && facts.settings.delivery === 'send'));
    const plan = await this.plan(facts, kind, { userId: action.requestedByUserId ?? undefined, sending, auto: action.trigger === 'auto' });
    if (plan.problems.length > 0 || !plan.customer || !plan.buildInput || !facts.deal || !connection) {
      if (plan.customer?.state === 'needs_confirmation' && facts.deal && connection) {
        await recordCandidates(this.customerEnv(action.portalId, connection.id), facts.deal, plan.customer.candidates);
      }
      return this.blocked(action, plan.problems, facts);
    }
    const deal = facts.deal;
    const committed = await commitCustomer(this.customerEnv(action.portalId, connection.id), deal, plan.customer, { linkDeal: !facts.settings.customers.projectPerDeal });
    const billTo = facts.settings.customers.projectPerDeal ? await this.ensureProject(action.portalId, connection.id, deal, committed.customer) : committed.customer;
    if (plan.customer.state === 'create') {
      await recordSync(pool, { portalId: action.portalId, action: 'customer', outcome: 'succeeded', message: `Created QuickBooks customer "${committed.customer.displayName}".`, dealId: deal.id, qboEntityType: 'Customer', qboEntityId: committed.customer.id, intuitTid: committed.intuitTid ?? null, dealActionId: action.id }, clock.now());
    }

    const link = await ensureLink(pool, { portalId: action.portalId, connectionId: connection.id, type: 'deal', id: deal.id, qboType: qboType(kind) }, clock.now());
    const marker = markerFor(link);
    // The same document as planned, for the customer finally used (it may just have been created) and this link's marker.
    const { body } = buildDocument({ ...plan.buildInput!, customer: { id: billTo.id, displayName: billTo.displayName, currency: billTo.currency }, marker });
    await noteAttempt(pool, link.id, { customerId: billTo.id, marker }, clock.now());
    let created: { document: QboDocument; intuitTid?: string };
    try {
      created = await sales.createDocument(action.portalId, kind, body, link.requestId);
    } catch (err) {
      if (err instanceof QuickbooksApiError && !err.retryable && !err.outcomeUnknown) {
        const problem: Problem = { code: 'qbo_rejected', message: qboRejection(kindLabel(kind), err) };
        await markRejected(pool, link.id, problem.message, clock.now());
        await recordSync(pool, { portalId: action.portalId, action: kind, outcome: 'failed', message: problem.message, dealId: deal.id, dealActionId: action.id, intuitTid: err.intuitTid ?? null, errorCode: err.code ?? String(err.status) }, clock.now());
        await this.safeWriteBack(action.portalId, deal.id, problem.message);
        return { status: 'failed', problems: [problem] };
      }
      throw err;
    }
    log.info({ qboId: created.document.id, intuitTid: created.intuitTid }, `${kind} created in QuickBooks`);
    return this.adopt(action, facts, kind, link, created.document, log, { sending, intuitTid: created.intuitTid, customerName: billTo.displayName });
  }

  /** After an attempt whose answer never came, the document may exist: find it by its marker before writing again. */
  private async lookForLostDocument(portalId: number, kind: QboDocumentKind, link: EntityLink): Promise<QboDocument | null> {
    const customerId = typeof link.details.customerId === 'string' ? link.details.customerId : null;
    if (!customerId) return null;
    return this.deps.sales.findDocumentByMarker(portalId, kind, { customerId, marker: markerFor(link) });
  }

  private async alreadyThere(action: DealAction, facts: Facts, kind: QboDocumentKind, link: EntityLink): Promise<ActionOutcome> {
    const connection = facts.connection!;
    const fresh = await this.deps.sales.readDocument(action.portalId, kind, link.qboEntityId!);
    if (fresh) await this.save(connection, action.dealId, fresh.document);
    await recordSync(this.deps.pool, { portalId: action.portalId, action: kind, outcome: 'skipped', message: `The deal already has ${kind} ${fresh?.document.docNumber ?? link.qboEntityId} in QuickBooks; nothing was created.`, dealId: action.dealId, qboEntityType: qboType(kind), qboEntityId: link.qboEntityId, dealActionId: action.id }, this.deps.clock.now());
    await this.safeWriteBack(action.portalId, action.dealId, '');
    return { status: 'succeeded', problems: [], result: { existing: true, documentId: link.qboEntityId, docNumber: fresh?.document.docNumber ?? null } };
  }

  private async adopt(
    action: DealAction,
    facts: Facts,
    kind: QboDocumentKind,
    link: EntityLink,
    document: QboDocument,
    log: Logger,
    extra: { sending?: boolean; intuitTid?: string; customerName?: string; convertedFrom?: StoredDocument } = {},
  ): Promise<ActionOutcome> {
    const { pool, clock, sales } = this.deps;
    const connection = facts.connection!;
    await markLinked(pool, link.id, { qboEntityId: document.id, method: 'created', syncToken: document.syncToken }, clock.now());
    await this.save(connection, action.dealId, document);
    const amount = formatMoney(document.totalCents, document.currency ?? connection.homeCurrency);
    const label = kindLabel(kind);
    const what = extra.convertedFrom
      ? `Estimate ${extra.convertedFrom.docNumber ?? extra.convertedFrom.id} converted to invoice ${document.docNumber ?? document.id} for ${amount} in QuickBooks.`
      : `${label} ${document.docNumber ?? document.id} for ${amount} created in QuickBooks${extra.customerName ? ` for ${extra.customerName}` : ''}.`;
    await recordSync(pool, { portalId: action.portalId, action: action.kind, outcome: 'succeeded', message: what, dealId: action.dealId, qboEntityType: qboType(kind), qboEntityId: document.id, intuitTid: extra.intuitTid ?? null, dealActionId: action.id }, clock.now());
    let sent: QboDocument | null = null;
    const problems: Problem[] = [];
    if (kind === 'invoice' && extra.sending) {
      try {
        sent = await sales.sendInvoice(action.portalId, document.id, facts.deal?.contact?.email ?? null);
        await this.save(connection, action.dealId, sent);
        await recordSync(pool, { portalId: action.portalId, action: 'send', outcome: 'succeeded', message: `Invoice ${document.docNumber ?? document.id} emailed by QuickBooks.`, dealId: action.dealId, qboEntityType: 'Invoice', qboEntityId: document.id, dealActionId: action.id }, clock.now());
      } catch (err) {
        // The invoice exists; only the email failed. Say so, and leave sending to a person (the card's Send button).
        const message = `Invoice ${document.docNumber ?? document.id} was created but QuickBooks did not email it: ${err instanceof Error ? err.message : String(err)}. Press Send on the card to try again.`;
        problems.push({ code: 'qbo_rejected', message });
        await recordSync(pool, { portalId: action.portalId, action: 'send', outcome: 'failed', message, dealId: action.dealId, qboEntityType: 'Invoice', qboEntityId: document.id, dealActionId: action.id, intuitTid: err instanceof QuickbooksApiError ? (err.intuitTid ?? null) : null }, clock.now());
      }
    }
    if (!link.details.noteId) {
      try {
        const note = await this.deps.deals.addDealNote(action.portalId, action.dealId, { body: what, timestamp: clock.now() });
        await mergeDetails(pool, link.id, { noteId: note.id }, clock.now());
      } catch (err) {
        log.warn({ err }, 'the timeline note could not be added');
      }
    }
    await this.safeWriteBack(action.portalId, action.dealId, problems[0]?.message ?? '');
    return { status: 'succeeded', problems, result: { documentId: document.id, docNumber: document.docNumber, totalCents: document.totalCents, currency: document.currency, sent: sent !== null } };
  }

  private async ensureProject(portalId: number, connectionId: number, deal: DealSnapshot, parent: QboCustomer): Promise<QboCustomer> {
    const { pool, clock, sales, cache } = this.deps;
    const link = await ensureLink(pool, { portalId, connectionId, type: 'deal', id: deal.id, qboType: 'Customer' }, clock.now());
    if (link.status === 'linked' && link.qboEntityId) {
      const project = await sales.customer(portalId, link.qboEntityId);
      if (project && project.active) return project;
    }
    await noteAttempt(pool, link.id, { parentId: parent.id }, clock.now());
    const created = await commitCustomer(
      this.customerEnv(portalId, connectionId),
      { ...deal, company: null, contact: null },
      { state: 'create', draft: { displayName: deal.name.slice(0, 100), companyName: null, givenName: null, familyName: null, email: deal.contact?.email ?? null, phone: null, billAddr: null, notes: `Project for HubSpot deal ${deal.id}, created by DealBooks.`, currency: parent.currency, parentId: parent.id } as never },
      { linkDeal: true },
    );
    await cache.upsert(portalId, 'customers', created.customer);
    return created.customer;
  }

  private async convertEstimate(action: DealAction, log: Logger): Promise<ActionOutcome> {
    const { pool, clock, sales } = this.deps;
    const facts = await this.facts(action.portalId, action.dealId);
    const connection = facts.connection;
    this.waitForConnection(action.portalId, connection);
    const early = this.connectionProblems(facts);
    if (early.length > 0 || !connection) return this.blocked(action, early, facts);
    const stored = await documentOf(pool, action.portalId, connection.id, 'estimate', action.targetId);
    const estimate = await sales.readDocument(action.portalId, 'estimate', action.targetId);
    if (!stored || !estimate) return this.blocked(action, [{ code: 'qbo_rejected', message: `Estimate ${action.targetId} is not one of this deal's estimates in QuickBooks (it may have been deleted).` }], facts);
    await this.save(connection, action.dealId, estimate.document);
    const link = await ensureLink(pool, { portalId: action.portalId, connectionId: connection.id, type: 'deal', id: action.dealId, qboType: 'Invoice' }, clock.now());
    if (link.status === 'linked' && link.qboEntityId) {
      return this.blocked(action, [{ code: 'qbo_rejected', message: `This deal already has invoice ${link.qboEntityId} in QuickBooks, so the estimate was not converted again.` }], facts);
    }
    if (link.attempts > 0) {
      const found = await this.lookForLostDocument(action.portalId, 'invoice', link);
      if (found) return this.adopt(action, facts, 'invoice', link, found, log, { convertedFrom: stored });
    }
    const refusal = conversionRefusal(estimate.document);
    if (refusal) return this.blocked(action, [{ code: 'qbo_rejected', message: refusal }], facts);
    const stored2 = await readSettings(pool, action.portalId);
    const prefs = await this.deps.cache.get(action.portalId, 'preferences', () => sales.preferences(action.portalId));
    const terms = await this.deps.cache.get<QboTerm[]>(action.portalId, 'terms', () => sales.terms(action.portalId));
    const estimateCustomer = await sales.customer(action.portalId, estimate.document.customerId);
    const termId = stored2.settings.termId ?? estimateCustomer?.termId ?? prefs.defaultTermId ?? null;
    const txnDate = this.today(prefs.utcOffsetMinutes);
    if (prefs.bookCloseDate && txnDate <= prefs.bookCloseDate) {
      const message = `Today (${txnDate}) is in a closed period in QuickBooks (books closed through ${prefs.bookCloseDate}), so the invoice cannot be dated. Ask your accountant to reopen the period, then convert again.`;
      return this.blocked(action, [{ code: 'closed_period', message }], facts);
    }
    const marker = markerFor(link);
    const body = invoiceFromEstimate({
      estimate: estimate.raw,
      txnDate,
      terms: termId ? (terms.find((t) => t.id === termId) ?? null) : null,
      marker,
      billEmail: facts.deal?.contact?.email ?? null,
      today: txnDate,
    });
    await noteAttempt(pool, link.id, { customerId: estimate.document.customerId, marker, estimateId: estimate.document.id }, clock.now());
    let created: { document: QboDocument; intuitTid?: string };
    try {
      created = await sales.createDocument(action.portalId, 'invoice', body, link.requestId);
    } catch (err) {
      if (err instanceof QuickbooksApiError && !err.retryable && !err.outcomeUnknown) {
        const problem: Problem = { code: 'qbo_rejected', message: qboRejection('Invoice', err) };
        await markRejected(pool, link.id, problem.message, clock.now());
        await recordSync(pool, { portalId: action.portalId, action: 'convert', outcome: 'failed', message: problem.message, dealId: action.dealId, dealActionId: action.id, intuitTid: err.intuitTid ?? null, errorCode: err.code ?? String(err.status) }, clock.now());
        return { status: 'failed', problems: [problem] };
      }
      throw err;
    }
    const outcome = await this.adopt(action, facts, 'invoice', link, created.document, log, { intuitTid: created.intuitTid, convertedFrom: stored });
    const after = await sales.readDocument(action.portalId, 'estimate', estimate.document.id);
    if (after) await this.save(connection, action.dealId, after.document);
    await this.safeWriteBack(action.portalId, action.dealId, '');
    return outcome;
  }

  private async sendInvoice(action: DealAction): Promise<ActionOutcome> {
    const { pool, clock, sales } = this.deps;
    const connection = await this.deps.connections.live(action.portalId);
    this.waitForConnection(action.portalId, connection);
    if (!connection) throw new ConnectionBlockedError('quickbooks', 'not_connected', action.portalId);
    const stored = await documentOf(pool, action.portalId, connection.id, 'invoice', action.targetId);
    if (!stored) return this.blocked(action, [{ code: 'qbo_rejected', message: `Invoice ${action.targetId} is not one of this account's invoices.` }], null);
    const deal = await this.deps.deals.readDeal(action.portalId, action.dealId);
    const sendTo = typeof action.options.sendTo === 'string' ? action.options.sendTo : (deal?.contact?.email ?? null);
    const current = await sales.readDocument(action.portalId, 'invoice', stored.id);
    if (!sendTo && !current?.document.billEmail) {
      return this.blocked(action, [{ code: 'no_bill_email', message: 'QuickBooks has no email address to send this invoice to. Add an email to the deal’s contact or to the QuickBooks customer, then press Send again.' }], null);
    }
    try {
      const sent = await sales.sendInvoice(action.portalId, stored.id, sendTo);
      await this.save(connection, action.dealId, sent);
      await recordSync(pool, { portalId: action.portalId, action: 'send', outcome: 'succeeded', message: `Invoice ${sent.docNumber ?? sent.id} emailed by QuickBooks${sendTo ? ` to ${sendTo}` : ''}.`, dealId: action.dealId, qboEntityType: 'Invoice', qboEntityId: sent.id, dealActionId: action.id }, clock.now());
      await this.safeWriteBack(action.portalId, action.dealId, '');
      return { status: 'succeeded', problems: [], result: { documentId: sent.id, emailStatus: sent.emailStatus } };
    } catch (err) {
      if (err instanceof QuickbooksApiError && !err.retryable && !err.outcomeUnknown) {
        const problem: Problem = { code: 'qbo_rejected', message: qboRejection('Sending the invoice', err) };
        await recordSync(pool, { portalId: action.portalId, action: 'send', outcome: 'failed', message: problem.message, dealId: action.dealId, dealActionId: action.id, intuitTid: err.intuitTid ?? null, errorCode: err.code ?? String(err.status) }, clock.now());
        return { status: 'failed', problems: [problem] };
      }
      throw err;
    }
  }

  /**
   * Keeps DealBooks' copy of a document. QBO leaves CurrencyRef out when a company has one currency (the fixtures
   * show it), so the copy names the home currency then, and amounts on the card read "$" only for a USD company.
   */
  private async save(connection: ConnectionView, dealId: string, document: QboDocument): Promise<void> {
    const withCurrency = document.currency ? document : { ...document, currency: connection.homeCurrency };
    await saveDocument(this.deps.pool, { portalId: connection.portalId, connectionId: connection.id, dealId, document: withCurrency }, this.deps.clock.now());
  }

  /** Writes DealBooks' deal properties; if HubSpot fails, a job retries it later (the QBO result stands). */
  async safeWriteBack(portalId: number, dealId: string, lastProblem: string): Promise<void> {
    try {
      await writeBack({ pool: this.deps.pool, deals: this.deps.deals, connections: this.deps.connections, clock: this.deps.clock }, portalId, dealId, lastProblem);
    } catch (err) {
      this.logger.warn({ err, portalId, dealId }, 'deal properties could not be written; a job will retry');
      await this.deps.queueWriteBack(portalId, dealId).catch((e) => this.logger.error({ err: e, portalId, dealId }, 'could not queue the deal write-back'));
    }
  }

  async documents(portalId: number, connectionId: number, dealId: string): Promise<StoredDocument[]> {
    return documentsOfDeal(this.deps.pool, portalId, connectionId, dealId);
  }
}

function customerReference(plan: CustomerPlan): { id: string; displayName: string; currency: string | null } | null {
  switch (plan.state) {
    case 'linked':
    case 'matched':
      return { id: plan.customer.id, displayName: plan.customer.displayName, currency: plan.customer.currency };
    case 'create':
      return { id: '', displayName: plan.draft.displayName, currency: plan.draft.currency ?? null };
    default:
      return null;
  }
}

function customerFact(plan: CustomerPlan, name: string): CustomerFact {
  switch (plan.state) {
    case 'linked':
    case 'matched':
      return { status: 'resolved', customer: { id: plan.customer.id, displayName: plan.customer.displayName, currency: plan.customer.currency, email: plan.customer.email } };
    case 'needs_confirmation':
      return { status: 'needs_confirmation', companyName: name, candidates: plan.candidates.map((c) => ({ displayName: c.displayName, score: c.score })) };
    default:
      return { status: 'none' };
  }
}

export function conversionRefusal(estimate: QboDocument): string | null {
  const status = estimate.txnStatus ?? 'Pending';
  if (status === 'Closed' || status === 'Converted' || estimate.linked.some((l) => l.type === 'Invoice')) {
    return `Estimate ${estimate.docNumber ?? estimate.id} is closed in QuickBooks (it was already converted or closed), so it cannot be converted again.`;
  }
  if (status === 'Rejected') return `Estimate ${estimate.docNumber ?? estimate.id} was rejected by the customer in QuickBooks. Mark it Accepted or Pending in QuickBooks to convert it.`;
  return null;
}

/** "the connection was reset" -> "The connection was reset." */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function qboRejection(what: string, err: QuickbooksApiError): string {
  const reason = err.detail ?? err.message;
  const code = err.code ? ` (QuickBooks error ${err.code})` : '';
  return `${what} was refused by QuickBooks${code}: ${reason}. Fix it in HubSpot or in DealBooks settings, then retry from the sync log.`;
}

function blockedProblem(err: ConnectionBlockedError | JobMustWaitError): Problem {
  if (err instanceof ConnectionBlockedError && err.provider === 'hubspot') {
    return { code: 'hubspot_uninstalled', message: 'DealBooks is no longer installed in this HubSpot account. Reinstall it from the HubSpot marketplace.' };
  }
  if (err instanceof ConnectionBlockedError && err.state === 'not_connected') {
    return { code: 'quickbooks_not_connected', message: 'QuickBooks is not connected. Connect QuickBooks in DealBooks settings; the work waits and runs once it is connected.' };
  }
  return { code: 'quickbooks_needs_reconnect', message: 'QuickBooks needs to be reconnected. Reconnect QuickBooks in DealBooks settings; the work waits and runs once it is reconnected.' };
}

export { billingName, companyDate, formatMoney };
