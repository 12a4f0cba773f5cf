/**
 * For the settings page's own tests: a stand-in for DealBooks behind `self.hsFetch`, answering per "METHOD /path"
 * with hand-written bodies (the page against a real DealBooks is test/extensions/settings-page.test.tsx).
 */
import type { Settings, SettingsView } from '../types';

export type Answer = { status: number; body?: unknown } | 'unreachable' | (() => Promise<{ status: number; body?: unknown }>);
export type Route = Answer | ((call: { method: string; path: string; body: unknown }) => Answer);

export interface FakeDealBooks {
  /** Sets the answer for `METHOD /path` (path without the query for GET with a query, unless given in full). */
  on(key: string, route: Route): void;
  calls: Array<{ method: string; path: string; body: unknown }>;
  restore(): void;
}

export function fakeDealBooks(routes: Record<string, Route> = {}): FakeDealBooks {
  const table = new Map<string, Route>(Object.entries(routes));
  const calls: FakeDealBooks['calls'] = [];
  const global = globalThis as any;
  const hadSelf = 'self' in global;
  if (!hadSelf) global.self = globalThis;
  const previous = global.self.hsFetch;
  global.self.hsFetch = async (url: string, init: { method?: string; body?: unknown } = {}) => {
    const method = init.method ?? 'GET';
    const path = url.replace(/^https?:\/\/[^/]+/, '');
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    calls.push({ method, path, body });
    let route = table.get(`${method} ${path}`) ?? table.get(`${method} ${path.split('?')[0]}`);
    if (route === undefined) return new Response(JSON.stringify({ error: { code: 'not_found', message: `No fake answer for ${method} ${path}` } }), { status: 404 });
    if (typeof route === 'function' && route.length === 1) route = (route as (c: unknown) => Answer)({ method, path, body });
    let answer = route as Answer;
    if (answer === 'unreachable') throw new TypeError('Failed to fetch');
    if (typeof answer === 'function') answer = await answer();
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  };
  return {
    on: (key, route) => table.set(key, route),
    calls,
    restore() {
      global.self.hsFetch = previous;
      if (!hadSelf) delete global.self;
    },
  };
}

export const SETTINGS: Settings = {
  autoInvoice: false,
  triggerStages: {},
  documentKind: 'invoice',
  delivery: 'review',
  termId: null,
  txnDate: 'close_date',
  defaultItemId: null,
  taxCodes: { taxable: null, nonTaxable: null },
  classId: null,
  memoTemplate: '{{dealName}}',
  customers: { createWhenNoMatch: true, matchThreshold: 0.8, projectPerDeal: false },
  billEmail: 'quickbooks-customer',
  inactiveCustomer: 'ask',
  convertAcceptedEstimates: false,
  creators: 'everyone',
  overdueTasks: { enabled: false, thresholds: [1, 15, 30] },
};

export function settingsView(overrides: Partial<SettingsView> = {}): SettingsView {
  return {
    settings: SETTINGS,
    version: 3,
    defaults: SETTINGS,
    pipelines: [
      {
        id: 'default',
        label: 'Sales Pipeline',
        stages: [
          { id: 'contractsent', label: 'Contract sent' },
          { id: 'closedwon', label: 'Closed won' },
          { id: 'closedlost', label: 'Closed lost' },
        ],
        wonStages: ['closedwon'],
        triggerStages: ['closedwon'],
      },
    ],
    unusableReferences: [],
    updatedAt: null,
    access: { userId: '7', isAdmin: true, admins: ['7'], mayCreate: true },
    ...overrides,
  };
}

export const CONNECTED = {
  status: 'connected',
  company: { realmId: '9130', name: 'Acme Books Ltd', country: 'US', homeCurrency: 'USD' },
  connectedAt: '2026-11-01T10:00:00.000Z',
  connectedBy: 'fin@acme.test',
  problem: null,
  action: null,
  waitingJobs: 0,
};

export const NOT_CONNECTED = {
  status: 'not_connected',
  company: null,
  connectedAt: null,
  connectedBy: null,
  problem: 'QuickBooks is not connected. Connect QuickBooks in the DealBooks settings.',
  action: { label: 'Connect QuickBooks' },
  waitingJobs: 0,
};

/** A connected account with a little of everything, for the tests that start from a working page. */
export function everyAnswer(overrides: Record<string, Route> = {}): Record<string, Route> {
  return {
    'GET /api/settings': { status: 200, body: settingsView() },
    'GET /api/quickbooks/status': { status: 200, body: CONNECTED },
    'GET /api/quickbooks/items': {
      status: 200,
      body: {
        items: [
          { id: '1', name: 'Services', type: 'Service', sku: null, active: true },
          { id: '5', name: 'Consulting hour', type: 'Service', sku: 'CONS-1', active: true },
        ],
      },
    },
    'GET /api/quickbooks/terms': { status: 200, body: { terms: [{ id: '3', name: 'Net 30', dueDays: 30 }] } },
    'GET /api/quickbooks/classes': { status: 200, body: { classes: [{ id: '200', name: 'East', fullyQualifiedName: 'Regions:East' }] } },
    'GET /api/quickbooks/tax-codes': { status: 200, body: { taxCodes: [{ id: 'TAX', name: 'Taxable', taxable: true }, { id: 'NON', name: 'Non-taxable', taxable: false }] } },
    'GET /api/mappings/products': {
      status: 200,
      body: { mappings: [{ productId: '301', productName: 'Consulting', sku: 'CONS-1', itemId: null, itemName: null, method: null, suggestion: { itemId: '5', itemName: 'Consulting hour', reason: 'sku', score: 1 } }] },
    },
    'GET /api/customers/review': {
      status: 200,
      body: {
        review: [
          { dealId: '42', name: 'Globex', candidates: [{ id: '58', displayName: 'Globex Corporation', email: 'ap@globex.test', score: 0.86, reason: 'fuzzy' }], since: '2026-12-01T00:00:00.000Z', message: null },
        ],
      },
    },
    'GET /api/sync-log': {
      status: 200,
      body: {
        entries: [
          { id: 11, occurredAt: '2026-12-02T09:30:00.000Z', action: 'create_invoice', outcome: 'failed', message: 'QuickBooks refused the invoice: the period is closed.', dealId: '42', dealActionId: 501, qboEntityType: null, qboEntityId: null },
          { id: 10, occurredAt: '2026-12-02T09:00:00.000Z', action: 'create_invoice', outcome: 'succeeded', message: 'Invoice 1001 created.', dealId: '41', dealActionId: 500, qboEntityType: 'Invoice', qboEntityId: '1001' },
        ],
        next: null,
      },
    },
    ...overrides,
  };
}

/** Everything a person reads in a rendered node: its text and the words its controls carry (labels, messages, titles). */
export function readable(node: { toString(): string }): string {
  const printed = node.toString();
  const words: string[] = [];
  for (const m of printed.matchAll(/^\s*"(.*)"\s*$/gm)) words.push(m[1]!);
  for (const m of printed.matchAll(/\b(?:label|title|validationMessage|description)="([^"]*)"/g)) words.push(m[1]!);
  return words.join('\n');
}
