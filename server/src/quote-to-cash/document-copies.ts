import type pg from 'pg';
import { unlinkDocument } from '../db/entity-links';
import { lockDocument, markDocumentDeleted, saveDocument, type StoredDocument } from '../db/qbo-documents';
import { recordSync } from '../db/sync-log';
import { withTransaction } from '../db/transaction';
import { ConflictError } from '../errors';
import type { ConnectionView } from '../connections/quickbooks-connections';
import type { QboDocument, QboDocumentKind } from '../sync/model';
import { compareVersions, voidState, type VersionOrder } from '../sync/qbo-changes';
import type { QuoteToCashDeps } from './deps';

/**
 * DealBooks' copy of each QBO document it made, changed by one rule whoever brings the version: DealBooks' own
 * writes and reads, a webhook notification, the change-data-capture backstop. A version replaces the copy only
 * when it is newer (sync/qbo-changes.ts), decided under a row lock so two changes of one document are decided one
 * at a time. A document voided or deleted in QuickBooks stays as history, marked so, and no longer counts as the
 * deal's: its deal link is set 'unlinked', so "Create invoice" and auto-invoice make a new one with a fresh
 * request id.
 */
export interface DocumentChange {
  kind: QboDocumentKind;
  id: string;
  /** The deal the document belongs to (null for a copy kept without one). */
  dealId: string | null;
  /** How the version stood against the copy: only 'newer' changed it. */
  order: VersionOrder;
  /** The copy before and after (after is the copy as stored now, changed or not). */
  before: StoredDocument | null;
  after: StoredDocument;
}

const qboTypeOf = (kind: QboDocumentKind) => (kind === 'invoice' ? ('Invoice' as const) : ('Estimate' as const));
const label = (kind: QboDocumentKind) => (kind === 'invoice' ? 'Invoice' : 'Estimate');
const numberOf = (doc: Pick<StoredDocument, 'docNumber' | 'id'>) => doc.docNumber ?? doc.id;

/** "Invoice 1042 was deleted in QuickBooks" (the words every message about a deleted document starts with). */
export function deletedInQuickbooks(kind: QboDocumentKind, doc: Pick<StoredDocument, 'docNumber' | 'id'>): string {
  return `${label(kind)} ${numberOf(doc)} was deleted in QuickBooks`;
}

/** What a person can do about a voided or deleted document: the deal may have a new one. */
function consequence(kind: QboDocumentKind): string {
  return kind === 'invoice'
    ? 'DealBooks no longer counts it as the deal’s invoice: press Create invoice to make a new one.'
    : 'DealBooks no longer counts it as the deal’s estimate: press Create estimate to make a new one.';
}

/**
 * Something was asked of a document QuickBooks no longer has (it answered 610, Object Not Found): the copy is marked
 * deleted and the words say so. A 409 on the card.
 */
export class DocumentDeletedError extends ConflictError {
  constructor(
    readonly kind: QboDocumentKind,
    readonly document: Pick<StoredDocument, 'docNumber' | 'id'>,
    what: string,
  ) {
    super(`${deletedInQuickbooks(kind, document)}, so it cannot be ${what}. ${consequence(kind)}`, { details: { kind, documentId: document.id } });
  }
}

async function unlinkIfGone(client: pg.PoolClient, connection: ConnectionView, doc: StoredDocument, now: Date): Promise<string[]> {
  if (doc.qboState === 'active') return [];
  return unlinkDocument(client, connection.id, qboTypeOf(doc.kind), doc.id, `${label(doc.kind)} ${numberOf(doc)} was ${doc.qboState} in QuickBooks.`, now);
}

/** The sync log says when a document left the deal (voided or deleted in QuickBooks). */
async function logStateChange(deps: QuoteToCashDeps, connection: ConnectionView, change: DocumentChange): Promise<void> {
  const { after, before } = change;
  if (after.qboState === 'active' || before?.qboState === after.qboState) return;
  await recordSync(
    deps.pool,
    {
      portalId: connection.portalId,
      action: 'quickbooks-change',
      outcome: 'succeeded',
      message: `${label(after.kind)} ${numberOf(after)} was ${after.qboState} in QuickBooks. ${consequence(after.kind)}`,
      dealId: after.dealId,
      qboEntityType: qboTypeOf(after.kind),
      qboEntityId: after.id,
      details: { qboState: after.qboState },
    },
    deps.clock.now(),
  );
}

