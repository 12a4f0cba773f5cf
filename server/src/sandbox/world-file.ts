import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The sandbox's simulated world on disk: both simulators' state, the credentials of the sandbox's apps (the
 * simulators' grants are bound to them) and the world id, in one JSON file under DATA_DIR. Written whole to a
 * temporary file and renamed over the old one, so a crash mid-write leaves the previous world, never half of one.
 */
export const SANDBOX_WORLD_FILE = 'sandbox-world.json';
const FORMAT = 1;

export interface SandboxCredentials {
  quickbooks: { clientId: string; clientSecret: string; verifierToken: string };
  hubspot: { clientId: string; clientSecret: string };
}

export interface SavedWorld {
  format: typeof FORMAT;
  worldId: string;
  savedAt: string;
  credentials: SandboxCredentials;
  quickbooks: unknown;
  hubspot: unknown;
}

export function worldFilePath(dataDir: string): string {
  return path.join(dataDir, SANDBOX_WORLD_FILE);
}

export function newWorldId(): string {
  return `world-${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
}

/** The saved world, or undefined when there is none. A file that cannot be read is an error that names it. */
export async function readWorldFile(file: string): Promise<SavedWorld | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let saved: SavedWorld;
  try {
    saved = JSON.parse(text) as SavedWorld;
  } catch {
    throw new Error(`${file} is not valid JSON; run \`npm run sandbox:reset\` to start the sandbox again from the demo data`);
  }
  if (saved?.format !== FORMAT || typeof saved.worldId !== 'string' || !saved.credentials) {
    throw new Error(`${file} is not a sandbox world this version can read; run \`npm run sandbox:reset\` to start again from the demo data`);
  }
  return saved;
}

export async function writeWorldFile(file: string, world: SavedWorld): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(temporary, JSON.stringify(world), { mode: 0o600 });
  await fs.rename(temporary, file);
}

/**
 * Saves at most once per `delayMs` after changes, one write at a time (a change during a write schedules one more);
 * `flush()` saves now if anything changed and waits for it.
 */
export class DebouncedSaver {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly save: () => Promise<void>,
    private readonly delayMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      try {
        await this.save();
      } catch (err) {
        this.dirty = true;
        this.onError(err);
      }
    });
    await this.writing;
  }
}
