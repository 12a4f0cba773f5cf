import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { NewEvent } from '../db/webhook-inbox';
import { describeJsonProblem, findUnstorable, storableText, toStorableJson } from '../lib/postgres-text';

/**
 * One event of a webhook delivery as the inbox stores it, whichever service sent it: the account it names (a HubSpot
 * portal, or a QBO realm that the inbox resolves to the accounts connected to it), a content hash that recognises a
 * re-delivery, and the object it is about. Parsing a delivery into these is pure (hubspot-payload.ts,
 * quickbooks-payload.ts); storing them is receive-delivery.ts.
 */
export interface InboxEvent extends Omit<NewEvent, 'portalId'> {
  /** HubSpot: the portal id it names. QuickBooks: the realm id, resolved through the account's connection. */
  account: { portalId: number } | { realmId: string };
  privacyDeletion: boolean;
}

/**
 * A delivery taken apart event by event: one event that cannot be used must not cost the others. `events` holds
 * every event whose account is known, those that cannot be stored as sent carrying a `failure` (they are kept as
 * failed, made storable, and never acted on); `rejected` says why each of the others could not even be attributed
 * to an account (their bytes stay in the stored delivery).
 */
export interface ParsedDelivery {
  events: InboxEvent[];
  rejected: string[];
}

/** A delivery that cannot be taken apart; the message says why, in words, for the person who looks at it. */
export class MalformedDelivery extends Error {}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The same content, however its keys are ordered, always gets the same key: what makes a re-delivery a duplicate. */
export function dedupeKey(content: unknown): string {
  return sha256(canonicalJson(content)).toString('hex');
}

/** The first five problems of a schema mismatch, for the delivery's stored reason; `at` prefixes every path. */
export function describeIssues(error: z.ZodError | Array<{ path: PropertyKey[]; message: string }>, at: PropertyKey[] = []): string {
  const issues = (Array.isArray(error) ? error : error.issues).map((i) => ({ path: [...at, ...i.path], message: i.message }));
  const shown = issues.slice(0, 5).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(body)'}: ${i.message}`);
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return storableText(`${shown.join('; ')}${more}`);
}

/**
 * Parses each element of a batch on its own. Elements that fail the schema are rejected with the reason; if every
 * element fails, the delivery as a whole cannot be understood (`what` names what it should have been).
 */
export function parseEach<S extends z.ZodType>(schema: S, batch: unknown[], what: string): { parsed: Array<{ index: number; data: z.output<S> }>; rejected: string[] } {
  const parsed: Array<{ index: number; data: z.output<S> }> = [];
  const issues: Array<{ index: number; error: z.ZodError }> = [];
  batch.forEach((element, index) => {
    const result = schema.safeParse(element);
    if (result.success) parsed.push({ index, data: result.data });
    else issues.push({ index, error: result.error });
  });
  if (parsed.length === 0 && issues.length > 0) {
    throw new MalformedDelivery(`The body is not ${what}: ${describeIssues(issues.flatMap(({ index, error }) => error.issues.map((i) => ({ path: [index, ...i.path], message: i.message }))))}.`);
  }
  return { parsed, rejected: issues.map(({ index, error }) => `event ${index} cannot be understood: ${describeIssues(error, [index])}`) };
}

/**
 * Why Postgres could not store this event as sent (a NUL or lone surrogate in any string, a nesting too deep, a
 * date outside years 1-9999), or null. The event is then kept as failed, made storable by `storablePayload`.
 */
export function storageProblem(index: number, payload: unknown, occurredAt: { field: string; value: unknown } | null): string | null {
  const found = findUnstorable(payload);
  if (found) return `event ${index}: ${describeJsonProblem(found, 'the event')}`;
  if (occurredAt && occurredAt.value !== undefined && occurredAt.value !== null) {
    const date = new Date(occurredAt.value as string | number);
    const year = date.getUTCFullYear();
    if (!Number.isNaN(date.getTime()) && (year < 1 || year > 9999)) {
      return `event ${index}: ${occurredAt.field} ${storableText(String(occurredAt.value))} is not a date DealBooks can store (year ${year}; years 1 to 9999 are)`;
    }
  }
  return null;
}

export const storablePayload = (payload: unknown): unknown => toStorableJson(payload);

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new MalformedDelivery(`The body is not valid JSON (${(err as Error).message}).`);
  }
}

export function toDate(value: number | string | undefined): Date | null {
  if (value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
