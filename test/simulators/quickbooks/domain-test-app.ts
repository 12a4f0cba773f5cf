/**
 * Test harness for the QBO domain tests: an express app with the domain routers mounted where the shell mounts
 * them (`/v3/company/:realmId`, `/_sim/quickbooks`), no auth, a SimClock that only moves when a test advances it,
 * and a recorder of change events.
 */
import express from 'express';
import request from 'supertest';
import { SimClock } from '../common/clock';
import { quickbooksApiRouter, quickbooksDomainControlRouter } from './api';
import type { QboBehaviourInput } from './behaviour';
import { QboCompanies, type QboChange } from './company';

/** 2026-03-02T18:00:00Z = 10:00 in the simulated company's -08:00 offset. */
export const TEST_START = Date.parse('2026-03-02T18:00:00Z');

export interface DomainHarness {
  app: express.Express;
  clock: SimClock;
  companies: QboCompanies;
  changes: QboChange[];
  realmId: string;
  /** `/v3/company/{realmId}` + path. */
  api: (path: string) => string;
  get: (path: string) => request.Test;
  post: (path: string, body?: unknown) => request.Test;
  /** Seeds an object through the control API (bypassing rules) and returns it. */
  seed: (entity: string, body: object) => Promise<Record<string, unknown>>;
}

export function domainHarness(options: { seed?: 'demo' | 'empty'; realmId?: string; behaviour?: QboBehaviourInput } = {}): DomainHarness {
  const clock = new SimClock({ start: TEST_START, rate: 0 });
  const companies = new QboCompanies({ clock, behaviour: options.behaviour });
  const changes: QboChange[] = [];
  companies.onChange((change) => changes.push(change));
  const app = express();
  app.use('/v3/company/:realmId', quickbooksApiRouter({ companies, clock }));
  app.use('/_sim/quickbooks', quickbooksDomainControlRouter({ companies, clock }));
  const realmId = options.realmId ?? '9341453908059321';
  companies.create(realmId, { seed: options.seed ?? 'demo' });
  const api = (path: string) => `/v3/company/${realmId}${path}`;
  const harness: DomainHarness = {
    app,
    clock,
    companies,
    changes,
    realmId,
    api,
    get: (path) => request(app).get(api(path)).set('Accept', 'application/json'),
    post: (path, body) => request(app).post(api(path)).set('Accept', 'application/json').send(body as object),
    seed: async (entity, body) => {
      const res = await request(app).post(`/_sim/quickbooks/companies/${realmId}/${entity}`).send(body);
      if (res.status !== 201) throw new Error(`seeding ${entity} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Record<string, unknown>;
    },
  };
  return harness;
}

/** The first Fault error of a response body. */
export function faultOf(body: unknown): { code: string; Message: string; Detail?: string; element?: string; type: string } {
  const fault = (body as { Fault?: { Error?: Array<{ code: string; Message: string; Detail?: string; element?: string }>; type: string } }).Fault;
  const first = fault?.Error?.[0];
  if (!fault || !first) throw new Error(`not a Fault body: ${JSON.stringify(body)}`);
  return { ...first, type: fault.type };
}
