import type { Clock } from '../../server/src/clock';
import type { AppContext } from '../../server/src/context';
import type { Logger } from '../../server/src/logger';
import { startSandbox, type Sandbox } from '../../server/src/sandbox/sandbox';
import { SimClock } from '../simulators/common/clock';
import { silentLogger, startTestService, testConfig, type TestService } from './harness';
import { bindLoopback } from './loopback';
import { Teardown } from './teardown';

/**
 * DealBooks against both simulators, the way the sandbox runs it, on a fresh database: one frozen SimClock is the
 * time of HubSpot, QuickBooks and DealBooks alike, so tests move time (token expiry, state expiry, signature
 * windows) instead of sleeping. The service listens on a real port that is also its PUBLIC_BASE_URL, so OAuth
 * redirects and signed card requests go over real HTTP exactly as in production.
 */
export interface World {
  clock: SimClock;
  dealbooksClock: Clock;
  sandbox: Sandbox;
  service: TestService;
  ctx: AppContext;
  /** http://127.0.0.1:<port>: DealBooks' PUBLIC_BASE_URL. */
  baseUrl: string;
  /** A request to DealBooks signed by the HubSpot simulator exactly as hubspot.fetch from a card would be. */
  card(request: { portalId: number; method?: string; path: string; body?: unknown; userId?: number; userEmail?: string }): Promise<{ status: number; body: any; headers: Record<string, string> }>;
  /** POST/GET to a simulator control route. */
  control(which: 'quickbooks' | 'hubspot', path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function startWorld(options: { logger?: Logger; workers?: boolean; env?: Record<string, string> } = {}): Promise<World> {
  const logger = options.logger ?? silentLogger;
  const clock = new SimClock({ freeze: true });
  const dealbooksClock: Clock = { now: () => new Date(clock.nowMs()) };
  const teardown = new Teardown();
  teardown.add(() => clock.clear());
  try {
    // The port is part of the config (PUBLIC_BASE_URL), so it is bound before anything else takes a port.
    const bound = await bindLoopback();
    teardown.add(() => bound.close());
    const baseUrl = bound.url;
    const config = testConfig({ PORT: String(bound.port), PUBLIC_BASE_URL: baseUrl, SANDBOX_QUICKBOOKS_PORT: '0', SANDBOX_HUBSPOT_PORT: '0', ...options.env });
    const sandbox = await startSandbox(config, logger, { clock });
    teardown.add(() => sandbox.close());
    const service = await startTestService({ config: sandbox.config, logger, clock: dealbooksClock, workers: options.workers ?? false });
    teardown.add(() => service.close());
    service.serve(bound.server);
    await sandbox.wire(baseUrl);
    const urls = { quickbooks: sandbox.quickbooks.url, hubspot: sandbox.hubspot.url };
    const control: World['control'] = async (which, path, body) => {
      const response = await fetch(`${urls[which]}/_sim${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`control ${which} ${path} answered ${response.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    return {
      clock,
      dealbooksClock,
      sandbox,
      service,
      ctx: service.context,
      baseUrl,
      async card({ path, ...rest }) {
        const answer = await control('hubspot', '/card-requests', { url: `${baseUrl}${path}`, ...rest });
        return { status: answer.status, body: answer.body, headers: answer.headers ?? {} };
      },
      control,
      close: () => teardown.run(),
    };
  } catch (err) {
    return teardown.afterFailure(err);
  }
}

/** Follows redirects like a browser, stopping at the first non-redirect answer; returns each URL visited. */
export async function browse(url: string): Promise<{ status: number; url: string; body: string; visited: string[] }> {
  const visited: string[] = [];
  let current = url;
  for (let hops = 0; hops < 10; hops++) {
    visited.push(current);
    const response = await fetch(current, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      current = new URL(location, current).toString();
      await response.arrayBuffer();
      continue;
    }
    return { status: response.status, url: current, body: await response.text(), visited };
  }
  throw new Error(`too many redirects from ${url}`);
}

/** What a person reads on a page: the text without tags and entities. */
export function pageText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
