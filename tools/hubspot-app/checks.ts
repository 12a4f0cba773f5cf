import fs from 'node:fs';
import path from 'node:path';
import { ALLOWED_TOP_LEVEL_FIELDS, Components } from '@hubspot/project-parsing-lib/constants';
import { getProjectMetadata, isKnownPlatformVersion, parseProjectConfig } from '@hubspot/project-parsing-lib/projects';
import { translate } from '@hubspot/project-parsing-lib/translate';
import { validateUid } from '@hubspot/project-parsing-lib/uid';
import { HUBSPOT_REQUIRED_SCOPES } from '../../server/src/hubspot/scopes';
import { derivedUrls, parseBaseUrl } from './base-url';
import { EXTENSION_FEATURES, REPO_ROOT, SHARED_FOLDER } from './layout';
import { CONFIG_SCHEMAS, type AppConfig, type DealBooksComponentType, type WebhooksConfig, fieldOf, projectConfigSchema } from './schemas';
import { BASE_URL_CONSTANT, FORBIDDEN_GLOBALS, SOURCE_EXTENSIONS, baseUrlLiteral, forbiddenGlobalUses, isSourceFile, isTestPath, moduleReferences } from './sources';

/**
 * Checks a BUILT app project offline, the way `hs project upload` would read it plus what DealBooks needs of it.
 * HubSpot's project-parsing-lib does what runs without an account: hsproject.json (parseProjectConfig), which
 * *-hsmeta.json files HubSpot reads and how many of each component there are (getProjectMetadata), the allowed
 * top-level keys, uid rules and component folders (its constants and validateUid), and the intermediate
 * representation the upload sends (translate, which refuses a duplicate uid). Field-level checks use the project's
 * own schemas (./schemas.ts), since HubSpot's are only fetched with a logged-in account.
 */

export interface Problem {
  file: string;
  field: string;
  message: string;
}

const META_SUFFIX = '-hsmeta.json';
/** Components DealBooks' app has exactly one of; the library says which may appear at most once, DealBooks needs each. */
const EXACTLY_ONE = ['app', 'settings', 'webhooks'] as const;
/** What extension code may import: the two packages HubSpot bundles it with (not the test renderer), and itself. */
const ALLOWED_PACKAGES = [/^@hubspot\/ui-extensions(\/(?!testing(\/|$)).+)?$/, /^react(\/jsx-runtime|\/jsx-dev-runtime)?$/];
/** The extension folders' dependencies, pinned to the versions the repository installs and tests with. */
const EXTENSION_DEPENDENCIES = ['@hubspot/ui-extensions', 'react'] as const;

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/**
 * `sandbox`: accept a build for the local sandbox (plain http on localhost or 127.0.0.1). Without it such a build is
 * refused, since HubSpot sends OAuth redirects, hubspot.fetch calls and webhooks only to HTTPS addresses.
 */
