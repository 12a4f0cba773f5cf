import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../clock';

/**
 * OAuth `state` values (and the one-time QuickBooks connect tickets): random, signed with a key derived from the
 * token encryption key, single-use and short-lived. Only a hash is stored, so a database read does not hand out
 * live states. The signature lets a forged or truncated value be refused before the database is asked.
 */
export const STATE_TTL_MS = 10 * 60_000;

export type StateProvider = 'hubspot' | 'quickbooks';
export type StatePurpose = 'authorize' | 'connect_ticket';

export interface StoredState {
  provider: StateProvider;
  purpose: StatePurpose;
  portalId: number | null;
  userId: number | null;
  userEmail: string | null;
  redirectUri: string;
}

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
    await this.pool.query(
      `INSERT INTO oauth_states (state_hash, provider, purpose, portal_id, user_id, user_email, redirect_uri, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [hash(value), input.provider, input.purpose, input.portalId ?? null, input.userId ?? null, input.userEmail ?? null, input.redirectUri, expiresAt],
    );
    return value;
  }

  /** Marks the state used (once, atomically) and returns what it was bound to. */
  async consume(value: string | undefined, expected: { provider: StateProvider; purpose: StatePurpose }): Promise<ConsumeResult> {
    if (!value || !this.signatureValid(value)) return { ok: false, reason: 'malformed' };
    // "AND used_at IS NULL" is re-checked on the row's newest version when two callbacks race: exactly one wins.
    const { rows } = await this.pool.query(
      `UPDATE oauth_states SET used_at = $2
        WHERE state_hash = $1 AND used_at IS NULL
        RETURNING provider, purpose, portal_id, user_id, user_email, redirect_uri, expires_at`,
      [hash(value), this.clock.now()],
    );
    const row = rows[0];
    if (!row) {
      const { rowCount } = await this.pool.query('SELECT 1 FROM oauth_states WHERE state_hash = $1', [hash(value)]);
      return { ok: false, reason: rowCount ? 'used' : 'unknown' };
    }
    if (row.provider !== expected.provider || row.purpose !== expected.purpose) return { ok: false, reason: 'wrong_flow' };
    if (new Date(row.expires_at).getTime() <= this.clock.now().getTime()) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      state: {
        provider: row.provider,
        purpose: row.purpose,
        portalId: row.portal_id === null ? null : Number(row.portal_id),
        userId: row.user_id === null ? null : Number(row.user_id),
        userEmail: row.user_email,
        redirectUri: row.redirect_uri,
      },
    };
  }

  private signatureValid(value: string): boolean {
    const [nonce, signature, extra] = value.split('.');
    if (!nonce || !signature || extra !== undefined) return false;
    const expected = Buffer.from(this.sign(nonce));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
