import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs `npm run hubspot:build` / `hubspot:check` as a person does (the same scripts, in a process of their own) and
 * assembles the extensions they build from.
 */

const REPO = path.resolve(__dirname, '../..');
const REAL_EXTENSIONS = path.join(REPO, 'extensions', 'src');
const PLACEHOLDER_EXTENSIONS = path.join(REPO, 'test', 'fixtures', 'hubspot-app', 'extensions');

export function hubspotCli(script: 'build' | 'check', args: string[]): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'tools', 'hubspot-app', `${script}.ts`), ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dealbooks-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every folder tempDir made (call in afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * An extensions folder to build from: the real shared code, and the real deal card and settings page where they
 * exist (the placeholders of test/fixtures/hubspot-app/extensions until then), plus a test file in each place a
 * test may sit, which the build must leave out.
 */
export function assembleExtensions(): string {
  const dir = path.join(tempDir('extensions'), 'src');
  fs.cpSync(path.join(REAL_EXTENSIONS, 'shared'), path.join(dir, 'shared'), { recursive: true });
  const entries = { cards: 'DealCard.tsx', settings: 'SettingsPage.tsx' } as const;
  for (const [feature, entry] of Object.entries(entries)) {
    const real = path.join(REAL_EXTENSIONS, feature);
    const from = fs.existsSync(path.join(real, entry)) ? real : path.join(PLACEHOLDER_EXTENSIONS, feature);
    fs.cpSync(from, path.join(dir, feature), { recursive: true });
  }
  fs.writeFileSync(path.join(dir, 'cards', 'left-out.test.tsx'), "it('is never uploaded', () => undefined);\n");
  fs.writeFileSync(path.join(dir, 'shared', 'left-out.test.ts'), "it('is never uploaded', () => undefined);\n");
  fs.mkdirSync(path.join(dir, 'settings', '__tests__'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings', '__tests__', 'helper.ts'), 'export const onlyForTests = true;\n');
  return dir;
}

export function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

export const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));
export const writeJson = (file: string, value: unknown) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
