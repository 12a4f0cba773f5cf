import { linksOfObjects } from '../db/entity-links';
import { buildDocument, type BuildInput, type BuiltDocument } from '../sync/build-document';
import { chooseTerms } from '../sync/document-dates';
import { billingName } from '../sync/customer-match';
import { mapItems, type UnmappedLine } from '../sync/items';
import type { ItemChoice, Problem, QboDocumentKind, QboItem, QboTerm } from '../sync/model';
import { preflight, type CustomerFact, type PreflightFacts } from '../sync/preflight';
import { chooseBillEmail, type BillEmailChoice } from '../sync/bill-email';
import { referencesThatBlock } from '../sync/setting-references';
import { plannedName, planCustomer, type CustomerPlan } from './customer';
import { unusableForDocument } from './setting-references';
import type { QuoteToCashDeps } from './deps';
import { companyToday, quickbooksState, type Facts } from './facts';

/**
 * Deciding everything about a deal's document without writing: the customer, an item per line, the document
 * itself, and every problem that blocks it. The preview shows exactly this; creating a document carries it out.
 */
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
  /** Where QuickBooks emails the invoice (the settings' choice between the customer's and the contact's address). */
  billEmail: BillEmailChoice;
}

export interface PlanOptions {
  /** The HubSpot user asking (the card); undefined for auto-invoice. */
  userId?: number;
  /** QuickBooks will email the invoice. */
  sending: boolean;
  auto: boolean;
  linkMarker?: string;
  /**
   * A preview (the card's, the dry run's) writes nothing, not even the company's UTC offset read on the way: the
   * preview answers `writes: 'none'`, and the work that creates the document notes the offset itself.
   */
  preview?: boolean;
}

