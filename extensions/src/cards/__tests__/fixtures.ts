import type { DealSummary, DocumentView, Preview } from '../../shared/types';
import { DEALBOOKS_BASE_URL } from '../../shared/config';

/**
 * Hand-written DealBooks answers for the card's unit tests, typed with the shared answer types (which the server's
 * types are checked against), and an `hsFetch` stub that answers them by method and path.
 */

export function summary(patch: Partial<DealSummary> = {}): DealSummary {
  return {
    dealId: '123',
    connection: { state: 'connected', companyName: 'Larkspur Books', message: null },
    customer: { state: 'linked', id: '58', displayName: 'Larkspur Paying Co', method: 'email', confidence: 0.95, url: 'https://app.qbo.example/app/customerdetail?nameId=58' },
    invoices: [],
    estimates: [],
    lastHeardFromQuickBooks: null,
    pending: [],
    problems: [],
    allowedActions: ['create_invoice', 'create_estimate'],
    ...patch,
  };
}

export function invoice(patch: Partial<DocumentView> = {}): DocumentView {
  return {
    id: '130',
    kind: 'invoice',
    docNumber: '1042',
    status: 'open',
    state: 'active',
    daysOverdue: null,
    amountPaidCents: 0,
    amountPaid: '$0.00',
    creditedCents: 0,
    totalMismatch: null,
    convertedInvoice: null,
    txnDate: '2026-11-20',
    dueDate: '2026-12-20',
    currency: 'USD',
    totalCents: 50_000,
    total: '$500.00',
    balanceCents: 50_000,
    balance: '$500.00',
    emailStatus: 'NotSet',
    billEmail: 'ap@larkspur.example',
    url: 'https://app.qbo.example/app/invoice?txnId=130',
    payments: [],
    ...patch,
  };
}

export function estimate(patch: Partial<DocumentView> = {}): DocumentView {
  return { ...invoice({ id: '131', kind: 'estimate', docNumber: '1043', status: 'pending', amountPaid: null, amountPaidCents: null, balance: null, balanceCents: null, dueDate: null, url: 'https://app.qbo.example/app/estimate?txnId=131' }), ...patch };
}

export function preview(patch: Partial<Preview> = {}): Preview {
  return {
    dealId: '123',
    kind: 'invoice',
    problems: [],
    customer: { state: 'linked', id: '58', displayName: 'Larkspur Paying Co', method: 'email', confidence: 0.95 },
    document: {
      kind: 'invoice',
      currency: 'USD',
      txnDate: '2026-11-20',
      dueDate: '2026-12-20',
      terms: { id: '3', name: 'Net 30' },
      lines: [
        { lineItemId: '9001', description: 'Annual licence', itemName: 'Licences', quantity: '2', unitPrice: '250.00', amountCents: 50_000, discountCents: 0, taxCode: 'TAX', taxCodeFrom: 'settings', usesDefaultItem: false },
      ],
      subtotalCents: 50_000,
      discountCents: 0,
      totalCents: 50_000,
      memo: null,
      billEmail: 'ap@larkspur.example',
      tax: { computedBy: 'quickbooks', message: 'QuickBooks adds sales tax when it creates the invoice, from each line’s tax code and the customer’s tax settings.' },
      warnings: [],
    },
    delivery: 'review',
    billEmail: { address: 'ap@larkspur.example', source: 'quickbooks-customer' },
    ...patch,
  };
}

export interface StubCall {
  method: string;
  path: string;
  body: unknown;
}

export type StubAnswer = { status: number; body?: unknown } | 'unreachable';
type Route = StubAnswer | ((call: StubCall) => StubAnswer);

/**
 * `self.hsFetch` answering `routes` keyed "METHOD /path" (the path with its query); an unknown route fails the test
 * loudly. Returns the calls made, in order.
 */
export function stubDealBooks(routes: Record<string, Route>): { calls: StubCall[]; set(key: string, route: Route): void; restore(): void } {
  const table = { ...routes };
  const calls: StubCall[] = [];
  const global = globalThis as any;
  if (!global.self) global.self = globalThis;
  const previous = global.self.hsFetch;
  global.self.hsFetch = async (url: string, init: { method?: string; body?: unknown } = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    if (!url.startsWith(DEALBOOKS_BASE_URL)) throw new Error(`the card fetched ${url}`);
    const path = url.slice(DEALBOOKS_BASE_URL.length);
    const call = { method, path, body: init.body };
    calls.push(call);
    const route = table[`${method} ${path}`];
    if (route === undefined) throw new Error(`no stubbed answer for ${method} ${path}`);
    const answer = typeof route === 'function' ? route(call) : route;
    if (answer === 'unreachable') throw new TypeError('Failed to fetch');
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return {
    calls,
    set: (key, route) => {
      table[key] = route;
    },
    restore: () => {
      global.self.hsFetch = previous;
    },
  };
}

/**
 * What a person reads in a rendered node, top to bottom, one piece a line: text, and the props shown as text
 * (titles, labels, an input's value and its validation message). Overlays (a Button's Panel or Modal) are not part of
 * the card until opened: read them by finding the Panel or Modal itself.
 */
export function readText(node: { nodeType: string; childNodes?: unknown[] } | null): string {
  const out: string[] = [];
  const walk = (n: any) => {
    if (!n) return;
    if (n.nodeType === 'text') {
      if (n.text.trim() !== '') out.push(n.text);
      return;
    }
    if (n.nodeType === 'element') {
      for (const key of ['title', 'label']) if (typeof n.props[key] === 'string') out.push(n.props[key]);
      if (n.name === 'Input' && typeof n.props.value === 'string') out.push(n.props.value);
      if (typeof n.props.validationMessage === 'string') out.push(n.props.validationMessage);
    }
    for (const child of n.childNodes ?? []) walk(child);
  };
  walk(node);
  return out.join('\n');
}
