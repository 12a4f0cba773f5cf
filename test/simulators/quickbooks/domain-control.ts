/**
 * The simulator's control API for QBO books, mounted by the shell at `/_sim/quickbooks` (plain JSON, no auth).
 * Tests and the sandbox use it to set up companies and look behind the API without going through its rules.
 */
import express, { type Request, type Response } from 'express';
import type { SimClock } from '../common/clock';
import type { QboCompanies, QboCompany } from './company';
import { entityFromName, type EntityName, type QboObject } from './entity-names';
import { deepMerge } from './entities/settings';
import { escapeHtml } from './html';

interface Deps {
  companies: QboCompanies;
  clock: SimClock;
}

export function quickbooksDomainControlRouter(deps: Deps): express.Router {
  const { companies } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '5mb' }));

  const notFound = (res: Response, error: string): void => {
    res.status(404).json({ error });
  };
  const companyOr404 = (req: Request, res: Response): QboCompany | undefined => {
    const company = companies.get(String(req.params.realmId));
    if (!company) notFound(res, `no company ${String(req.params.realmId)}`);
    return company;
  };
  const entityOr404 = (req: Request, res: Response): EntityName | undefined => {
    const entity = entityFromName(String(req.params.entity));
    if (!entity) notFound(res, `unknown entity ${String(req.params.entity)}`);
    return entity;
  };

  /** GET|POST /behaviour {depositedTransaction?: {code?, message?, detail?, refuseDelete?}}: unconfirmed answers (behaviour.ts). */
  router.get('/behaviour', (_req, res) => {
    res.json(companies.behaviour());
  });
  router.post('/behaviour', (req, res) => {
    try {
      res.json(companies.configureBehaviour(req.body ?? {}));
    } catch (error) {
      res.status(400).json({ error: error instanceof Error ? error.message : String(error) });
    }
  });

  /** POST /companies {realmId?, seed?: 'demo'|'empty', companyName?} -> 201 {realmId}: creates (or re-creates) books. */
  router.post('/companies', (req, res) => {
    const body = (req.body ?? {}) as { realmId?: unknown; seed?: unknown; companyName?: unknown };
    if (body.seed !== undefined && body.seed !== 'demo' && body.seed !== 'empty') {
      res.status(400).json({ error: "seed must be 'demo' or 'empty'" });
      return;
    }
    const company = companies.create(typeof body.realmId === 'string' && body.realmId !== '' ? body.realmId : undefined, {
      seed: body.seed as 'demo' | 'empty' | undefined,
      companyName: typeof body.companyName === 'string' ? body.companyName : undefined,
    });
    res.status(201).json({ realmId: company.realmId });
  });

  /** DELETE /companies -> 204: forgets every company. */
  router.delete('/companies', (_req, res) => {
    companies.reset();
    res.status(204).end();
  });

  /** PATCH /companies/:realmId/preferences {partial Preferences} -> 200 Preferences: deep-merged, no new version, no change event. */
  router.patch('/companies/:realmId/preferences', (req, res) => {
    const company = companyOr404(req, res);
    if (!company) return;
    const merged = deepMerge(company.preferences(), (req.body ?? {}) as QboObject);
    company.patchQuietly('Preferences', '1', merged);
    res.status(200).json(company.preferences());
  });

  /** GET /companies/:realmId/:entity -> 200 [objects]: every stored object, inactive ones included (deleted ones are gone). */
  router.get('/companies/:realmId/:entity', (req, res) => {
    const company = companyOr404(req, res);
    const entity = company && entityOr404(req, res);
    if (!company || !entity) return;
    res.status(200).json(company.list(entity));
  });

  /** GET /companies/:realmId/:entity/:id -> 200 object | 404. */
  router.get('/companies/:realmId/:entity/:id', (req, res) => {
    const company = companyOr404(req, res);
    const entity = company && entityOr404(req, res);
    if (!company || !entity) return;
    const object = company.get(entity, String(req.params.id));
    if (!object) return notFound(res, `no ${entity} ${String(req.params.id)}`);
    res.status(200).json(object);
  });

  /**
   * POST /companies/:realmId/:entity {object} -> 201 object: stores it as given (Id kept when free), bypassing the
   * business rules, with SyncToken "0" and fresh MetaData; announces no change.
   */
  router.post('/companies/:realmId/:entity', (req, res) => {
    const company = companyOr404(req, res);
    const entity = company && entityOr404(req, res);
    if (!company || !entity) return;
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      res.status(400).json({ error: 'body must be a JSON object' });
      return;
    }
    res.status(201).json(company.insert(entity, req.body as QboObject, { announce: false }));
  });

  /** GET /pay/:realmId/:invoiceId -> the page Invoice.InvoiceLink points at (HTML with the open balance). */
  router.get('/pay/:realmId/:id', (req, res) => {
    const company = companyOr404(req, res);
    if (!company) return;
    const invoice = company.get('Invoice', String(req.params.id));
    if (!invoice) return notFound(res, `no invoice ${String(req.params.id)}`);
    res
      .status(200)
      .type('html')
      .send(`<!doctype html><title>Invoice ${escapeHtml(String(invoice.DocNumber ?? invoice.Id))}</title><h1>Invoice ${escapeHtml(String(invoice.DocNumber ?? invoice.Id))}</h1><p>Balance due: ${escapeHtml(String(invoice.Balance))} USD</p>`);
  });

  return router;
}
