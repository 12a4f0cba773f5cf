/**
 * The QBO Accounting API routes of the simulator, mounted by the shell at `/v3/company/:realmId` after it has
 * checked the token, throttling and injected faults. Every answer is `{"<Entity>": {...}, "time": "..."}` or a
 * Fault body; `minorversion` is accepted and ignored (all values behave as 75, the minimum since 2025-08-01).
 * `?requestid=` on a write replays the first successful answer instead of writing twice.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SimClock } from '../common/clock';
import { runBatch } from './batch';
import { changeDataCapture } from './cdc';
import type { QboCompanies, QboCompany } from './company';
import { ENTITY_NAMES, type EntityName } from './entity-names';
import { QboFault, authorizationFault, invalidValue, malformedRequest, objectNotFound, unsupportedOperation } from './fault';
import { MAX_BATCH_REQUEST_ID_LENGTH, MAX_REQUEST_ID_LENGTH, type StoredResponse } from './idempotency';
import { deleteEntity, readEntity, saveEntity, sendInvoice, voidEntity, type Payload } from './operations';
import { renderTransactionPdf } from './pdf';
import { queryResponse } from './query';
import { qboEnvelopeTime } from './time';

export { QboFault, faultBody } from './fault';
export { quickbooksDomainControlRouter } from './domain-control';

interface Deps {
  companies: QboCompanies;
  clock: SimClock;
}

/** `invoice` -> 'Invoice'. Paths are lower-case and case-sensitive in QBO. */
export function entityFromPath(segment: string): EntityName | undefined {
  return ENTITY_NAMES.find((e) => e.toLowerCase() === segment);
}

