/**
 * `npm run demo`: one deal through the whole loop in the sandbox, in seconds, printing what the deal shows at each
 * step: won in HubSpot, invoiced in QuickBooks, partly paid, paid.
 *
 * It runs `npm start` exactly as a person would on a fresh machine (sandbox mode, the embedded database, in a
 * temporary data directory that is removed afterwards, any free ports), reads the addresses from its start-up log,
 * and then acts only as the people involved would: the rep moves the deal to Closed Won in HubSpot, the bookkeeper
 * records payments in QuickBooks (the simulator's bookkeeper calls, which go through QuickBooks' own rules, so
 * balances and webhooks follow). Everything DealBooks does in between it does on its own, through the webhooks.
 * Exits 0 when the deal ends paid, 1 with the reason otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const STEP_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 120_000;

interface Started {
  child: ChildProcess;
  hubspot: string;
  quickbooks: string;
  portalId: string;
  realmId: string;
  dealsUrl: string;
  dealId: string;
  log: string[];
}

/** Starts `npm start` in sandbox mode and waits for its guide; the addresses come from the start-up log. */
async function startDealBooks(dataDir: string): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', SANDBOX: '1', SANDBOX_QUICKBOOKS_PORT: '0', SANDBOX_HUBSPOT_PORT: '0', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.PUBLIC_BASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const found: Partial<Started> = { child, log };
  return new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not print its sandbox guide within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with code ${code} before it was ready:\n${log.slice(-20).join('\n')}`));
    });
    child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.push(line);
      let msg = '';
      try {
        msg = String((JSON.parse(line) as { msg?: unknown }).msg ?? '');
      } catch {
        return;
      }
      const hubspot = /^HubSpot simulator:\s+(\S+)\s+\(demo account (\d+)/.exec(msg);
      if (hubspot) [found.hubspot, found.portalId] = [hubspot[1], hubspot[2]];
      const quickbooks = /^QuickBooks simulator:\s+(\S+)\s+\(demo company (\S+?);/.exec(msg);
      if (quickbooks) [found.quickbooks, found.realmId] = [quickbooks[1], quickbooks[2]];
      const win = /^Win a deal:\s+curl -X PATCH (\S+)\/(\d+) /.exec(msg);
      if (win) [found.dealsUrl, found.dealId] = [win[1], win[2]];
      if (msg.startsWith('Everything else')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        const missing = (['hubspot', 'quickbooks', 'portalId', 'realmId', 'dealsUrl', 'dealId'] as const).filter((k) => found[k] === undefined);
        if (missing.length > 0) reject(new Error(`the sandbox guide did not name: ${missing.join(', ')}`));
        else resolve(found as Started);
      }
    });
  });
}

async function call(method: string, url: string, body?: unknown): Promise<any> {
  const response = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

type Deal = { properties: Record<string, string | null> };

/** Waits (polling, as a person refreshing the record would) until the deal shows what the step expects. */
async function until(s: Started, what: string, test: (deal: Deal) => boolean): Promise<Deal> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let deal: Deal = await call('GET', `${s.dealsUrl}/${s.dealId}`);
  while (!test(deal)) {
    if (Date.now() > deadline) throw new Error(`the deal did not show ${what} within ${STEP_TIMEOUT_MS / 1000} s; it shows:\n${show(deal)}`);
    await new Promise((r) => setTimeout(r, 200));
    deal = await call('GET', `${s.dealsUrl}/${s.dealId}`);
  }
  return deal;
}

/** DealBooks' properties on the deal, the way a person reads them on the record. */
function show(deal: Deal): string {
  return Object.entries(deal.properties)
    .filter(([name, value]) => name.startsWith('dealbooks_') && value !== null && value !== '' && name !== 'dealbooks_last_synced')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `    ${name.padEnd(34)} ${value}`)
    .join('\n');
}

function step(title: string, started: number, deal: Deal): void {
  process.stdout.write(`\n${title}  (${((Date.now() - started) / 1000).toFixed(1)} s)\n${show(deal)}\n`);
}

/** Half the open balance, in whole cents (exact: worked on the decimal text, never as a float). */
function halfOf(balance: string): string {
  const [units = '0', fraction = ''] = balance.split('.');
  const cents = BigInt(units) * 100n + BigInt((fraction + '00').slice(0, 2));
  const half = cents / 2n;
  return `${half / 100n}.${String(half % 100n).padStart(2, '0')}`;
}

async function demo(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dealbooks-demo-'));
  let started: Started | undefined;
  try {
    process.stdout.write('Starting DealBooks in sandbox mode (npm start, embedded database, a temporary data directory)...\n');
    started = await startDealBooks(dataDir);
    const s = started;
    const t0 = Date.now();
    const before: Deal & { properties: Record<string, string | null> } = await call('GET', `${s.dealsUrl}/${s.dealId}`);
    process.stdout.write(`Deal ${s.dealId} "${before.properties.dealname}" (${before.properties.amount ?? 'no amount'}) in HubSpot account ${s.portalId}; QuickBooks company ${s.realmId}.\n`);

    await call('PATCH', `${s.dealsUrl}/${s.dealId}`, { properties: { dealstage: 'closedwon' } });
    const invoiced = await until(s, 'an invoice', (d) => Boolean(d.properties.dealbooks_invoice_number) && d.properties.dealbooks_invoice_status === 'open');
    step(`1. Won in HubSpot -> invoice ${invoiced.properties.dealbooks_invoice_number} made in QuickBooks`, t0, invoiced);

    const invoiceId = String(invoiced.properties.dealbooks_invoice_id);
    const balance = String(invoiced.properties.dealbooks_invoice_balance);
    const part = halfOf(balance);
    const book = `${s.quickbooks}/_sim/quickbooks/bookkeeper/${s.realmId}/payments`;
    await call('POST', book, { invoiceId, amount: part, method: 'Check', reference: 'DEMO-1' });
    const partly = await until(s, 'a part payment', (d) => d.properties.dealbooks_invoice_status === 'partially_paid');
    step(`2. The bookkeeper records ${part} in QuickBooks -> partly paid`, t0, partly);

    await call('POST', book, { invoiceId, method: 'Check', reference: 'DEMO-2' });
    const paid = await until(s, 'paid', (d) => d.properties.dealbooks_invoice_status === 'paid');
    step('3. The rest is paid in QuickBooks -> paid', t0, paid);

    const record = await call('GET', `${s.dealsUrl}/${s.dealId}`);
    const noteIds = [...new Set<string>((record.associations?.notes?.results ?? []).map((n: { id: string | number }) => String(n.id)))].sort((a, b) => Number(a) - Number(b));
    const notesUrl = s.dealsUrl.replace(/\/deals$/, '/notes');
    const notes = await Promise.all(noteIds.map((id) => call('GET', `${notesUrl}/${id}`) as Promise<Deal>));
    // Note bodies are HTML on HubSpot's timeline; shown here as their text.
    const text = (html: string | null | undefined) => String(html ?? '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
    process.stdout.write(`\nTimeline notes DealBooks wrote on the deal:\n${notes.map((n) => `    ${text(n.properties.hs_note_body)}`).join('\n') || '    (none)'}\n`);
    process.stdout.write(`\nThe loop took ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);
  } finally {
    if (started) await stop(started.child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

demo().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`The demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
