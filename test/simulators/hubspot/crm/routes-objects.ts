import { Router } from 'express';
import { compareIds } from './associations';
import { checkHistoryCount } from './history';
import { batchArchive, batchCreate, batchRead, batchUpdate, batchUpsert, type BatchOutcome } from './batch';
import { badRequest, notFound } from './errors';
import { accountOf, apiOrigin, param, queryBool, queryText } from './http';
import { objectType } from './object-types';
import { search } from './search';
import type { HubSpotAccounts } from './store';
import { associationsToWire, listParam, objectToWire } from './wire';

/** Objects per list page (`GET /crm/v3/objects/{type}?limit=`): 10 by default, at most 100. */
export const LIST_LIMITS = { defaultLimit: 10, maxLimit: 100 } as const;

/** `/crm/v3/objects/...`: basic reads and writes, search and batch. */
export function objectRoutes(accounts: HubSpotAccounts): Router {
  const router = Router();

  // Search and batch first: their paths would otherwise look like `/{type}/{id}`.
  router.post('/crm/v3/objects/:type/search', (req, res) => {
    const account = accountOf(accounts, res);
    res.json(search(account, objectType(param(req, 'type')), req.body));
  });

  // GDPR delete (developers.hubspot.com/docs/api-reference/crm-contacts-v3/basic/post-crm-v3-objects-contacts-gdpr-delete):
  // `{objectId}` or `{idProperty: "email", objectId: "<email>"}` -> 204 without a body, scope
  // crm.objects.contacts.write. HubSpot puts an email that matches no contact on a blocklist (community
  // announcement "Changes to the GDPR deletion endpoints", 2021); the simulator answers 204 and keeps no blocklist.
  // An unknown contact id gets 404 OBJECT_NOT_FOUND (unconfirmed).
  router.post('/crm/v3/objects/contacts/gdpr-delete', (req, res) => {
    const account = accountOf(accounts, res);
    const body = (req.body ?? {}) as { objectId?: unknown; idProperty?: unknown };
    if (typeof body.objectId !== 'string' && typeof body.objectId !== 'number') throw badRequest('objectId is required');
    if (body.idProperty !== undefined && typeof body.idProperty !== 'string') throw badRequest('idProperty must be a string');
    const byValue = body.idProperty !== undefined && body.idProperty !== 'hs_object_id';
    const contact = byValue
      ? account.findByUnique('contacts', body.idProperty as string, String(body.objectId))
      : account.get('contacts', String(body.objectId));
    if (contact) account.privacyDelete(contact.id, apiOrigin(res, accounts.fidelity));
    res.status(204).end();
  });

  router.post('/crm/v3/objects/:type/batch/:operation', (req, res) => {
    const account = accountOf(accounts, res);
    const type = objectType(param(req, 'type'));
    const operations: Record<string, () => BatchOutcome> = {
      read: () => batchRead(account, type, req.body),
      create: () => batchCreate(account, type, req.body, apiOrigin(res, accounts.fidelity)),
      update: () => batchUpdate(account, type, req.body, apiOrigin(res, accounts.fidelity)),
      upsert: () => batchUpsert(account, type, req.body, apiOrigin(res, accounts.fidelity)),
      archive: () => batchArchive(account, type, req.body, apiOrigin(res, accounts.fidelity)),
    };
    const run = operations[param(req, 'operation')];
    if (!run) throw notFound(`Unknown batch operation ${param(req, 'operation')}`);
    const outcome = run();
    if (outcome.body === undefined) res.status(outcome.httpStatus).end();
    else res.status(outcome.httpStatus).json(outcome.body);
  });

  // Merge (https://developers.hubspot.com/docs/api-reference/crm-custom-objects-v3/basic/post-crm-v3-objects-objectType-merge):
  // `{primaryObjectId, objectIdToMerge}` (strings) -> 200 with the resulting record (SimplePublicObject), the client's
  // `crm.{deals,companies,contacts}.basicApi.merge`. What survives and what is reported: HubSpotAccount.merge.
  router.post('/crm/v3/objects/:type/merge', (req, res) => {
    const account = accountOf(accounts, res);
    const type = objectType(param(req, 'type'));
    const { primaryObjectId, objectIdToMerge } = mergeInput(req.body);
    const survivor = account.merge(type.name, primaryObjectId, objectIdToMerge, apiOrigin(res, accounts.fidelity));
    res.json(objectToWire(account, type, survivor, { all: true }));
  });

  // List a page: `after` is the id to start from (HubSpot's cursor is likewise the next object's id).
  router.get('/crm/v3/objects/:type', (req, res) => {
    const account = accountOf(accounts, res);
    const type = objectType(param(req, 'type'));
    const limit = Number(queryText(req, 'limit') ?? LIST_LIMITS.defaultLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMITS.maxLimit) {
      throw badRequest(`limit must be between 1 and ${LIST_LIMITS.maxLimit}`);
    }
    const after = queryText(req, 'after');
    const properties = listParam(req.query.properties);
    const propertiesWithHistory = listParam(req.query.propertiesWithHistory);
    checkHistoryCount(limit, propertiesWithHistory);
    const associations = listParam(req.query.associations) ?? [];
    const all = account.list(type.name, { archived: queryBool(req, 'archived') });
    const start = after === undefined ? all : all.filter((o) => compareIds(o.id, after) >= 0);
    const page = start.slice(0, limit);
    const next = start[limit];
    res.json({
      results: page.map((o) => ({
        ...objectToWire(account, type, o, { ...(properties ? { properties } : {}), ...(propertiesWithHistory ? { propertiesWithHistory } : {}) }),
        ...withAssociations(associationsToWire(account, type, o, associations)),
      })),
      ...(next ? { paging: { next: { after: next.id, link: `?after=${next.id}` } } } : {}),
    });
  });

  router.post('/crm/v3/objects/:type', (req, res) => {
    const account = accountOf(accounts, res);
    const type = objectType(param(req, 'type'));
    const body = (req.body ?? {}) as { properties?: unknown; associations?: unknown };
    const object = account.create(type.name, body.properties, body.associations, apiOrigin(res, accounts.fidelity));
    res.status(201).json(objectToWire(account, type, object, { all: true }));
  });

  router.get('/crm/v3/objects/:type/:id', (req, res) => {
    const account = accountOf(accounts, res);
    const type = objectType(param(req, 'type'));
    // `?archived=true` reads an archived object instead (HubSpot keeps them readable for 90 days).
    const object = queryBool(req, 'archived')
      ? account.list(type.name, { archived: true }).find((o) => o.id === param(req, 'id')) ?? notFoundObject()
      : account.get(type.name, param(req, 'id'), queryText(req, 'idProperty'));
    const properties = listParam(req.query.properties);
    const propertiesWithHistory = listParam(req.query.propertiesWithHistory);
    const associations = listParam(req.query.associations) ?? [];
    res.json({
      ...objectToWire(account, type, object, { ...(properties ? { properties } : {}), ...(propertiesWithHistory ? { propertiesWithHistory } : {}) }),
      ...withAssociations(associationsToWire(account, type, object, associations)),
    });
  });

  router.patch('/crm/v3/objects/:type/:id', (req, res) => {
    const account = accountOf(accounts, res);
    const type = objectType(param(req, 'type'));
    const body = (req.body ?? {}) as { properties?: unknown };
    const object = account.update(type.name, param(req, 'id'), body.properties, apiOrigin(res, accounts.fidelity), queryText(req, 'idProperty'));
    res.json(objectToWire(account, type, object, { all: true }));
  });

  router.delete('/crm/v3/objects/:type/:id', (req, res) => {
    const account = accountOf(accounts, res);
    const type = objectType(param(req, 'type'));
    // HubSpot answers 204 for an id that does not exist too.
    if (account.find(type.name, param(req, 'id'))) account.archive(type.name, param(req, 'id'), apiOrigin(res, accounts.fidelity));
    res.status(204).end();
  });

  // v3 association read of one object: `{results:[{id, type}]}` (older clients still call it).
  router.get('/crm/v3/objects/:type/:id/associations/:toType', (req, res) => {
    const account = accountOf(accounts, res);
    const type = objectType(param(req, 'type'));
    const object = account.get(type.name, param(req, 'id'));
    const target = objectType(param(req, 'toType'));
    const map = associationsToWire(account, type, object, [target.name]) as Record<string, unknown> | undefined;
    res.json(map?.[target.associationKey] ?? { results: [] });
  });

  return router;
}

/** The merge body: both ids required, as strings or numbers. */
export function mergeInput(body: unknown): { primaryObjectId: string; objectIdToMerge: string } {
  const { primaryObjectId, objectIdToMerge } = (body ?? {}) as { primaryObjectId?: unknown; objectIdToMerge?: unknown };
  const id = (value: unknown) => (typeof value === 'string' && value !== '') || typeof value === 'number' ? String(value) : undefined;
  const primary = id(primaryObjectId);
  const toMerge = id(objectIdToMerge);
  if (!primary || !toMerge) throw badRequest('primaryObjectId and objectIdToMerge are required');
  return { primaryObjectId: primary, objectIdToMerge: toMerge };
}

function notFoundObject(): never {
  throw notFound();
}

function withAssociations(map: Record<string, unknown> | undefined): { associations?: Record<string, unknown> } {
  return map ? { associations: map } : {};
}