/**
 * Keeps a version of a document if it is newer than DealBooks' copy. `create`: a document DealBooks made itself gets
 * a copy if it has none (with `dealId`); otherwise (a change QuickBooks reported) only an existing copy is updated,
 * and null says DealBooks has none: the document is not one it made.
 */
export async function storeDocumentIfNewer(
  deps: QuoteToCashDeps,
  connection: ConnectionView,
  input: { document: QboDocument; dealId: string | null; create: boolean },
): Promise<DocumentChange | null> {
  const now = deps.clock.now();
  // QBO leaves CurrencyRef out when a company has one currency (test/fixtures/quickbooks/invoice_read_response.json
  // has none), so the copy names the home currency then, and amounts on the card read "$" only for a USD company.
  const document = input.document.currency ? input.document : { ...input.document, currency: connection.homeCurrency };
  const change = await withTransaction(deps.pool, async (client) => {
    const before = await lockDocument(client, connection.id, document.kind, document.id);
    if (!before && !input.create) return null;
    const order = compareVersions(
      { updatedAt: document.updatedAt ?? null, syncToken: document.syncToken },
      before && { updatedAt: before.updatedAt ?? null, syncToken: before.syncToken, state: before.qboState },
    );
    if (order === 'newer') {
      await saveDocument(client, { portalId: connection.portalId, connectionId: connection.id, dealId: input.dealId, document, state: voidState(document) }, now);
    }
    const after = (await lockDocument(client, connection.id, document.kind, document.id))!;
    await unlinkIfGone(client, connection, after, now);
    return { kind: document.kind, id: document.id, dealId: after.dealId, order, before, after } satisfies DocumentChange;
  });
  if (change) await logStateChange(deps, connection, change);
  return change;
}

/**
 * QuickBooks no longer has the document (a Deleted notification or CDC entry, or a 610 answer to any call on it):
 * the copy is marked deleted, once, and its deal link unlinked. Null when DealBooks has no copy of it.
 */
export async function recordDocumentDeleted(
  deps: QuoteToCashDeps,
  connection: ConnectionView,
  kind: QboDocumentKind,
  qboId: string,
  deletedAt: Date | null = null,
): Promise<DocumentChange | null> {
  const now = deps.clock.now();
  const change = await withTransaction(deps.pool, async (client) => {
    const before = await lockDocument(client, connection.id, kind, qboId);
    if (!before) return null;
    if (before.qboState !== 'deleted') await markDocumentDeleted(client, connection.id, kind, qboId, { deletedAt }, now);
    const after = (await lockDocument(client, connection.id, kind, qboId))!;
    await unlinkIfGone(client, connection, after, now);
    const order: VersionOrder = before.qboState === 'deleted' ? 'same' : 'newer';
    return { kind, id: qboId, dealId: after.dealId, order, before, after } satisfies DocumentChange;
  });
  if (change) await logStateChange(deps, connection, change);
  return change;
}

/** The deals whose documents these changes changed, once each: their properties must be written again. */
export function dealsChanged(changes: ReadonlyArray<DocumentChange | null>): string[] {
  return [...new Set(changes.flatMap((c) => (c && c.order === 'newer' && c.dealId ? [c.dealId] : [])))];
}

/** Queues each deal's write-back (serial per deal, on the deal work queue) so its properties show the new state. */
export async function writeBackLater(deps: QuoteToCashDeps, portalId: number, dealIds: readonly string[]): Promise<void> {
  for (const dealId of dealIds) await deps.queue.writeBack(portalId, dealId);
}

/**
 * QuickBooks answered that a document DealBooks acted on does not exist (610): record the deletion, have the deal's
 * properties written again, and return the error whose words say so (`what`: what could not be done, "sent").
 */
export async function documentGone(deps: QuoteToCashDeps, portalId: number, kind: QboDocumentKind, qboId: string, what: string): Promise<DocumentDeletedError> {
  const connection = await deps.connections.live(portalId);
  const change = connection ? await recordDocumentDeleted(deps, connection, kind, qboId) : null;
  if (connection && change) await writeBackLater(deps, portalId, dealsChanged([change]));
  deps.logger.info({ portalId, kind, qboId }, `${kind} ${qboId} no longer exists in QuickBooks; its copy is marked deleted`);
  return new DocumentDeletedError(kind, change?.after ?? { docNumber: null, id: qboId }, what);
}
