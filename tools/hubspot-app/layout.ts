import path from 'node:path';

/**
 * Where things are, in the repository and in the built project. The built project keeps HubSpot's layout (one folder
 * per feature directly under src/app/, nothing nested): each extension folder is a feature folder of its own, and
 * the shared code is copied into each of them as `shared/`, so every feature folder is self-contained beside its
 * own package.json. A `src/app/shared/` folder would have no *-hsmeta.json: project-parsing-lib ignores it when it
 * looks for components, but whether HubSpot's bundler lets a card import from outside its own folder is not
 * documented, so the build does not rely on it.
 */
export const REPO_ROOT = path.resolve(__dirname, '../..');
export const PROJECT_SOURCE = path.join(REPO_ROOT, 'hubspot-app');
export const DEFAULT_EXTENSIONS_DIR = path.join(REPO_ROOT, 'extensions', 'src');
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, 'dist', 'hubspot-app');

/** The extension folders (extensions/src/<name>), each built into src/app/<name>/ of the project. */
export const EXTENSION_FEATURES = ['cards', 'settings'] as const;
/** The folder of code both extensions use; copied into each feature folder under this name. */
export const SHARED_FOLDER = 'shared';

/** Reads `--name value` options and bare `--flag`s (given: 'true'); anything else is a usage error with words. */
export function readOptions(argv: string[], allowed: string[], flags: string[] = []): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const name = (flag ?? '').replace(/^--/, '');
    if (arg.startsWith('--') && flags.includes(name) && inline === undefined) {
      options[name] = 'true';
      continue;
    }
    if (!arg.startsWith('--') || !allowed.includes(name)) {
      throw new UsageError(`unknown argument "${arg}"; expected ${[...allowed.map((a) => `--${a} <value>`), ...flags.map((f) => `--${f}`)].join(', ')}`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    options[name] = value;
  }
  return options;
}

export class UsageError extends Error {}
