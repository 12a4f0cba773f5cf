import { Router } from 'express';
import { badRequest, notFound } from './errors';
import { accountOf, param, queryText } from './http';
import { objectType } from './object-types';
import { ownerToWire } from './owners';
import { pipelineToWire, stageToWire } from './pipelines';
import { propertyToWire } from './properties';
import type { HubSpotAccounts } from './store';

/** Owners per page (`GET /crm/v3/owners?limit=`): 100 by default, at most 500. */
export const OWNER_LIMITS = { defaultLimit: 100, maxLimit: 500 } as const;

/** `/crm/v3/properties`, `/crm/v3/pipelines` and `/crm/v3/owners`: an account's schema and users. */
export function schemaRoutes(accounts: HubSpotAccounts): Router {
  const router = Router();

  router.get('/crm/v3/properties/:type', (req, res) => {
    const account = accountOf(accounts, res);
    res.json({ results: account.schema.list(objectType(param(req, 'type')).name).map(propertyToWire) });
  });

  router.post('/crm/v3/properties/:type', (req, res) => {
    const account = accountOf(accounts, res);
    res.status(201).json(propertyToWire(account.schema.create(objectType(param(req, 'type')), (req.body ?? {}) as Record<string, unknown>)));
  });

  // Groups before `/:name`, or "groups" would be read as a property name.
  router.get('/crm/v3/properties/:type/groups', (req, res) => {
    const account = accountOf(accounts, res);
    res.json({ results: account.schema.listGroups(objectType(param(req, 'type')).name) });
  });

  router.post('/crm/v3/properties/:type/groups', (req, res) => {
    const account = accountOf(accounts, res);
    res.status(201).json(account.schema.createGroup(objectType(param(req, 'type')), (req.body ?? {}) as Record<string, unknown>));
  });

  // "Read a property group" (developers.hubspot.com/docs/api-reference/2026-03/crm/properties/property-groups/get-property);
  // @hubspot/api-client's groupsApi.getByName calls it.
  router.get('/crm/v3/properties/:type/groups/:groupName', (req, res) => {
    const account = accountOf(accounts, res);
    res.json(account.schema.getGroup(objectType(param(req, 'type')).name, param(req, 'groupName')));
  });

  router.get('/crm/v3/properties/:type/:name', (req, res) => {
    const account = accountOf(accounts, res);
    res.json(propertyToWire(account.schema.get(objectType(param(req, 'type')).name, param(req, 'name'))));
  });

  router.patch('/crm/v3/properties/:type/:name', (req, res) => {
    const account = accountOf(accounts, res);
    res.json(propertyToWire(account.schema.update(objectType(param(req, 'type')), param(req, 'name'), (req.body ?? {}) as Record<string, unknown>)));
  });

  router.delete('/crm/v3/properties/:type/:name', (req, res) => {
    const account = accountOf(accounts, res);
    account.schema.archive(objectType(param(req, 'type')).name, param(req, 'name'));
    res.status(204).end();
  });

  // Pipelines: only deals have them in the simulator (tickets are not simulated).
  const dealPipelines = (type: string) => {
    if (objectType(type).name !== 'deals') throw badRequest(`The simulator has pipelines for deals only, not ${type}`);
  };

  router.get('/crm/v3/pipelines/:type', (req, res) => {
    const account = accountOf(accounts, res);
    dealPipelines(param(req, 'type'));
    res.json({ results: account.pipelines.list().map(pipelineToWire) });
  });

  router.get('/crm/v3/pipelines/:type/:pipelineId', (req, res) => {
    const account = accountOf(accounts, res);
    dealPipelines(param(req, 'type'));
    res.json(pipelineToWire(account.pipelines.get(param(req, 'pipelineId'))));
  });

  router.get('/crm/v3/pipelines/:type/:pipelineId/stages', (req, res) => {
    const account = accountOf(accounts, res);
    dealPipelines(param(req, 'type'));
    const pipeline = account.pipelines.get(param(req, 'pipelineId'));
    res.json({ results: pipeline.stages.map((s) => stageToWire(pipeline, s)) });
  });

  router.get('/crm/v3/pipelines/:type/:pipelineId/stages/:stageId', (req, res) => {
    const account = accountOf(accounts, res);
    dealPipelines(param(req, 'type'));
    const pipeline = account.pipelines.get(param(req, 'pipelineId'));
    const stage = pipeline.stages.find((s) => s.id === param(req, 'stageId'));
    if (!stage) throw notFound(`Unable to find stage ${param(req, 'stageId')} in pipeline ${pipeline.id}`);
    res.json(stageToWire(pipeline, stage));
  });

  // Owners: `email` filters; `after` is the offset of the next page.
  router.get('/crm/v3/owners', (req, res) => {
    const account = accountOf(accounts, res);
    const email = queryText(req, 'email')?.toLowerCase();
    const limit = Number(queryText(req, 'limit') ?? OWNER_LIMITS.defaultLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > OWNER_LIMITS.maxLimit) throw badRequest(`limit must be between 1 and ${OWNER_LIMITS.maxLimit}`);
    const offset = Number(queryText(req, 'after') ?? 0);
    if (!Number.isInteger(offset) || offset < 0) throw badRequest('after must be a cursor from paging.next.after');
    const matching = account.owners.filter((o) => email === undefined || o.email.toLowerCase() === email);
    const page = matching.slice(offset, offset + limit);
    const next = offset + page.length;
    res.json({
      results: page.map(ownerToWire),
      ...(next < matching.length ? { paging: { next: { after: String(next), link: `?after=${next}` } } } : {}),
    });
  });

  router.get('/crm/v3/owners/:ownerId', (req, res) => {
    const account = accountOf(accounts, res);
    const byUserId = queryText(req, 'idProperty') === 'userId';
    const wanted = param(req, 'ownerId');
    const owner = account.owners.find((o) => (byUserId ? String(o.userId) : o.id) === wanted);
    if (!owner) throw notFound(`No owner with ${byUserId ? 'userId' : 'id'} ${wanted}`);
    res.json(ownerToWire(owner));
  });

  return router;
}
