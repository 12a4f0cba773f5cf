import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The workbench's browser code, bundled by esbuild from the sources on disk:
 * - `page.js`: the workbench page (workbench/src/page);
 * - `card.js` and `settings.js`: the deal card and the settings page as HubSpot runs them, each a Web Worker bundle
 *   of the worker runtime (workbench/src/worker/runtime.ts, HubSpot's worker globals) followed by the extension's
 *   entry file, taken from the HubSpot app project as `npm run hubspot:build` writes it for this service's address
 *   (the project uploaded to HubSpot, built for the sandbox), so the code the workbench runs is the code HubSpot runs.
 *
 * Bundles are rebuilt when a source file changes, so a developer editing the card sees the change on reload.
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const WATCHED = [path.join(REPO_ROOT, 'extensions', 'src'), path.join(REPO_ROOT, 'workbench', 'src'), path.join(REPO_ROOT, 'hubspot-app', 'src')];
const RUNTIME = path.join(REPO_ROOT, 'workbench', 'src', 'worker', 'runtime.ts');
const PAGE = path.join(REPO_ROOT, 'workbench', 'src', 'page', 'main.tsx');

/** The extension point each worker bundle runs, and the app project's config file that names its entry. */
export const EXTENSIONS = {
  card: { meta: path.join('src', 'app', 'cards', 'deal-card-hsmeta.json') },
  settings: { meta: path.join('src', 'app', 'settings', 'settings-hsmeta.json') },
} as const;

export type BundleName = 'page' | keyof typeof EXTENSIONS;

export interface Bundles {
  /** Changes whenever a source changes: part of the page's script addresses, so a browser never runs a stale bundle. */
  version: string;
  files: Record<BundleName, string>;
}

/** The newest modification time under the watched folders: cheap enough to read on every page load. */
export function sourcesVersion(): string {
  let newest = 0;
  let count = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        count += 1;
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  for (const dir of WATCHED) if (fs.existsSync(dir)) walk(dir);
  return `${Math.floor(newest).toString(36)}${count.toString(36)}`;
}

/** Bundles for the service at `baseUrl`, rebuilt only when the sources changed since the last call. */
export function workbenchBundler(baseUrl: string): () => Promise<Bundles> {
  let current: { version: string; bundles: Promise<Bundles> } | undefined;
  return () => {
    const version = sourcesVersion();
    if (!current || current.version !== version) {
      const bundles = build(baseUrl, version);
      current = { version, bundles };
      // A failed build is not kept: the next load tries again (the developer may be fixing it).
      bundles.catch(() => {
        if (current?.bundles === bundles) current = undefined;
      });
    }
    return current.bundles;
  };
}

async function build(baseUrl: string, version: string): Promise<Bundles> {
  // Loaded here, in sandbox mode only: a production process never loads the bundler or the app project's builder.
  const esbuild = await import('esbuild');
  const { buildProject } = await import('../../../tools/hubspot-app/build');
  const { DEFAULT_EXTENSIONS_DIR } = await import('../../../tools/hubspot-app/layout');

  const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealbooks-workbench-'));
  try {
    buildProject({ baseUrl, outDir: projectDir, extensionsDir: DEFAULT_EXTENSIONS_DIR });
    const common: import('esbuild').BuildOptions = {
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2022',
      jsx: 'automatic',
      charset: 'utf8',
      logLevel: 'silent',
      // The built project lies outside the repository: packages resolve from the repository's node_modules.
      nodePaths: [path.join(REPO_ROOT, 'node_modules')],
      define: { 'process.env.NODE_ENV': '"production"' },
    };
    const bundle = async (contents: string, name: string) => {
      const result = await esbuild.build({ ...common, stdin: { contents, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: `${name}.ts` } });
      return result.outputFiles![0]!.text;
    };
    const worker = (kind: keyof typeof EXTENSIONS) => {
      const meta = JSON.parse(fs.readFileSync(path.join(projectDir, EXTENSIONS[kind].meta), 'utf8')) as { config: { entrypoint: string } };
      const entry = path.join(projectDir, 'src', meta.config.entrypoint);
      // The runtime first: HubSpot's worker globals must exist before the extension's code reads them.
      return bundle(`import ${JSON.stringify(RUNTIME)};\nimport ${JSON.stringify(entry)};\n`, kind);
    };
    const [page, card, settings] = await Promise.all([bundle(`import ${JSON.stringify(PAGE)};\n`, 'page'), worker('card'), worker('settings')]);
    return { version, files: { page, card, settings } };
  } finally {
    fs.rmSync(projectDir, { recursive: true, force: true });
  }
}
