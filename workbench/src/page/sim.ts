/**
 * The page's only way to change the world: the simulators' control routes, passed on by DealBooks at
 * /sandbox/sim/{hubspot|quickbooks}/... (server/src/sandbox/workbench.ts lists which). What follows from a change
 * (webhooks to DealBooks, invoices, payments written back) happens as in production.
 */

export type { WorkbenchWorld as World } from '../world';
import type { WorkbenchWorld as World } from '../world';

export interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
  associations?: Record<string, { results: Array<{ id: string; type: string }> }>;
  createdAt?: string;
  updatedAt?: string;
}

/** A QBO entity as the simulator stores it (Invoice, Estimate, Payment, Customer). */
export type QboObject = Record<string, any> & { Id: string };

export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(simulator: 'hubspot' | 'quickbooks', method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/sandbox/sim/${simulator}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) throw new SimulatorError(response.status, describeFault(parsed) ?? `${simulator} simulator answered ${response.status}`);
  return parsed as T;
}

/** QBO's fault words ({Fault: {Error: [{Message, Detail}]}}) or the simulator's own error. */
function describeFault(body: any): string | undefined {
  const fault = body?.Fault?.Error?.[0];
  if (fault) return [fault.Message, fault.Detail].filter(Boolean).join(': ');
  if (typeof body?.error === 'string') return body.error;
  if (typeof body?.error?.message === 'string') return body.error.message;
  if (typeof body?.message === 'string') return body.message;
  return undefined;
}

export const world = async (): Promise<World> => {
  const response = await fetch('/sandbox/api/world');
  if (!response.ok) throw new Error(`the workbench could not read the sandbox (HTTP ${response.status})`);
  return response.json();
};

export function hubspotOf(portalId: number) {
  const objects = `/hubspot/accounts/${portalId}/objects`;
  return {
    list: (type: string) => call<{ results: CrmObject[] }>('hubspot', 'GET', `${objects}/${type}`).then((r) => r.results),
    get: (type: string, id: string) => call<CrmObject>('hubspot', 'GET', `${objects}/${type}/${id}`),
    /** A user edits the deal in HubSpot (subscribed webhooks follow, as for a person's edit). */
    updateDeal: (id: string, properties: Record<string, string>) => call<CrmObject>('hubspot', 'PATCH', `${objects}/deals/${id}`, { properties }),
    /** A user deletes the deal (to HubSpot's recycle bin; its id reads as not found until restored). */
    deleteDeal: (id: string) => call<unknown>('hubspot', 'POST', `${objects}/deals/${id}/delete`, {}),
    /** A user restores a deleted deal from the recycle bin: the same id, back. */
    restoreDeal: (id: string) => call<CrmObject>('hubspot', 'POST', `${objects}/deals/${id}/restore`, {}),
    /** A user merges two deals; the answer is the deal that survives (by default a new id, both originals gone). */
    mergeDeals: (primaryObjectId: string, objectIdToMerge: string) => call<CrmObject>('hubspot', 'POST', `${objects}/deals/merge`, { primaryObjectId, objectIdToMerge }),
  };
}

export interface FaultRule {
  id: string;
  path: string;
  method?: string;
  status?: number;
  remaining?: number | null;
}

export function quickbooksOf(realmId: string) {
  const bookkeeper = `/quickbooks/bookkeeper/${realmId}`;
  return {
    list: (entity: string) => call<QboObject[]>('quickbooks', 'GET', `/quickbooks/companies/${realmId}/${entity}`),
    preferences: () => call<QboObject[] | QboObject>('quickbooks', 'GET', `/quickbooks/companies/${realmId}/Preferences`),
    setBookCloseDate: (date: string | null) =>
      call<unknown>('quickbooks', 'PATCH', `/quickbooks/companies/${realmId}/preferences`, { AccountingInfoPrefs: { BookCloseDate: date } }),
    recordPayment: (invoiceId: string, amount?: string) => call<unknown>('quickbooks', 'POST', `${bookkeeper}/payments`, { invoiceId, ...(amount ? { amount } : {}) }),
    voidPayment: (id: string) => call<unknown>('quickbooks', 'POST', `${bookkeeper}/payments/void`, { id }),
    deletePayment: (id: string) => call<unknown>('quickbooks', 'POST', `${bookkeeper}/payments/delete`, { id }),
    voidInvoice: (id: string) => call<unknown>('quickbooks', 'POST', `${bookkeeper}/invoices/void`, { id }),
    deleteInvoice: (id: string) => call<unknown>('quickbooks', 'POST', `${bookkeeper}/invoices/delete`, { id }),
    acceptEstimate: (id: string) => call<unknown>('quickbooks', 'POST', `${bookkeeper}/estimates/accept`, { id }),
    rejectEstimate: (id: string) => call<unknown>('quickbooks', 'POST', `${bookkeeper}/estimates/reject`, { id }),
    faults: () => call<{ faults: FaultRule[] }>('quickbooks', 'GET', '/faults').then((r) => r.faults),
    addFault: (rule: { path: string; status: number; times?: number; headers?: Record<string, string>; body?: unknown }) =>
      call<FaultRule>('quickbooks', 'POST', '/faults', rule),
    clearFaults: () => call<unknown>('quickbooks', 'DELETE', '/faults'),
    limits: () => call<{ perMinute?: number; concurrent?: number; batchPerMinute?: number }>('quickbooks', 'GET', '/limits'),
    setLimits: (limits: { perMinute?: number }) => call<unknown>('quickbooks', 'POST', '/limits', limits),
  };
}
