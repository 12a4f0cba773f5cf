import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_KIND, eventually } from '../support/harness';
import { withProcessDatabase } from '../support/process-database';
import { sandboxReset, SandboxProcess } from '../support/sandbox-process';

// Four real `npm start` processes in a row (see SandboxProcess.started for how long one may take).
jest.setTimeout(600_000);

const PORTAL = 62515001;
const REALM = '9341453908059321';

async function call(url: string, method = 'GET', body?: unknown): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The deal card's summary of a deal, as the HubSpot simulator's card request gets it (signed, as the demo user). */
async function summary(hubspot: string, dealId: string) {
  const answer = await call(`${hubspot}/_sim/card-requests`, 'POST', { portalId: PORTAL, method: 'GET', url: `/api/deals/${dealId}/summary` });
  if (answer.status !== 200) throw new Error(`summary answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as { invoices: Array<{ id: string; number: string | null }> };
}

const invoices = (quickbooks: string) => call(`${quickbooks}/_sim/quickbooks/companies/${REALM}/Invoice`) as Promise<Array<{ Id: string }>>;

describe(`npm start in sandbox mode across restarts (${DATABASE_KIND})`, () => {
  it('When a deal is won, the service stopped and started again, then the same world continues; a disagreement is reported and sandbox:reset wipes both', () =>
    withProcessDatabase(async (database) => {
      const dataDir = database.env.DATA_DIR ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'dealbooks-sandbox-')));
      const env = { ...database.env, DATA_DIR: dataDir };
      const processes: SandboxProcess[] = [];
      const started = (p: SandboxProcess) => {
        processes.push(p);
        return p;
      };
      try {
        // First start: a new world from the demo data, auto-invoice on, and the guide's "win a deal" makes an invoice.
        const first = started(new SandboxProcess(env));
        const a = await first.started();
        expect(first.line(/^Sandbox world: +\S+, new, from the demo data/)).toBeDefined();
        expect(first.line(/^Auto-invoice: +on for the demo account/)).toBeDefined();
        expect(first.errors()).toEqual([]);
        const created = await call(`${a.hubspot}/_sim/hubspot/accounts/${PORTAL}/objects/deals`, 'POST', {
          properties: { dealname: 'Made before the restart', pipeline: 'default', dealstage: 'appointmentscheduled' },
        });
        const win = /curl -X PATCH (\S+) /.exec(first.line(/^Win a deal:/)!.msg)![1]!;
        const wonDealId = win.split('/').pop()!;
        await call(win, 'PATCH', { properties: { dealstage: 'closedwon' } });
        const [invoice] = await eventually(async () => {
          const found = await invoices(a.quickbooks);
          return found.length > 0 && found;
        }, { what: 'the won deal\'s invoice in QuickBooks', timeoutMs: 60_000 });
        await eventually(async () => (await summary(a.hubspot, wonDealId)).invoices.length === 1, { what: 'the invoice on the deal card' });
        expect(await first.stop()).toEqual({ code: 0, signal: null });

        // Second start: the same world, still connected, the invoice on the card and in QuickBooks, new ids are new.
        const second = started(new SandboxProcess(env));
        const b = await second.started();
        expect(second.line(/^Sandbox world: +\S+, continued/)).toBeDefined();
        expect(second.line(/^QuickBooks connect: +demo company \d+ already connected/)).toBeDefined();
        expect(second.errors()).toEqual([]);
        expect((await invoices(b.quickbooks)).map((i) => i.Id)).toEqual([invoice!.Id]);
        expect((await summary(b.hubspot, wonDealId)).invoices).toEqual([expect.objectContaining({ id: invoice!.Id })]);
        const deal = await call(`${b.hubspot}/_sim/hubspot/accounts/${PORTAL}/objects/deals/${wonDealId}`);
        expect(deal.properties.dealstage).toBe('closedwon');
        const fresh = await call(`${b.hubspot}/_sim/hubspot/accounts/${PORTAL}/objects/deals`, 'POST', {
          properties: { dealname: 'Made after the restart', pipeline: 'default', dealstage: 'appointmentscheduled' },
        });
        expect(BigInt(fresh.id)).toBeGreaterThan(BigInt(created.id));
        expect((await summary(b.hubspot, fresh.id)).invoices).toEqual([]);
        expect(await second.stop()).toEqual({ code: 0, signal: null });

        // The simulators' world lost, DealBooks' data kept: said at start, at error level, with the command that fixes it.
        await fs.rm(path.join(dataDir, 'sandbox-world.json'));
        const third = started(new SandboxProcess(env));
        await third.started();
        expect(third.errors()).toEqual(expect.arrayContaining([expect.stringMatching(/out of step: .*Stop DealBooks and run `npm run sandbox:reset`/)]));
        expect(await third.stop()).toEqual({ code: 0, signal: null });

        // sandbox:reset wipes both; the next start begins again from the demo data, in step.
        const reset = sandboxReset(env);
        expect(reset).toMatchObject({ code: 0, out: expect.stringContaining('The next `npm start` begins again from the demo data.') });
        const fourth = started(new SandboxProcess(env));
        const d = await fourth.started();
        expect(fourth.line(/^Sandbox world: +\S+, new, from the demo data/)).toBeDefined();
        expect(fourth.errors()).toEqual([]);
        expect(await invoices(d.quickbooks)).toEqual([]);
        expect((await summary(d.hubspot, wonDealId)).invoices).toEqual([]);
        expect((await call(`${d.hubspot}/_sim/hubspot/accounts/${PORTAL}/objects/deals/${wonDealId}`)).properties.dealstage).not.toBe('closedwon');
        expect(await fourth.stop()).toEqual({ code: 0, signal: null });
      } finally {
        for (const p of processes) p.kill();
        await Promise.all(processes.map((p) => p.exited));
        if (!database.env.DATA_DIR) await fs.rm(dataDir, { recursive: true, force: true });
      }
    }));

  it('When sandbox:reset runs with real credentials configured, then it refuses and changes nothing', () => {
    const production = {
      HUBSPOT_CLIENT_ID: 'id',
      HUBSPOT_CLIENT_SECRET: 'secret',
      HUBSPOT_APP_ID: '1',
      QBO_CLIENT_ID: 'id',
      QBO_CLIENT_SECRET: 'secret',
      QBO_WEBHOOK_VERIFIER_TOKEN: 'verifier',
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      DATA_DIR: os.tmpdir(),
    };
    const refused = sandboxReset(production);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/only resets the sandbox/);
  });
});
