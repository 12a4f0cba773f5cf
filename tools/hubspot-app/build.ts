import fs from 'node:fs';
import path from 'node:path';
import { derivedUrls, parseBaseUrl } from './base-url';
import { DEFAULT_EXTENSIONS_DIR, DEFAULT_OUT_DIR, EXTENSION_FEATURES, PROJECT_SOURCE, REPO_ROOT, SHARED_FOLDER, UsageError, readOptions } from './layout';
import { BASE_URL_CONSTANT, baseUrlLiteral, isSourceFile, isTestPath, moduleReferences, spliceAll } from './sources';

/**
 * `npm run hubspot:build -- --base-url https://dealbooks.example.com [--out dist/hubspot-app] [--extensions dir]`
 *
 * Writes the HubSpot app project that `hs project upload` sends, self-contained: hubspot-app/ (hsproject.json and
 * the *-hsmeta.json files) with the extensions' code copied into its feature folders and every address HubSpot
 * uses to reach DealBooks taken from the one base URL. Tests are never copied. `npm run hubspot:check` validates
 * the result.
 */

export class BuildError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface BuildOptions {
  baseUrl: string;
  outDir: string;
  extensionsDir: string;
}

function listFiles(dir: string, relative = ''): string[] {
  const entries = fs.readdirSync(path.join(dir, relative), { withFileTypes: true });
  return entries.flatMap((entry) => {
    const rel = path.join(relative, entry.name);
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, 'utf8'));
const writeJson = (file: string, value: unknown) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
const isInside = (child: string, parent: string) => child === parent || child.startsWith(parent + path.sep);
const shown = (file: string) => path.relative(REPO_ROOT, file) || '.';

/** The entry files the project's *-hsmeta.json name in a feature folder (`/app/cards/DealCard.tsx` -> `DealCard.tsx`). */
function entrypointsOf(feature: string): { metaFile: string; entry: string }[] {
  const folder = path.join(PROJECT_SOURCE, 'src', 'app', feature);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith('-hsmeta.json'))
    .map((name) => {
      const metaFile = path.join(folder, name);
      const entrypoint = String(readJson(metaFile)?.config?.entrypoint ?? '');
      return { metaFile, entry: entrypoint.replace(new RegExp(`^/app/${feature}/`), '') };
    });
}

