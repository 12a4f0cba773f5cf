import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Tokens at rest: AES-256-GCM, a fresh 96-bit nonce per seal, the 128-bit tag checked on open. The sealed bytes are
 * `version (1) | nonce (12) | tag (16) | ciphertext`; the id of the key that sealed them is stored next to them, so
 * keys can rotate: the current key seals, every listed key opens, and a row sealed under an old key is re-sealed
 * the next time its tokens change. Each value is bound (as GCM additional data) to the row and field it belongs to,
 * so a ciphertext copied into another account's row, or from the refresh column into the access column, does not
 * open.
 */

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class VaultError extends Error {
  override name = 'VaultError';
}

export interface Sealed {
  cipher: Buffer;
  keyId: string;
}

/** A key's public name: a short hash, so logs and rows can say which key sealed a value without revealing it. */
export function keyIdOf(key: Buffer): string {
  return `k${createHash('sha256').update('dealbooks-key-id').update(key).digest('hex').slice(0, 16)}`;
}

export class TokenVault {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  /** `keys[0]` seals; all of them open. Each must be 32 bytes. */
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new VaultError('the token vault needs at least one key');
    for (const key of keys) {
      if (key.length !== 32) throw new VaultError('token encryption keys must be 32 bytes');
      this.keys.set(keyIdOf(key), key);
    }
    this.currentKeyId = keyIdOf(keys[0]!);
  }

  seal(plaintext: string, context: string): Sealed {
    const key = this.keys.get(this.currentKeyId)!;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { cipher: Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]), keyId: this.currentKeyId };
  }

  open(sealed: Buffer, keyId: string, context: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new VaultError(`no key with id ${keyId} is configured (TOKEN_ENCRYPTION_KEY / TOKEN_ENCRYPTION_PREVIOUS_KEYS)`);
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new VaultError('sealed token has an unknown format');
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new VaultError('sealed token failed authentication (tampered, moved to another row, or the wrong key)');
    }
  }

  /** True when the value was sealed by a key other than the current one (re-seal it on the next write). */
  isStale(keyId: string): boolean {
    return keyId !== this.currentKeyId;
  }

  /** A separate key for another purpose (OAuth state signatures), derived so it never equals the sealing key. */
  deriveKey(purpose: string): Buffer {
    const key = this.keys.get(this.currentKeyId)!;
    return Buffer.from(hkdfSync('sha256', key, Buffer.from('dealbooks'), Buffer.from(purpose), 32));
  }
}
