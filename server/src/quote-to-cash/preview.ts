import { NotFoundError } from '../errors';
import type { DocumentPreview } from '../sync/build-document';
import { dealNotFoundMessage } from '../sync/preflight';
import type { Candidate } from '../sync/customer-match';
import type { Problem, QboDocumentKind } from '../sync/model';
import { withinCardBudget } from './card-actions';
import type { QuoteToCashDeps } from './deps';
import { readFacts } from './facts';
import { planDocument } from './plan';

/** Exactly the document "Create" would make now, with every problem that blocks it; writes nothing. */
export interface Preview {
  dealId: string;
  kind: QboDocumentKind;
  problems: Problem[];
  customer:
    | { state: 'linked' | 'matched'; id: string; displayName: string; method: string; confidence: number | null }
    | { state: 'will_create'; displayName: string; email: string | null }
    | { state: 'needs_confirmation'; candidates: Candidate[] }
    | { state: 'missing' }
    | null;
  document: DocumentPreview | null;
  delivery: 'send' | 'review';
  writes: 'none';
}

export async function previewDocument(deps: QuoteToCashDeps, who: { portalId: number; userId?: number }, dealId: string, kind: QboDocumentKind): Promise<Preview> {
  const work = (async () => {
    const facts = await readFacts(deps, who.portalId, dealId);
    const sending = kind === 'invoice' && facts.settings.delivery === 'send';
    const plan = await planDocument(deps, facts, kind, { userId: who.userId, sending, auto: false });
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
          : customer.state === 'create'
            ? { state: 'will_create', displayName: customer.draft.displayName, email: customer.draft.email ?? null }
            : customer.state === 'needs_confirmation'
              ? { state: 'needs_confirmation', candidates: customer.candidates }
              : { state: 'missing' },
    document: plan.built?.preview ?? null,
    delivery: kind === 'invoice' ? facts.settings.delivery : 'review',
    writes: 'none',
  };
}
