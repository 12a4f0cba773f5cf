import { z } from 'zod';
import { DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URIS, demoApp, startHubSpotSimulator } from './index';
import { parseCliArgs, serveUntilSignalled } from '../common/cli';

/**
 * Runs the HubSpot simulator on its own:
 *   node --import tsx test/simulators/hubspot/cli.ts --port 4002 [--host 127.0.0.1] [--seed demo|empty|none]
 *     [--client-id ..] [--client-secret ..] [--app-id ..] [--redirect-uri ..]... [--webhook-url ..] [--dealbooks-url ..]
 *     [--scope ..]... [--optional-scope ..]...
 * Prints the URL, the app credentials, the seeded tokens and a hint of the control API; stops on SIGINT/SIGTERM
 * (exit 0). A bad command line prints what is wrong and the usage and exits 2, like the QuickBooks CLI.
 */
const USAGE =
  'usage: cli.ts [--port 4002] [--host 127.0.0.1] [--seed demo|empty|none] [--app-id N] [--client-id ID]\n' +
  '  [--client-secret SECRET] [--redirect-uri URL ...] [--webhook-url URL] [--dealbooks-url URL]\n' +
  '  [--scope SCOPE ...] [--optional-scope SCOPE ...]';

/** A HubSpot scope name: `oauth`, `crm.objects.deals.read`, ... (letters, digits, dots, dashes, underscores). */
const scopeName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, { error: 'must be a scope name such as crm.objects.deals.read' });

const argsSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535),
    host: z.union([z.hostname(), z.ipv6()], { error: 'must be a host name or an IP address' }),
    seed: z.enum(['demo', 'empty', 'none']),
    'app-id': z.coerce.number().int().positive(),
    'client-id': z.string().min(1),
    'client-secret': z.string().min(1),
    'redirect-uri': z.array(z.url()).optional(),
    'webhook-url': z.url().optional(),
    'dealbooks-url': z.url().optional(),
    scope: z.array(scopeName).optional(),
    'optional-scope': z.array(scopeName).optional(),
  })
  .strict();

/** The command line, checked; a bad one prints what is wrong and the usage, and exits 2. */
function readArgs(): z.infer<typeof argsSchema> {
  return parseCliArgs(
    {
      port: { type: 'string', default: '4002' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: 'demo' },
      'app-id': { type: 'string', default: String(DEMO_APP_ID) },
      'client-id': { type: 'string', default: DEMO_CLIENT_ID },
      'client-secret': { type: 'string', default: DEMO_CLIENT_SECRET },
      'redirect-uri': { type: 'string', multiple: true },
      'webhook-url': { type: 'string' },
      'dealbooks-url': { type: 'string' },
      scope: { type: 'string', multiple: true },
      'optional-scope': { type: 'string', multiple: true },
    },
    argsSchema,
    USAGE,
  );
}

const values = readArgs();

async function main(): Promise<void> {
  const { port, seed } = values;
  const base = demoApp(values['webhook-url']);
  const app = {
    ...base,
    appId: values['app-id'],
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    redirectUris: values['redirect-uri'] ?? [...DEMO_REDIRECT_URIS],
    // The app's registered scopes (app-hsmeta.json requiredScopes / optionalScopes): installs are granted the
    // required ones, and a call needing a scope the token lacks gets HubSpot's 403 MISSING_SCOPES (auth.ts).
    scopes: values.scope ?? base.scopes,
    optionalScopes: values['optional-scope'] ?? [],
  };
  const sim = await startHubSpotSimulator({ port, host: values.host, seed, apps: [app], dealbooksBaseUrl: values['dealbooks-url'] });

  const lines = [
    `HubSpot simulator listening on ${sim.url}`,
    `  app ${app.appId}: client_id=${app.clientId} client_secret=${app.clientSecret}`,
    `  redirect URIs: ${app.redirectUris.join(' ')}`,
    `  scopes: ${(app.scopes ?? []).join(' ')}${app.optionalScopes.length ? ` (optional: ${app.optionalScopes.join(' ')})` : ''}`,
    `  authorize: ${sim.url}/oauth/authorize?client_id=${encodeURIComponent(app.clientId)}&redirect_uri=${encodeURIComponent(app.redirectUris[0] ?? '')}&scope=${encodeURIComponent((app.scopes ?? []).join(' '))}${app.optionalScopes.length ? `&optional_scope=${encodeURIComponent(app.optionalScopes.join(' '))}` : ''}`,
    `  webhooks -> ${values['webhook-url'] ?? '(none: POST /_sim/apps/' + app.appId + '/webhooks {"targetUrl":...})'}`,
    ...sim.seeded.map((s) => `  installed in portal ${s.portalId}: access_token=${s.accessToken} refresh_token=${s.refreshToken}`),
    `  control: ${sim.url}/_sim (clock, requests, faults, webhooks, reset; oauth/*, apps, limits, card-requests; hubspot/accounts...)`,
  ];
  serveUntilSignalled(sim, lines);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
