import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/src/config';
import { SANDBOX_KEY_FILE, vaultFromConfig } from '../../server/src/security/encryption-key';
import { keyIdOf, TokenVault, VaultError } from '../../server/src/security/token-vault';
import { captureLogger, silentLogger } from '../support/harness';

describe('token vault (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const vault = new TokenVault([key]);

  it('When a token is sealed, then it opens to the same text and the sealed bytes do not contain it', () => {
    const sealed = vault.seal('eyJ-access-token-value', 'qbo:1:9:access');
    expect(sealed.keyId).toBe(keyIdOf(key));
    expect(sealed.cipher.includes(Buffer.from('eyJ-access-token-value'))).toBe(false);
    expect(vault.open(sealed.cipher, sealed.keyId, 'qbo:1:9:access')).toBe('eyJ-access-token-value');
  });

  it('When the same token is sealed twice, then the ciphertexts differ (a fresh nonce each time)', () => {
    expect(vault.seal('same', 'c').cipher.equals(vault.seal('same', 'c').cipher)).toBe(false);
  });

  it('When a sealed token is moved to another row or field, then it does not open', () => {
    const sealed = vault.seal('refresh-token', 'qbo:1:9:refresh');
    expect(() => vault.open(sealed.cipher, sealed.keyId, 'qbo:2:9:refresh')).toThrow(VaultError);
    expect(() => vault.open(sealed.cipher, sealed.keyId, 'qbo:1:9:access')).toThrow(VaultError);
  });

  it('When one bit of the sealed bytes changes, then opening fails', () => {
    const sealed = vault.seal('token', 'c');
    for (const index of [1, 14, 30, sealed.cipher.length - 1]) {
      const tampered = Buffer.from(sealed.cipher);
      tampered[index]! ^= 1;
      expect(() => vault.open(tampered, sealed.keyId, 'c')).toThrow(VaultError);
    }
  });

  it('When the key rotates, then old tokens still open with the retired key, new ones seal under the new key', () => {
    const old = vault.seal('sealed-before-rotation', 'c');
    const newKey = randomBytes(32);
    const rotated = new TokenVault([newKey, key]);
    expect(rotated.open(old.cipher, old.keyId, 'c')).toBe('sealed-before-rotation');
    expect(rotated.isStale(old.keyId)).toBe(true);
    const fresh = rotated.seal('after', 'c');
    expect(fresh.keyId).toBe(keyIdOf(newKey));
    expect(() => vault.open(fresh.cipher, fresh.keyId, 'c')).toThrow(/no key with id/);
  });

  it('When TOKEN_ENCRYPTION_PREVIOUS_KEYS lists retired keys, then the configured vault opens their tokens', async () => {
    const old = vault.seal('t', 'c');
    const config = loadConfig({ SANDBOX: '1', TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), TOKEN_ENCRYPTION_PREVIOUS_KEYS: key.toString('base64') });
    const configured = await vaultFromConfig(config, silentLogger);
    expect(configured.open(old.cipher, old.keyId, 'c')).toBe('t');
  });

  it('When the sandbox starts with no key, then it generates one in DATA_DIR (owner-only), warns once, and reuses it next time', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dealbooks-vault-'));
    try {
      const config = loadConfig({ SANDBOX: '1', DATA_DIR: dataDir });
      const logs = captureLogger('warn');
      const first = await vaultFromConfig(config, logs.logger);
      const file = path.join(dataDir, SANDBOX_KEY_FILE);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      expect(logs.entries().filter((e) => /generated a token encryption key/.test(String(e.msg)))).toHaveLength(1);
      expect(logs.text()).not.toContain((await fs.readFile(file, 'utf8')).trim());
      const sealed = first.seal('kept across restarts', 'c');
      const again = captureLogger('warn');
      const second = await vaultFromConfig(config, again.logger);
      expect(second.open(sealed.cipher, sealed.keyId, 'c')).toBe('kept across restarts');
      expect(again.entries()).toHaveLength(0);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('When the key file is damaged, then the sandbox refuses to start instead of replacing it (its tokens would be lost)', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dealbooks-vault-'));
    try {
      await fs.writeFile(path.join(dataDir, SANDBOX_KEY_FILE), 'not a key\n');
      await expect(vaultFromConfig(loadConfig({ SANDBOX: '1', DATA_DIR: dataDir }), silentLogger)).rejects.toThrow(/32-byte base64 key/);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
