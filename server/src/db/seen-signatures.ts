import { createHash } from 'node:crypto';
import type { Queryable } from './transaction';

/**
 * Signed requests already accepted, kept while their signature could still pass the freshness window: the same
 * signed request arriving twice is a replay. Only a hash is stored. The signature is hashed as decoded bytes, so a
 * replay cannot slip past by re-encoding the same signature differently (base64 decoding is lenient).
 */
function signatureHash(signatureBase64: string): Buffer {
  return createHash('sha256').update(Buffer.from(signatureBase64, 'base64')).digest();
}

/** Records a verified signature; false when it was already recorded (a replay). */
export async function recordSignature(db: Queryable, signatureBase64: string, expiresAt: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO seen_request_signatures (signature_sha256, expires_at) VALUES ($1, $2) ON CONFLICT (signature_sha256) DO NOTHING`,
    [signatureHash(signatureBase64), expiresAt],
  );
  return rowCount === 1;
}

/**
 * Forgets signatures whose window has passed (the database's clock): such a signature is refused as stale anyway,
 * so remembering it longer protects nothing. For housekeeping.
 */
export async function pruneSeenSignatures(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM seen_request_signatures WHERE expires_at < now()`);
  return rowCount ?? 0;
}