/** The simulator's public page for an invoice's online payment (Invoice.InvoiceLink). */
export function invoiceLinkFor(req: Request, realmId: string, invoiceId: string): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/_sim/quickbooks/pay/${encodeURIComponent(realmId)}/${encodeURIComponent(invoiceId)}`;
}

/** Sales forms with a `GET /{entity}/{id}/pdf` in Intuit's reference (the receipts' pages list it too). */
const PDF_ENTITIES = new Set<EntityName>(['Invoice', 'Estimate', 'CreditMemo', 'SalesReceipt', 'RefundReceipt']);

const param = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function quickbooksApiRouter(deps: Deps): express.Router {
  const { companies, clock } = deps;
  const router = express.Router({ mergeParams: true });
  // The shell may already have parsed the body; body parsers skip requests they find parsed.
  router.use(express.json({ type: ['application/json', '+json'], limit: '5mb' }));
  router.use(express.text({ type: ['application/text', 'text/plain'], limit: '1mb' }));

  const companyOf = (req: Request): QboCompany => {
    const realmId = String((req.params as Record<string, string>).realmId ?? '');
    const company = companies.get(realmId);
    if (!company) throw authorizationFault();
    return company;
  };

  /** Runs a JSON handler: faults become Fault bodies; writes with ?requestid= are answered once. */
  const json =
    (handler: (company: QboCompany, req: Request) => Payload, options: { idempotent?: boolean; maxRequestIdLength?: number } = {}) =>
    (req: Request, res: Response, next: NextFunction): void => {
      try {
        const company = companyOf(req);
        const requestId = options.idempotent ? param(req.query.requestid) : undefined;
        const maxLength = options.maxRequestIdLength ?? MAX_REQUEST_ID_LENGTH;
        if (requestId !== undefined && (requestId === '' || requestId.length > maxLength)) {
          throw invalidValue(`requestid must be 1 to ${maxLength} characters`, 'requestid');
        }
        const replay = requestId === undefined ? undefined : company.requestIds.get(requestId);
        if (replay) {
          res.status(replay.status).json(replay.body);
          return;
        }
        const body = { ...handler(company, req), time: qboEnvelopeTime(clock.nowMs()) };
        // Only successes are remembered: a retry after a 5010 or a validation fault must be able to succeed.
        if (requestId !== undefined) company.requestIds.remember(requestId, { status: 200, body } satisfies StoredResponse);
        res.status(200).json(body);
      } catch (error) {
        next(error);
      }
    };

  const entityParam = (req: Request): EntityName => {
    const segment = String(req.params.entity ?? '');
    const entity = entityFromPath(segment);
    if (!entity) throw unsupportedOperation(`on unknown resource /${segment}`);
    return entity;
  };

  router.get('/query', json((company, req) => ({ QueryResponse: queryResponse(company, param(req.query.query) ?? '') })));
  router.post(
    '/query',
    json((company, req) => ({ QueryResponse: queryResponse(company, typeof req.body === 'string' ? req.body : (param(req.query.query) ?? '')) })),
  );

  router.get('/cdc', json((company, req) => changeDataCapture(company, req.query.entities, req.query.changedSince)));

  router.post(
    '/batch',
    json((company, req) => ({ BatchItemResponse: runBatch(company, req.body) }), { idempotent: true, maxRequestIdLength: MAX_BATCH_REQUEST_ID_LENGTH }),
  );

  /** CompanyInfo is read by the realm id (QBO's documented path) or by its own Id. */
  const companyInfo = (company: QboCompany, id: string): Payload => {
    const info = company.list('CompanyInfo')[0];
    if (!info || (id !== company.realmId && id !== info.Id)) throw objectNotFound(`CompanyInfo Id=${id}`, 'Id');
    return { CompanyInfo: info };
  };
  router.get('/companyinfo/:id', json((company, req) => companyInfo(company, String(req.params.id))));

  router.get('/preferences', json((company) => ({ Preferences: company.preferences() })));
  router.post('/preferences', json((company, req) => saveEntity(company, 'Preferences', { Id: '1', ...(req.body as object) }), { idempotent: true }));

  router.post(
    '/invoice/:id/send',
    json((company, req) => sendInvoice(company, String(req.params.id), param(req.query.sendTo)), { idempotent: true }),
  );

  router.get('/:entity/:id/pdf', (req, res, next) => {
    try {
      const company = companyOf(req);
      const entity = entityParam(req);
      if (!PDF_ENTITIES.has(entity)) throw unsupportedOperation(`PDF for ${entity}`);
      const txn = readEntity(company, entity, String(req.params.id))[entity] as Record<string, unknown>;
      const companyName = String(company.list('CompanyInfo')[0]?.CompanyName ?? '');
      res.status(200).type('application/pdf').send(renderTransactionPdf(entity, txn, companyName));
    } catch (error) {
      next(error);
    }
  });

  router.get(
    '/:entity/:id',
    json((company, req) => {
      const entity = entityParam(req);
      const payload = readEntity(company, entity, String(req.params.id));
      const include = String(req.query.include ?? '').toLowerCase();
      const invoice = payload.Invoice as Record<string, { Address?: string }> | undefined;
      // QBO only adds InvoiceLink to an invoice that has a customer email to send it to.
      if (entity === 'Invoice' && include === 'invoicelink' && invoice?.BillEmail?.Address) {
        payload.Invoice = { ...invoice, InvoiceLink: invoiceLinkFor(req, company.realmId, String(req.params.id)) };
      }
      return payload;
    }),
  );

  router.post(
    '/:entity',
    json(
      (company, req) => {
        const entity = entityParam(req);
        const operation = String(req.query.operation ?? '').toLowerCase();
        const include = String(req.query.include ?? '').toLowerCase();
        if (req.body === undefined || typeof req.body !== 'object') throw malformedRequest('Expected a JSON body (Content-Type: application/json)');
        if (operation === 'delete') return deleteEntity(company, entity, req.body);
        if (operation === 'void' || (operation === 'update' && include === 'void')) return voidEntity(company, entity, req.body);
        if (operation === '' || operation === 'create' || operation === 'update') return saveEntity(company, entity, req.body);
        throw unsupportedOperation(`${operation} on ${entity}`);
      },
      { idempotent: true },
    ),
  );

  router.all('/{*rest}', (req, _res, next) => next(unsupportedOperation(`${req.method} ${req.path}`)));

  // Faults (and body-parser errors) as QBO Fault bodies.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const fault =
      error instanceof QboFault
        ? error
        : (error as { type?: string }).type === 'entity.parse.failed'
          ? malformedRequest(`Request body is not valid JSON: ${(error as Error).message}`)
          : undefined;
    if (!fault) return next(error);
    res.status(fault.status).json(fault.toBody(clock));
  });

  return router;
}

