import { NotFoundError } from '../errors';
import type { DocumentPreview } from '../sync/build-document';
import { dealNotFoundMessage } from '../sync/preflight';
import type { Candidate } from '../sync/customer-match';
import type { Problem, QboDocumentKind } from '../sync/model';
import { withinCardBudget } from './card-actions';
import type { QuoteToCashDeps } from './deps';
import { readFacts } from './facts';
import type { BillEmailChoice } from '../sync/bill-email';
import { plannedName, type CustomerPlan } from './customer';
import { planDocument } from './plan';

/** Exactly the document "Create" would make now, with every problem that blocks it; writes nothing. */
export interface Preview {
  dealId: string;
  kind: QboDocumentKind;
  problems: Problem[];
  customer:
    | { state: 'linked' | 'matched'; id: string; displayName: string; method: string; confidence: number | null }
    | { state: 'will_reactivate'; id: string; displayName: string; method: string; message: string }
    /**
     * `displayName` is the name QuickBooks will get; when the company's own name is taken by a vendor, an employee or
     * an inactive customer (QBO names are unique across them), `requestedName` is that name and `message` says so.
     */
    | { state: 'will_create'; displayName: string; email: string | null; requestedName?: string; message?: string }
    | { state: 'needs_confirmation'; candidates: Candidate[] }
    | { state: 'missing' }
    | null;
  document: DocumentPreview | null;
  delivery: 'send' | 'review';
  /** Where QuickBooks emails the invoice (sent at once with delivery "send", else when someone presses Send). */
  billEmail: BillEmailChoice;
  writes: 'none';
}

/** `auto`: as auto-invoice would make it (no user: the creators setting does not apply), for the dry run. */
export async function previewDocument(deps: QuoteToCashDeps, who: { portalId: number; userId?: number }, dealId: string, kind: QboDocumentKind, options: { auto?: boolean } = {}): Promise<Preview> {
  const work = (async () => {
    const facts = await readFacts(deps, who.portalId, dealId);
    const sending = kind === 'invoice' && facts.settings.delivery === 'send';
    const plan = await planDocument(deps, facts, kind, { userId: options.auto ? undefined : who.userId, sending, auto: options.auto ?? false, preview: true });
    return { facts, plan };
  })();
  const { facts, plan } = await withinCardBudget(work, 'The preview');
  // A deal HubSpot does not know is not a document with a problem: the card asked about nothing.
  if (!facts.deal) throw new NotFoundError(dealNotFoundMessage(dealId, kind), { details: { dealId } });
  const customer = plan.customer;
  return {
    dealId,
    kind,
    problems: plan.problems,
    customer:
      customer === null
        ? null
        : customer.state === 'linked' || customer.state === 'matched'
          ? { state: customer.state, id: customer.customer.id, displayName: customer.customer.displayName, method: customer.method, confidence: customer.score }
          : customer.state === 'reactivate'
            ? {
                state: 'will_reactivate',
                id: customer.customer.id,
                displayName: customer.customer.displayName,
                method: customer.method,
                message: `QuickBooks has an inactive customer “${customer.customer.displayName}”; it will be made active again and billed.`,
              }
            : customer.state === 'create'
            ? createdCustomer(customer)
            : customer.state === 'needs_confirmation'
              ? { state: 'needs_confirmation', candidates: customer.candidates }
              : { state: 'missing' },
    document: plan.built?.preview ?? null,
    delivery: kind === 'invoice' ? facts.settings.delivery : 'review',
    billEmail: plan.billEmail,
    writes: 'none',
  };
}

function createdCustomer(plan: Extract<CustomerPlan, { state: 'create' }>): Extract<Preview['customer'], { state: 'will_create' }> {
  const displayName = plannedName(plan);
  const email = plan.draft.email ?? null;
  if (displayName === plan.draft.displayName) return { state: 'will_create', displayName, email };
  const message = `“${plan.draft.displayName}” is already used in QuickBooks by a vendor, an employee or another customer (QuickBooks names are unique across them), so the new customer will be “${displayName}”.`;
  return { state: 'will_create', displayName, email, requestedName: plan.draft.displayName, message };
}
