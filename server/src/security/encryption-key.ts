import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { TokenVault } from './token-vault';

export const SANDBOX_KEY_FILE = 'token-encryption.key';

/**
 * The vault from the configuration. Outside the sandbox TOKEN_ENCRYPTION_KEY is required (config refuses to start
 * without it). The sandbox, run on a fresh machine with nothing configured, generates a key once and keeps it in
 * DATA_DIR (mode 0600) next to the embedded database it protects, and says so: that file is the only way to read
 * the stored tokens.
 */
export async function vaultFromConfig(config: Config, logger: Logger): Promise<TokenVault> {
  const previous = config.previousTokenEncryptionKeys;
  if (config.tokenEncryptionKey) return new TokenVault([config.tokenEncryptionKey, ...previous]);
  if (!config.sandbox) throw new Error('TOKEN_ENCRYPTION_KEY is required outside the sandbox');
  const file = path.join(config.dataDir, SANDBOX_KEY_FILE);
  let key: Buffer;
  try {
    key = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key; move it away to generate a new one`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    key = randomBytes(32);
    await fs.mkdir(config.dataDir, { recursive: true });
    // 'wx': never overwrite a key another process wrote a moment ago (its tokens would become unreadable).
    await fs.writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (writeErr) => {
      if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
      key = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'base64');
    });
    logger.warn(
      { file },
      `Sandbox: generated a token encryption key in ${file}. Stored tokens can only be read with it; set TOKEN_ENCRYPTION_KEY for any real deployment.`,
    );
  }
  return new TokenVault([key, ...previous]);
}
