import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { NewEvent } from '../db/webhook-inbox';

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

/** The first five problems of a schema mismatch, for the delivery's stored reason. */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`);
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '';
  return `${shown.join('; ')}${more}`;
}

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
