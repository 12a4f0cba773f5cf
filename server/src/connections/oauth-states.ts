import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../clock';
import { insertState, stateExists, useState, type StatePurpose, type StateProvider, type StoredState } from '../db/oauth-states';

/**
 * OAuth `state` values (and the one-time QuickBooks connect tickets): random, signed with a key derived from the
 * token encryption key, single-use and short-lived. Only a hash is stored, so a database read does not hand out
 * live states. The signature lets a forged or truncated value be refused before the database is asked.
 */
export const STATE_TTL_MS = 10 * 60_000;

export type { StatePurpose, StateProvider, StoredState };

export type ConsumeResult =
  | { ok: true; state: StoredState }
  | { ok: false; reason: 'malformed' | 'unknown' | 'used' | 'expired' | 'wrong_flow' };

const hash = (value: string) => createHash('sha256').update(value).digest();

export class OAuthStates {
  constructor(
    private readonly pool: pg.Pool,
    private readonly signingKey: Buffer,
    private readonly clock: Clock,
  ) {}

  private sign(nonce: string): string {
    return createHmac('sha256', this.signingKey).update(nonce).digest('base64url');
  }

  async create(input: Omit<StoredState, 'portalId' | 'userId' | 'userEmail'> & Partial<Pick<StoredState, 'portalId' | 'userId' | 'userEmail'>>): Promise<string> {
    const nonce = randomBytes(24).toString('base64url');
    const value = `${nonce}.${this.sign(nonce)}`;
    const expiresAt = new Date(this.clock.now().getTime() + STATE_TTL_MS);
    await insertState(
      this.pool,
      hash(value),
      { ...input, portalId: input.portalId ?? null, userId: input.userId ?? null, userEmail: input.userEmail ?? null },
      expiresAt,
    );
    return value;
  }

  /** Marks the state used (once, atomically) and returns what it was bound to. */
  async consume(value: string | undefined, expected: { provider: StateProvider; purpose: StatePurpose }): Promise<ConsumeResult> {
    if (!value || !this.signatureValid(value)) return { ok: false, reason: 'malformed' };
    const used = await useState(this.pool, hash(value), this.clock.now());
    if (!used) return { ok: false, reason: (await stateExists(this.pool, hash(value))) ? 'used' : 'unknown' };
    if (used.provider !== expected.provider || used.purpose !== expected.purpose) return { ok: false, reason: 'wrong_flow' };
    if (used.expiresAt.getTime() <= this.clock.now().getTime()) return { ok: false, reason: 'expired' };
    const { provider, purpose, portalId, userId, userEmail, redirectUri } = used;
    return { ok: true, state: { provider, purpose, portalId, userId, userEmail, redirectUri } };
  }

  private signatureValid(value: string): boolean {
    const [nonce, signature, extra] = value.split('.');
    if (!nonce || !signature || extra !== undefined) return false;
    const expected = Buffer.from(this.sign(nonce));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
