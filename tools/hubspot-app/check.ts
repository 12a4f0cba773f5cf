import fs from 'node:fs';
import path from 'node:path';
import { checkBuiltProject } from './checks';
import { DEFAULT_OUT_DIR, UsageError, readOptions } from './layout';

/**
 * `npm run hubspot:check [-- --dir dist/hubspot-app] [--sandbox]`: validates the built app project offline
 * (./checks.ts) and prints each problem as `file: field: message`; exits 1 on any, so CI stops before an upload
 * would. A build for the local sandbox (plain http on localhost) passes only with `--sandbox`: HubSpot calls only
 * HTTPS addresses, so such a build must never be the one that is uploaded.
 */
async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2), ['dir'], ['sandbox']);
  const dir = path.resolve(options.dir ?? DEFAULT_OUT_DIR);
  if (!fs.existsSync(path.join(dir, 'hsproject.json'))) {
    process.stdout.write(`hubspot:check: no built project in ${dir}; build it first: npm run hubspot:build -- --base-url https://...\n`);
    return 1;
  }
  const problems = await checkBuiltProject(dir, { sandbox: options.sandbox === 'true' });
  const shown = path.relative(process.cwd(), dir) || '.';
  if (problems.length === 0) {
    process.stdout.write(`hubspot:check: ${shown} is a valid DealBooks app project.\n`);
    return 0;
  }
  process.stdout.write(`hubspot:check: ${problems.length} problem(s) in ${shown}:\n`);
  // One line per problem (HubSpot's parser lists the files of a duplicate uid on lines of their own).
  for (const p of problems) process.stdout.write(`  ${p.file}: ${p.field}: ${p.message.replace(/\s*\n\s*/g, ' ')}\n`);
  return 1;
}

main()
  .then((code) => process.exit(code))
  .catch((err) => {
    process.stderr.write(`hubspot:check: ${err instanceof UsageError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  });
