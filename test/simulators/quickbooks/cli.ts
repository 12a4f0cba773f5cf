/**
 * Runs the QuickBooks Online simulator as a process:
 *   node --import tsx test/simulators/quickbooks/cli.ts --port 4001 [--host 127.0.0.1] [--seed demo|empty|none]
 *     [--client-id ID] [--client-secret SECRET] [--redirect-uri URL ...] [--webhook-url URL]
 *     [--verifier-token TOKEN] [--webhook-format cloudevents|legacy] [--webhook-window-ms MS]
 *     [--auth-fault-style lowercase|json|xml]
 * Prints where it listens, the app's credentials and how to drive it; runs until SIGINT/SIGTERM, then exits 0.
 */
import { z } from 'zod';
import { DEMO_APP, DEMO_REALM_ID, DEMO_VERIFIER_TOKEN, startQuickbooksSimulator } from './index';
import { parseCliArgs, serveUntilSignalled } from '../common/cli';

const USAGE =
  'usage: cli.ts [--port 4001] [--host 127.0.0.1] [--seed demo|empty|none] [--client-id ID] [--client-secret SECRET]\n' +
  '  [--redirect-uri URL ...] [--webhook-url URL] [--verifier-token TOKEN] [--webhook-format cloudevents|legacy]\n' +
  '  [--webhook-window-ms MS]\n' +
  '  [--auth-fault-style lowercase|json|xml]';

const argsSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535),
    host: z.string().min(1),
    seed: z.enum(['demo', 'empty', 'none']),
    'client-id': z.string().min(1),
    'client-secret': z.string().min(1),
    'redirect-uri': z.array(z.url()).optional(),
    'webhook-url': z.url().optional(),
    'verifier-token': z.string().min(1),
    'webhook-format': z.enum(['cloudevents', 'legacy']),
    // Intuit aggregates production webhooks for 1, 3 or 5 minutes (INTUIT_AGGREGATION_WINDOWS_MS); 0 sends at once.
    'webhook-window-ms': z.coerce.number().int().min(0),
    'auth-fault-style': z.enum(['lowercase', 'json', 'xml']),
  })
  .strict();

/** The command line, checked; a bad one prints what is wrong and the usage, and exits 2. */
function readArgs(): z.infer<typeof argsSchema> {
  return parseCliArgs(
    {
      port: { type: 'string', default: '4001' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: 'demo' },
      'client-id': { type: 'string', default: DEMO_APP.clientId },
      'client-secret': { type: 'string', default: DEMO_APP.clientSecret },
      'redirect-uri': { type: 'string', multiple: true },
      'webhook-url': { type: 'string' },
      'verifier-token': { type: 'string', default: DEMO_VERIFIER_TOKEN },
      'webhook-format': { type: 'string', default: 'cloudevents' },
      'webhook-window-ms': { type: 'string', default: '0' },
      'auth-fault-style': { type: 'string', default: 'lowercase' },
    },
    argsSchema,
    USAGE,
  );
}

const args = readArgs();

async function main(): Promise<void> {
  const app = { clientId: args['client-id'], clientSecret: args['client-secret'], redirectUris: args['redirect-uri'] ?? [...DEMO_APP.redirectUris] };
  const sim = await startQuickbooksSimulator({
    port: args.port,
    host: args.host,
    seed: args.seed,
    apps: [app],
    authFaultStyle: args['auth-fault-style'],
    webhook: { url: args['webhook-url'] ?? null, verifierToken: args['verifier-token'], format: args['webhook-format'], windowMs: args['webhook-window-ms'] },
  });
  const lines = [
    `QuickBooks Online simulator listening on ${sim.url}`,
    `  client id:      ${app.clientId}`,
    `  client secret:  ${app.clientSecret}`,
    `  redirect URIs:  ${app.redirectUris.join(', ')}`,
    args.seed === 'none' ? '  companies:      none yet (the first authorization creates one)' : `  demo realmId:   ${DEMO_REALM_ID}`,
    `  webhooks:       ${args['webhook-url'] ? `${args['webhook-format']} -> ${args['webhook-url']}` : 'off (POST /_sim/webhooks/config to turn on)'}`,
    `  OAuth:          ${sim.url}/connect/oauth2, ${sim.url}/oauth2/v1/tokens/bearer, ${sim.url}/v2/oauth2/tokens/revoke`,
    `  control:        ${sim.url}/_sim (clock, faults, requests, webhooks, oauth, limits, quickbooks) - see test/simulators/README.md`,
  ];
  serveUntilSignalled(sim, lines);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