export async function checkBuiltProject(projectDir: string, options: { sandbox?: boolean } = {}): Promise<Problem[]> {
  const problems: Problem[] = [];
  const rel = (file: string) => path.relative(projectDir, file) || '.';
  const problem = (file: string, field: string, message: string) => problems.push({ file: rel(file), field, message });
  const hsproject = path.join(projectDir, 'hsproject.json');
  /** Why HubSpot could not use this address, or undefined: HTTPS, or the sandbox's plain http when `--sandbox` says so. */
  const addressProblem = (value: string): string | undefined => {
    const parsed = parseBaseUrl(value);
    if (!parsed.ok) return parsed.problem;
    if (parsed.sandbox && !options.sandbox) {
      return `"${value}" is the local sandbox's plain http address, which HubSpot cannot call (only HTTPS); build with the HTTPS base URL to upload, or pass --sandbox to check a sandbox build`;
    }
    return undefined;
  };

  // hsproject.json: HubSpot's parser first (readable, required fields, srcDir inside and present), then the fields.
  let platformVersion: string;
  try {
    const config = parseProjectConfig(projectDir);
    platformVersion = config.platformVersion;
    const parsed = projectConfigSchema.safeParse(config);
    if (!parsed.success) for (const issue of parsed.error.issues) problem(hsproject, fieldOf('', issue.path), issue.message);
    if (!isKnownPlatformVersion(platformVersion)) problem(hsproject, 'platformVersion', `HubSpot's parser does not know platform version "${platformVersion}"`);
  } catch (err) {
    problem(hsproject, '(file)', err instanceof Error ? err.message : String(err));
    return problems;
  }
  const srcDir = path.join(projectDir, 'src');

  // Which *-hsmeta.json files HubSpot reads: only those directly in a component folder. Any other is ignored.
  const metadata = await getProjectMetadata(srcDir);
  const readByHubSpot = new Set(metadata.hsMetaFiles.map((f) => path.resolve(f)));
  const allMetaFiles = walk(srcDir).filter((f) => f.endsWith(META_SUFFIX));
  for (const file of allMetaFiles) {
    if (!readByHubSpot.has(path.resolve(file))) {
      problem(file, '(location)', 'HubSpot ignores this file: component configuration lies directly in src/app/ or in one feature folder under it (src/app/cards/, src/app/settings/, src/app/webhooks/), never nested deeper');
    }
  }
  for (const type of EXACTLY_ONE) {
    const { count, hsMetaFiles } = metadata.components[type] ?? { count: 0, hsMetaFiles: [] };
    if (count !== 1) {
      const where = path.join(srcDir, type === 'app' ? 'app' : path.join('app', Components[type]!.dir));
      problem(where, '(component count)', `expected exactly one ${type} component, found ${count}${count > 1 ? `: ${hsMetaFiles.map(rel).join(', ')}` : ''}`);
    }
  }
  if ((metadata.components.card?.count ?? 0) === 0) problem(path.join(srcDir, 'app', 'cards'), '(component count)', 'expected the deal card, found no card component');

  // Each file HubSpot reads: top-level keys, uid, type in the right folder, then the config's fields.
  const configs: Partial<Record<DealBooksComponentType, { file: string; config: any }[]>> = {};
  for (const file of allMetaFiles.filter((f) => readByHubSpot.has(path.resolve(f)))) {
    let content: any;
    try {
      content = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      problem(file, '(file)', 'not valid JSON');
      continue;
    }
    if (!content || typeof content !== 'object' || Array.isArray(content)) {
      problem(file, '(file)', 'expected a JSON object');
      continue;
    }
    for (const key of Object.keys(content)) {
      if (!(ALLOWED_TOP_LEVEL_FIELDS as Set<string>).has(key)) problem(file, key, `unexpected top-level key; only ${[...ALLOWED_TOP_LEVEL_FIELDS].join(', ')} are allowed`);
    }
    const uidProblem = validateUid(content.uid);
    if (uidProblem) problem(file, 'uid', uidProblem);
    const type = content.type;
    const component = typeof type === 'string' ? Components[type] : undefined;
    if (!component) {
      problem(file, 'type', `unknown component type ${JSON.stringify(type)}`);
      continue;
    }
    const expectedFolder = component.parentComponent ? path.join(srcDir, Components[component.parentComponent]!.dir, component.dir) : path.join(srcDir, component.dir);
    if (path.dirname(file) !== expectedFolder) problem(file, 'type', `a ${type} component belongs in ${rel(expectedFolder)}/`);
    if (!(type in CONFIG_SCHEMAS)) {
      problem(file, 'type', `DealBooks' app has no ${type} component (only ${Object.keys(CONFIG_SCHEMAS).join(', ')})`);
      continue;
    }
    const parsed = CONFIG_SCHEMAS[type as DealBooksComponentType].safeParse(content.config);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problem(file, fieldOf('config', issue.path), issue.message);
      continue;
    }
    (configs[type as DealBooksComponentType] ??= []).push({ file, config: parsed.data });
  }

  // The representation `hs project upload` sends, built by HubSpot's parser (offline without schema validation).
  try {
    await translate({ projectSourceDir: srcDir, platformVersion }, { skipValidation: true });
  } catch (err) {
    problem(srcDir, 'uid', `HubSpot's parser refused the project: ${err instanceof Error ? err.message : String(err)}`);
  }

  // Entry files: named from the project root, inside the component's own folder, present.
  for (const type of ['card', 'settings'] as const) {
    for (const { file, config } of configs[type] ?? []) {
      const folder = `/app/${Components[type]!.dir}/`;
      const entrypoint: string = config.entrypoint;
      if (!entrypoint.startsWith(folder)) problem(file, 'config.entrypoint', `expected a file under ${folder}, got "${entrypoint}"`);
      else if (!fs.existsSync(path.join(srcDir, entrypoint)) || !fs.statSync(path.join(srcDir, entrypoint)).isFile()) {
        problem(file, 'config.entrypoint', `${rel(path.join(srcDir, entrypoint))} does not exist in the built project`);
      }
    }
  }

  // Scopes: exactly what DealBooks' install flow asks for, so the consent page and the app agree.
  for (const { file, config } of (configs.app ?? []) as { file: string; config: AppConfig }[]) {
    const asked = new Set<string>(HUBSPOT_REQUIRED_SCOPES);
    const declared = config.auth.requiredScopes;
    const missing = [...asked].filter((s) => !declared.includes(s));
    const extra = declared.filter((s) => !asked.has(s));
    const repeated = declared.filter((s, i) => declared.indexOf(s) !== i);
    if (missing.length || extra.length || repeated.length) {
      problem(
        file,
        'config.auth.requiredScopes',
        'must equal the scopes the install flow asks for (server/src/hubspot/scopes.ts HUBSPOT_REQUIRED_SCOPES)' +
          (missing.length ? `; missing: ${missing.join(', ')}` : '') +
          (extra.length ? `; not asked for: ${extra.join(', ')}` : '') +
          (repeated.length ? `; listed twice: ${repeated.join(', ')}` : ''),
      );
    }
    for (const key of ['optionalScopes', 'conditionallyRequiredScopes'] as const) {
      if (config.auth[key].length > 0) problem(file, `config.auth.${key}`, 'must be empty: the install flow asks for required scopes only');
    }
  }

  // Addresses: every one HubSpot calls is on the base URL the extensions fetch from (their built config.ts).
  const bases = new Set<string>();
  for (const feature of EXTENSION_FEATURES) {
    const configFile = path.join(srcDir, 'app', feature, SHARED_FOLDER, 'config.ts');
    const literal = fs.existsSync(configFile) ? baseUrlLiteral(configFile, fs.readFileSync(configFile, 'utf8')) : undefined;
    if (!literal) {
      problem(configFile, BASE_URL_CONSTANT, 'missing: the extensions cannot know where DealBooks answers');
      continue;
    }
    const parsed = parseBaseUrl(literal.value);
    const refused = addressProblem(literal.value);
    if (refused) problem(configFile, BASE_URL_CONSTANT, refused);
    bases.add(parsed.ok ? parsed.base : literal.value);
  }
  if (bases.size > 1) problem(srcDir, BASE_URL_CONSTANT, `the extensions disagree on DealBooks' address: ${[...bases].join(', ')}`);
  const base = bases.size === 1 ? [...bases][0]! : undefined;
  const expected = base ? derivedUrls(base) : undefined;
  const checkUrl = (file: string, field: string, value: string, wanted: string | undefined) => {
    const refused = addressProblem(value);
    if (refused) problem(file, field, refused);
    else if (wanted !== undefined && value !== wanted) problem(file, field, `expected ${wanted} (on the base URL ${base}), got ${value}`);
  };
  for (const { file, config } of (configs.app ?? []) as { file: string; config: AppConfig }[]) {
    config.auth.redirectUrls.forEach((url, i) => checkUrl(file, `config.auth.redirectUrls.${i}`, url, expected?.redirectUrl));
    if (config.auth.redirectUrls.length !== 1) problem(file, 'config.auth.redirectUrls', `expected exactly DealBooks' callback ${expected?.redirectUrl ?? ''}`.trim());
    config.permittedUrls.fetch.forEach((url, i) => checkUrl(file, `config.permittedUrls.fetch.${i}`, url, base));
    if (config.permittedUrls.fetch.length !== 1) problem(file, 'config.permittedUrls.fetch', `expected exactly [${base ?? 'the base URL'}]`);
  }
  for (const { file, config } of (configs.webhooks ?? []) as { file: string; config: WebhooksConfig }[]) {
    checkUrl(file, 'config.settings.targetUrl', config.settings.targetUrl, expected?.webhookTargetUrl);
  }

  // Extension folders: their package.json pins what the repository tests them with; their code stays in the sandbox.
  const rootDependencies = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).dependencies as Record<string, string>;
  for (const feature of EXTENSION_FEATURES) {
    const folder = path.join(srcDir, 'app', feature);
    const packageFile = path.join(folder, 'package.json');
    let dependencies: Record<string, unknown> = {};
    try {
      dependencies = JSON.parse(fs.readFileSync(packageFile, 'utf8')).dependencies ?? {};
    } catch {
      problem(packageFile, '(file)', 'missing or not JSON: HubSpot installs the extension\'s dependencies from it');
    }
    for (const name of EXTENSION_DEPENDENCIES) {
      if (dependencies[name] !== rootDependencies[name]) {
        problem(packageFile, `dependencies.${name}`, `expected "${rootDependencies[name]}" (the version the repository's package.json installs and tests with), got ${JSON.stringify(dependencies[name])}`);
      }
    }
    for (const file of walk(folder)) {
      const inFolder = path.relative(folder, file);
      if (isTestPath(inFolder)) {
        problem(file, '(file)', 'test code must not be uploaded');
        continue;
      }
      if (!isSourceFile(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const ref of moduleReferences(file, text)) {
        if (ref.specifier.startsWith('.')) {
          const target = path.resolve(path.dirname(file), ref.specifier);
          if (path.relative(folder, target).startsWith('..')) problem(file, `import (line ${ref.line})`, `"${ref.specifier}" reaches outside ${rel(folder)}/; each feature folder is bundled on its own`);
          else if (!resolvesToFile(target)) problem(file, `import (line ${ref.line})`, `"${ref.specifier}" does not resolve to a file in the built project`);
        } else if (!ALLOWED_PACKAGES.some((allowed) => allowed.test(ref.specifier))) {
          problem(file, `import (line ${ref.line})`, `"${ref.specifier}": extensions may import only @hubspot/ui-extensions, react and their own relative files`);
        }
      }
      for (const use of forbiddenGlobalUses(file, text)) {
        problem(file, `${use.name} (line ${use.line})`, `extensions run in HubSpot's sandbox without ${FORBIDDEN_GLOBALS.join(', ')}; reach DealBooks with hubspot.fetch`);
      }
    }
  }
  return problems;
}

function resolvesToFile(target: string): boolean {
  const candidates = [target, ...SOURCE_EXTENSIONS.map((ext) => target + ext), ...SOURCE_EXTENSIONS.map((ext) => path.join(target, `index${ext}`))];
  return candidates.some((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
}
