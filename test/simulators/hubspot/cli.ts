import { parseArgs } from 'node:util';
import { DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URIS, demoApp, startHubSpotSimulator } from './index';

/**
 * Runs the HubSpot simulator on its own:
 *   node --import tsx test/simulators/hubspot/cli.ts --port 4002 [--host 127.0.0.1] [--seed demo|empty|none]
 *     [--client-id ..] [--client-secret ..] [--app-id ..] [--redirect-uri ..]... [--webhook-url ..] [--dealbooks-url ..]
 * Prints the URL, the app credentials, the seeded tokens and a hint of the control API; stops on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4002' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: 'demo' },
      'app-id': { type: 'string', default: String(DEMO_APP_ID) },
      'client-id': { type: 'string', default: DEMO_CLIENT_ID },
      'client-secret': { type: 'string', default: DEMO_CLIENT_SECRET },
      'redirect-uri': { type: 'string', multiple: true },
      'webhook-url': { type: 'string' },
      'dealbooks-url': { type: 'string' },
    },
    strict: true,
  });
  const seed = values.seed;
  if (seed !== 'demo' && seed !== 'empty' && seed !== 'none') throw new Error(`--seed must be demo, empty or none (got ${seed})`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number (got ${values.port})`);

  const base = demoApp(values['webhook-url']);
  const app = {
    ...base,
    appId: Number(values['app-id']),
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    redirectUris: values['redirect-uri'] ?? [...DEMO_REDIRECT_URIS],
  };
  const sim = await startHubSpotSimulator({ port, host: values.host, seed, apps: [app], dealbooksBaseUrl: values['dealbooks-url'] });

  const lines = [
    `HubSpot simulator listening on ${sim.url}`,
    `  app ${app.appId}: client_id=${app.clientId} client_secret=${app.clientSecret}`,
    `  redirect URIs: ${app.redirectUris.join(' ')}`,
    `  authorize: ${sim.url}/oauth/authorize?client_id=${encodeURIComponent(app.clientId)}&redirect_uri=${encodeURIComponent(app.redirectUris[0] ?? '')}&scope=${encodeURIComponent((app.scopes ?? []).join(' '))}`,
    `  webhooks -> ${values['webhook-url'] ?? '(none: POST /_sim/apps/' + app.appId + '/webhooks {"targetUrl":...})'}`,
    ...sim.seeded.map((s) => `  installed in portal ${s.portalId}: access_token=${s.accessToken} refresh_token=${s.refreshToken}`),
    `  control: ${sim.url}/_sim (clock, requests, faults, webhooks, reset; oauth/*, apps, limits, card-requests; hubspot/accounts...)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
