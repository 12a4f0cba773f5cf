/**
 * What one HubSpot webhook event about a CRM record (a deal, company or contact) means for DealBooks. Both
 * subscription forms are read: the current one (`object.deletion`, `object.restore`, `object.merge`,
 * `object.propertyChange` with an `objectTypeId`) and the legacy one (`deal.deletion`, `company.merge`...).
 * https://developers.hubspot.com/docs/api/webhooks (event properties) and
 * https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks (merge and restore events).
 */
export type DealEventMeaning =
  /**
   * Records merged: `survivor` stands for them all from now on; `merged` are the records that no longer exist, the
   * primary first (its values win the merge, so where two records hold a link of the same kind, the primary's stays).
   */
  | { kind: 'merge'; survivor: string; merged: string[] }
  | { kind: 'deletion' }
  | { kind: 'restore' }
  /** A change DealBooks itself made through the API (HubSpot names the app as its source). */
  | { kind: 'own-write' }
  | { kind: 'change' }
  /** A merge event that names no records to merge: nothing to act on. */
  | { kind: 'unusable'; reason: string };

const id = (value: unknown): string | null => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? String(value) : typeof value === 'string' && /^[1-9]\d{0,19}$/.test(value) ? value : null);

/** The app id in an integration's `sourceId`: bare (`"4242"`), or prefixed the way a user's is (`"userId:1"`). */
function sourceAppId(value: unknown): string | null {
  const match = /^(?:[A-Za-z]+:)?([1-9]\d{0,19})$/.exec(typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '');
  return match ? match[1]! : null;
}

/**
 * `appId`: DealBooks' HubSpot app id. HubSpot marks a change made by an app's API call with
 * `changeSource: "INTEGRATION"` and `sourceId` set to the app's id; a change made by a person, a workflow or an
 * import carries another source, and a change by another integration another id. Without a known app id no event
 * is taken for DealBooks' own: writing only values that change is then what keeps DealBooks from looping.
 */
export function hubspotEventMeaning(eventType: string, payload: Record<string, unknown>, appId: string | null): DealEventMeaning {
  const what = eventType.slice(eventType.indexOf('.') + 1);
  if (what === 'deletion') return { kind: 'deletion' };
  if (what === 'restore') return { kind: 'restore' };
  if (what === 'merge') {
    const primary = id(payload.primaryObjectId);
    // Some merges create a new record that takes the place of both; then it is the one that survives.
    const created = id(payload.newObjectId);
    const survivor = created ?? primary;
    const named = Array.isArray(payload.mergedObjectIds) ? payload.mergedObjectIds.map(id) : [];
    if (survivor === null) return { kind: 'unusable', reason: 'The merge event names no surviving record (primaryObjectId or newObjectId).' };
    const merged = [...new Set([primary, ...named].filter((d): d is string => d !== null && d !== survivor))];
    if (merged.length === 0) return { kind: 'unusable', reason: 'The merge event names no merged records (mergedObjectIds).' };
    return { kind: 'merge', survivor, merged };
  }
  if (appId !== null && payload.changeSource === 'INTEGRATION' && sourceAppId(payload.sourceId) === appId) return { kind: 'own-write' };
  return { kind: 'change' };
}

/** A QBO document as the merge note names it. */
export interface NotedDocument {
  kind: 'invoice' | 'estimate';
  qboId: string;
  docNumber: string | null;
}

const named = (d: NotedDocument) => `${d.kind} ${d.docNumber ?? `(QuickBooks id ${d.qboId})`}`;

/**
 * The survivor's timeline note after a merge: which deals were merged, which QBO documents DealBooks now files under
 * this deal, and, when the survivor and a merged deal each had an invoice (or estimate), that QuickBooks keeps both:
 * nothing in QuickBooks is merged or voided by DealBooks, a person decides.
 */
export function mergeNote(input: {
  survivorDocuments: ReadonlyArray<NotedDocument & { active: boolean }>;
  moves: ReadonlyArray<{ dealId: string; documentsMoved: readonly NotedDocument[]; linksSetAside: ReadonlyArray<{ qboEntityType: string }> }>;
}): string {
  const ids = input.moves.map((m) => m.dealId);
  const sentences = [`${ids.length === 1 ? `Deal ${ids[0]} was` : `Deals ${ids.join(', ')} were`} merged into this deal.`];
  const moved = input.moves.flatMap((m) => m.documentsMoved);
  sentences.push(moved.length === 0 ? 'It had no QuickBooks documents.' : `DealBooks now shows its QuickBooks ${moved.map(named).join(', ')} on this deal.`);
  for (const kind of ['invoice', 'estimate'] as const) {
    const entity = kind === 'invoice' ? 'Invoice' : 'Estimate';
    if (!input.moves.some((m) => m.linksSetAside.some((l) => l.qboEntityType === entity))) continue;
    const own = input.survivorDocuments.filter((d) => d.kind === kind && d.active);
    const theirs = moved.filter((d) => d.kind === kind);
    const list = [...own, ...theirs].map(named).join(' and ');
    sentences.push(
      `Both deals had a QuickBooks ${kind}${list ? ` (${list})` : ''}. QuickBooks keeps both; this deal goes on with its own${kind === 'invoice' ? ', and if the sale was billed twice, void the extra invoice in QuickBooks' : ''}.`,
    );
  }
  return sentences.join(' ');
}