/** Refuses an output directory whose removal could destroy something other than a previous build. */
function prepareOutDir(outDir: string): void {
  const protectedDirs = [PROJECT_SOURCE, path.join(REPO_ROOT, 'extensions'), path.join(REPO_ROOT, 'server'), path.join(REPO_ROOT, 'test')];
  if (isInside(REPO_ROOT, outDir) || protectedDirs.some((dir) => isInside(outDir, dir))) {
    throw new BuildError([`--out ${outDir}: refusing to build into the repository itself or its source folders; choose e.g. dist/hubspot-app`]);
  }
  if (fs.existsSync(outDir)) {
    const previousBuild = fs.existsSync(path.join(outDir, 'hsproject.json'));
    if (!previousBuild && fs.readdirSync(outDir).length > 0) {
      throw new BuildError([`--out ${outDir}: the folder exists, is not empty and holds no earlier build (no hsproject.json); refusing to replace it`]);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

export function buildProject({ baseUrl, outDir, extensionsDir }: BuildOptions): { base: string; sandbox: boolean; files: string[] } {
  const parsed = parseBaseUrl(baseUrl);
  if (!parsed.ok) throw new BuildError([`--base-url: ${parsed.problem}`]);
  const { base } = parsed;

  // Every missing input at once, before anything is written.
  const problems: string[] = [];
  const sharedDir = path.join(extensionsDir, SHARED_FOLDER);
  if (!fs.existsSync(sharedDir)) problems.push(`${shown(sharedDir)}: the extensions' shared code is missing`);
  for (const feature of EXTENSION_FEATURES) {
    for (const { metaFile, entry } of entrypointsOf(feature)) {
      const file = path.join(extensionsDir, feature, entry);
      if (!entry || !fs.existsSync(file)) {
        problems.push(`${shown(file)}: missing; ${shown(metaFile)} names it as its entrypoint, so the extension must exist before the project can be built`);
      }
    }
  }
  if (problems.length > 0) throw new BuildError(problems);

  prepareOutDir(outDir);
  fs.cpSync(PROJECT_SOURCE, outDir, { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });

  const written: string[] = [];
  for (const feature of EXTENSION_FEATURES) {
    const featureSource = path.join(extensionsDir, feature);
    const featureOut = path.join(outDir, 'src', 'app', feature);
    // Where each extension file lands: its own folder's files at the feature folder, shared/ inside it.
    const destinationOf = (sourceFile: string): string | undefined => {
      if (isInside(sourceFile, featureSource)) return path.join(featureOut, path.relative(featureSource, sourceFile));
      if (isInside(sourceFile, sharedDir)) return path.join(featureOut, SHARED_FOLDER, path.relative(sharedDir, sourceFile));
      return undefined;
    };
    const sources = [
      ...(fs.existsSync(featureSource) ? listFiles(featureSource).map((rel) => ({ root: featureSource, rel })) : []),
      ...listFiles(sharedDir).map((rel) => ({ root: sharedDir, rel })),
    ].filter(({ rel }) => !isTestPath(rel));

    for (const { root, rel } of sources) {
      const sourceFile = path.join(root, rel);
      const destination = destinationOf(sourceFile)!;
      if (root === featureSource && rel.split(path.sep)[0] === SHARED_FOLDER) {
        problems.push(`${shown(sourceFile)}: a "${SHARED_FOLDER}" folder inside ${feature}/ would collide with the copy of ${shown(sharedDir)}; rename it`);
        continue;
      }
      if (rel.endsWith('-hsmeta.json')) {
        problems.push(`${shown(sourceFile)}: component configuration belongs in hubspot-app/src/app/${feature}/, not among the extension's code`);
        continue;
      }
      if (fs.existsSync(destination)) {
        problems.push(`${shown(sourceFile)}: would overwrite ${path.relative(outDir, destination)} of hubspot-app/; rename it`);
        continue;
      }
      let text = fs.readFileSync(sourceFile, 'utf8');
      if (isSourceFile(sourceFile)) {
        const edits: { start: number; end: number; replacement: string }[] = [];
        for (const ref of moduleReferences(sourceFile, text)) {
          if (!ref.specifier.startsWith('.')) continue;
          const target = destinationOf(path.resolve(path.dirname(sourceFile), ref.specifier));
          if (!target) {
            problems.push(`${shown(sourceFile)}:${ref.line}: imports "${ref.specifier}", outside ${feature}/ and ${SHARED_FOLDER}/; the built ${feature} folder could not carry it`);
            continue;
          }
          let specifier = path.relative(path.dirname(destination), target).split(path.sep).join('/');
          if (!specifier.startsWith('.')) specifier = `./${specifier}`;
          if (specifier !== ref.specifier) edits.push({ start: ref.start, end: ref.end, replacement: specifier });
        }
        text = spliceAll(text, edits);
      }
      if (root === sharedDir && rel === 'config.ts') {
        const literal = baseUrlLiteral(sourceFile, text);
        if (!literal) {
          problems.push(`${shown(sourceFile)}: no \`export const ${BASE_URL_CONSTANT} = '...'\` to write the base URL into`);
          continue;
        }
        text = spliceAll(text, [{ start: literal.start, end: literal.end, replacement: JSON.stringify(base) }]);
      }
      fs.mkdirSync(path.dirname(destination), { recursive: true });
      fs.writeFileSync(destination, text);
      written.push(path.relative(outDir, destination));
    }
  }
  if (problems.length > 0) {
    fs.rmSync(outDir, { recursive: true, force: true });
    throw new BuildError(problems);
  }

  const urls = derivedUrls(base);
  const appMetaFile = path.join(outDir, 'src', 'app', 'app-hsmeta.json');
  const appMeta = readJson(appMetaFile);
  appMeta.config.auth.redirectUrls = [urls.redirectUrl];
  appMeta.config.permittedUrls.fetch = urls.permittedFetch;
  writeJson(appMetaFile, appMeta);
  const webhooksMetaFile = path.join(outDir, 'src', 'app', 'webhooks', 'webhooks-hsmeta.json');
  const webhooksMeta = readJson(webhooksMetaFile);
  webhooksMeta.config.settings.targetUrl = urls.webhookTargetUrl;
  writeJson(webhooksMetaFile, webhooksMeta);

  return { base, sandbox: parsed.sandbox, files: written.sort() };
}

function main(): number {
  try {
    const options = readOptions(process.argv.slice(2), ['base-url', 'out', 'extensions']);
    if (!options['base-url']) throw new UsageError('--base-url is required: the HTTPS address HubSpot uses to reach DealBooks (its PUBLIC_BASE_URL)');
    const outDir = path.resolve(options.out ?? DEFAULT_OUT_DIR);
    const { base, sandbox, files } = buildProject({
      baseUrl: options['base-url'],
      outDir,
      extensionsDir: path.resolve(options.extensions ?? DEFAULT_EXTENSIONS_DIR),
    });
    const dirOption = outDir === DEFAULT_OUT_DIR ? [] : [`--dir ${outDir}`];
    // Only an HTTPS build may be uploaded: HubSpot cannot call the sandbox's plain http address.
    const next = sandbox
      ? `This build is for the local sandbox (plain http) and is not for upload. Check it with \`npm run hubspot:check -- ${[...dirOption, '--sandbox'].join(' ')}\`.\n`
      : `Check it with \`npm run hubspot:check${dirOption.length === 0 ? '' : ` -- ${dirOption[0]}`}\`, then upload it with \`hs project upload\` from that folder.\n`;
    process.stdout.write(`Built the HubSpot app project for ${base} in ${path.relative(process.cwd(), outDir) || '.'} (${files.length} extension files).\n${next}`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`hubspot:build: ${err.message}\n`);
      return 2;
    }
    if (err instanceof BuildError) {
      process.stderr.write(`hubspot:build: nothing usable was built:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) process.exit(main());