/** The facts preflight needs that come before any QuickBooks read. */
export function preflightBase(facts: Facts, kind: QboDocumentKind, options: { userId?: number; sending?: boolean; auto?: boolean }): PreflightFacts {
  return {
    kind,
    dealId: facts.dealId,
    hubspotInstalled: true,
    quickbooks: quickbooksState(facts.connection),
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

/** Problems that come before any QBO read: the connection, the deal and its lines, the user. */
export function earlyProblems(facts: Facts, kind: QboDocumentKind = 'invoice', options: { userId?: number; sending?: boolean; auto?: boolean } = { auto: true }): Problem[] {
  return preflight(preflightBase(facts, kind, options));
}

function customerReference(plan: CustomerPlan): { id: string; displayName: string; currency: string | null } | null {
  switch (plan.state) {
    case 'linked':
    case 'matched':
    case 'reactivate':
      return { id: plan.customer.id, displayName: plan.customer.displayName, currency: plan.customer.currency };
    case 'create':
      return { id: '', displayName: plannedName(plan), currency: plan.draft.currency ?? null };
    default:
      return null;
  }
}

function customerFact(plan: CustomerPlan, name: string): CustomerFact {
  switch (plan.state) {
    case 'linked':
    case 'matched':
    case 'reactivate':
      return { status: 'resolved', customer: { id: plan.customer.id, displayName: plan.customer.displayName, currency: plan.customer.currency, email: plan.customer.email } };
    case 'needs_confirmation':
      return { status: 'needs_confirmation', companyName: name, candidates: plan.candidates.map((c) => ({ displayName: c.displayName, score: c.score, inactive: c.reason === 'inactive' })) };
    default:
      return { status: 'none' };
  }
}

export async function planDocument(deps: QuoteToCashDeps, facts: Facts, kind: QboDocumentKind, options: PlanOptions): Promise<Plan> {
  const empty: Plan = { kind, problems: [], customer: null, items: new Map(), unmapped: [], built: null, buildInput: null, terms: null, billEmail: { address: null, source: null } };
  const early = earlyProblems(facts, kind, options);
  const connection = facts.connection;
  // Without QuickBooks or the deal nothing more can be known; otherwise every problem is gathered below, at once.
  if (!facts.deal || !connection || connection.status !== 'connected') return { ...empty, problems: early };
  const deal = facts.deal;
  const { portalId } = facts;
  const { sales, cache } = deps;

  const [prefs, items, terms] = await Promise.all([
    cache.get(portalId, 'preferences', () => sales.preferences(portalId)),
    cache.get<QboItem[]>(portalId, 'items', () => sales.allItems(portalId)),
    cache.get<QboTerm[]>(portalId, 'terms', () => sales.terms(portalId)),
  ]);
  // The company's own date, now that its offset is known (QBO answers in the company's time zone).
  facts = { ...facts, today: companyToday(deps, prefs.utcOffsetMinutes) };
  if (!options.preview && prefs.utcOffsetMinutes !== connection.utcOffsetMinutes) await deps.connections.noteUtcOffset(connection.id, prefs.utcOffsetMinutes);
  const dealCurrency = deal.currency ?? prefs.homeCurrency ?? null;
  const customer = await planCustomer(deps, { portalId, connectionId: connection.id }, deal, facts.settings, dealCurrency);
  const productIds = deal.lineItems.map((l) => l.productId ?? l.product?.id).filter((id): id is string => !!id);
  const productLinks = await linksOfObjects(deps.pool, connection.id, 'product', productIds, 'Item');
  const productItems = new Map([...productLinks].flatMap(([productId, link]) => (link.status === 'linked' && link.qboEntityId ? [[productId, link.qboEntityId] as const] : [])));
  const mapped = mapItems({ lines: deal.lineItems, items, productItems, defaultItemId: facts.settings.defaultItemId });
  const resolved = customer.state === 'linked' || customer.state === 'matched' || customer.state === 'reactivate' ? customer.customer : null;
  const term = chooseTerms(terms, { setting: facts.settings.termId, customer: resolved?.termId, company: prefs.defaultTermId });

  const unusable = await unusableForDocument(deps, portalId, facts.settings, { items, terms });
  const chosenItems = [...mapped.chosen.values()];
  const blocking = referencesThatBlock(unusable, {
    kind,
    needsDefaultItem: mapped.unmapped.length > 0,
    taxableLines: chosenItems.some((i) => i.taxable === true),
    nonTaxableLines: chosenItems.some((i) => i.taxable !== true),
  });

  const customerRef = customerReference(customer);
  const billEmail = chooseBillEmail(facts.settings.billEmail, { customerEmail: resolved ? resolved.email : undefined, contactEmail: deal.contact?.email });
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
      company: { homeCurrency: prefs.homeCurrency ?? null, multicurrency: prefs.multicurrency ?? null, dealIdFieldId: prefs.dealIdFieldId ?? null },
      today: facts.today,
      billEmail: billEmail.address,
      marker: options.linkMarker ?? 'DealBooks ref (assigned when created)',
    };
    built = buildDocument(buildInput);
  }
  const base = preflightBase(facts, kind, options);
  const problems = preflight({
    ...base,
    // A person chose "create a new customer" for this deal: that is allowed whatever the default.
    settings: { ...base.settings, createCustomers: facts.settings.customers.createWhenNoMatch || customer.state === 'create' },
    quickbooksFacts: {
      company: {
        bookCloseDate: prefs.bookCloseDate ?? connection.bookCloseDate ?? null,
        homeCurrency: prefs.homeCurrency ?? null,
        multicurrency: prefs.multicurrency ?? null,
        allowEstimates: prefs.allowEstimates ?? null,
      },
      items: new Map(deal.lineItems.map((l) => [l.id, mapped.chosen.get(l.id) ? { itemId: mapped.chosen.get(l.id)!.itemId } : null])),
      customer: customerFact(customer, billingName(deal)),
      unusableSettings: blocking,
    },
  });
  return { kind, problems, customer, items: mapped.chosen, unmapped: mapped.unmapped, built, buildInput, terms: term, billEmail };
}
