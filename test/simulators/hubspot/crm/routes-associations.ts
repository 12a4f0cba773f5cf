import { Router } from 'express';
import { ASSOCIATION_TYPES, HUBSPOT_DEFINED, findAssociationType, type AssociationType, type Associated } from './associations';
import type { HubSpotAccount } from './account';
import { MAX_BATCH_INPUTS } from './batch';
import { badRequest } from './errors';
import { accountOf, param, queryText } from './http';
import { objectType, type ObjectTypeInfo } from './object-types';
import type { HubSpotAccounts } from './store';

/** Associations per page of a v4 read (HubSpot's default and maximum page is 500). */
export const V4_ASSOCIATION_PAGE = 500;

/** `/crm/v4/objects/{from}/{id}/associations/...`: read, create (default or typed) and remove associations. */
export function associationRoutes(accounts: HubSpotAccounts): Router {
  const router = Router();

  // `{results:[{toObjectId, associationTypes:[{category, typeId, label}]}], paging?}`; toObjectId is a number,
  // as in HubSpot's examples (clients should accept a string as well).
  router.get('/crm/v4/objects/:from/:id/associations/:to', (req, res) => {
    const account = accountOf(accounts, res);
    const from = objectType(param(req, 'from'));
    const to = objectType(param(req, 'to'));
    const object = account.get(from.name, param(req, 'id'));
    const limit = Math.min(Number(queryText(req, 'limit') ?? V4_ASSOCIATION_PAGE), V4_ASSOCIATION_PAGE);
    const offset = Number(queryText(req, 'after') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) throw badRequest('limit and after must be positive integers');
    const all = liveAssociations(account, from, object.id, to);
    const page = all.slice(offset, offset + limit);
    res.json({
      results: page.map((a) => associatedToWire(from, a)),
      ...(offset + page.length < all.length ? { paging: { next: { after: String(offset + page.length) } } } : {}),
    });
  });

  /**
   * Batch read (`crm.associations.v4.batchApi.getPage`): body `{inputs:[{id, after?}]}`, answer
   * `{status, results:[{from:{id}, to:[{toObjectId, associationTypes:[{category, typeId, label}]}], paging?}],
   * startedAt, completedAt}`; HTTP 207 with `numErrors` and `errors` when some inputs could not be read (the client
   * reads 200 and 207 alike: @hubspot/api-client lib/codegen/crm/associations/v4/apis/BatchApi.js). Shape from
   * https://developers.hubspot.com/docs/api-reference/legacy/crm/associations/associate-records/batch/get-associations:
   * each id pages on its own (500 per page) and `after` goes beside the `id` for the next page. The wording of the
   * errors is the simulator's (not published).
   */
  router.post('/crm/v4/associations/:from/:to/batch/read', (req, res) => {
    const account = accountOf(accounts, res);
    const from = objectType(param(req, 'from'));
    const to = objectType(param(req, 'to'));
    const startedAt = new Date(account.nowMs()).toISOString();
    const inputs = (req.body as { inputs?: unknown } | undefined)?.inputs;
    if (!Array.isArray(inputs)) throw badRequest('inputs must be a list');
    if (inputs.length > MAX_BATCH_INPUTS) throw badRequest(`Batch input size ${inputs.length} exceeds the limit of ${MAX_BATCH_INPUTS} inputs`);
    const results: object[] = [];
    const missing: string[] = [];
    const unassociated: string[] = [];
    for (const raw of inputs) {
      const input = (raw ?? {}) as { id?: unknown; after?: unknown };
      if (typeof input.id !== 'string' && typeof input.id !== 'number') throw badRequest('Each input needs an id');
      const id = String(input.id);
      const offset = input.after === undefined || input.after === null ? 0 : Number(input.after);
      if (!Number.isInteger(offset) || offset < 0) throw badRequest(`after must be a non-negative integer, was ${String(input.after)}`);
      if (!account.find(from.name, id)) {
        missing.push(id);
        continue;
      }
      const all = liveAssociations(account, from, id, to);
      if (all.length === 0 && account.crmFidelity().v4BatchReadWithoutAssociations === 'error') {
        unassociated.push(id);
        continue;
      }
      const page = all.slice(offset, offset + V4_ASSOCIATION_PAGE);
      results.push({
        from: { id },
        to: page.map((a) => associatedToWire(from, a)),
        ...(offset + page.length < all.length ? { paging: { next: { after: String(offset + page.length) } } } : {}),
      });
    }
    const errors = [
      ...(missing.length ? [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `No ${from.singular} exists with these ids.`, context: { ids: missing } }] : []),
      ...(unassociated.length ? [{
        status: 'error', category: 'OBJECT_NOT_FOUND', subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${to.singular} is associated with ${from.singular} ${unassociated.join(', ')}.`, context: { fromObjectId: unassociated },
      }] : []),
    ];
    const body = { status: 'COMPLETE', results, startedAt, completedAt: new Date(account.nowMs()).toISOString() };
    if (errors.length === 0) return res.json(body);
    res.status(207).json({ ...body, numErrors: errors.length, errors });
  });

  /**
   * The association types from one object type to another (`crm.associations.v4.schema.definitionsApi.getAll`):
   * `{results:[{category, typeId, label}]}`, unlabelled types with `label: null`
   * (CollectionResponseAssociationSpecWithLabelNoPaging in @hubspot/api-client; HubSpot's v4 guide,
   * https://developers.hubspot.com/docs/api/crm/associations, "Retrieve association labels"). A pair with no
   * types (deals to products) has an empty list.
   */
  router.get('/crm/v4/associations/:from/:to/labels', (req, res) => {
    const from = objectType(param(req, 'from'));
    const to = objectType(param(req, 'to'));
    accountOf(accounts, res);
    const results = ASSOCIATION_TYPES.filter((t) => t.from === from.name && t.to === to.name)
      .sort((a, b) => a.typeId - b.typeId)
      .map((t) => ({ category: HUBSPOT_DEFINED, typeId: t.typeId, label: t.label }));
    res.json({ results });
  });

  // Default (unlabelled) association, created in both directions; the answer lists both.
  router.put('/crm/v4/objects/:from/:fromId/associations/default/:to/:toId', (req, res) => {
    const account = accountOf(accounts, res);
    const from = objectType(param(req, 'from'));
    const to = objectType(param(req, 'to'));
    const startedAt = new Date(account.nowMs()).toISOString();
    const fromId = param(req, 'fromId');
    const toId = param(req, 'toId');
    const [type] = account.associate(from.name, fromId, to.name, toId);
    if (!type) throw badRequest(`${from.name} cannot be associated with ${to.name}`);
    const spec = (t: number) => ({ associationCategory: HUBSPOT_DEFINED, associationTypeId: t });
    res.json({
      status: 'COMPLETE',
      results: [
        { from: { id: fromId }, to: { id: toId }, associationSpec: spec(type.typeId) },
        { from: { id: toId }, to: { id: fromId }, associationSpec: spec(type.inverseTypeId) },
      ],
      startedAt,
      completedAt: new Date(account.nowMs()).toISOString(),
    });
  });

  // Typed association: body `[{associationCategory, associationTypeId}]`; 201 with the pair's labels.
  router.put('/crm/v4/objects/:from/:fromId/associations/:to/:toId', (req, res) => {
    const account = accountOf(accounts, res);
    const from = objectType(param(req, 'from'));
    const to = objectType(param(req, 'to'));
    const types = parseTypes(req.body);
    const fromId = param(req, 'fromId');
    const toId = param(req, 'toId');
    account.associate(from.name, fromId, to.name, toId, types);
    res.status(201).json(labelsBetween(account.associations.list(from.name, fromId, to.name).find((a) => a.toId === toId)?.typeIds ?? [], from, fromId, to, toId));
  });

  router.delete('/crm/v4/objects/:from/:fromId/associations/:to/:toId', (req, res) => {
    const account = accountOf(accounts, res);
    account.associations.removeAll(objectType(param(req, 'from')).name, param(req, 'fromId'), objectType(param(req, 'to')).name, param(req, 'toId'));
    res.status(204).end();
  });

  return router;
}

/** An object's links to live objects of a type (links to archived objects are not reported). */
function liveAssociations(account: HubSpotAccount, from: ObjectTypeInfo, id: string, to: ObjectTypeInfo): Associated[] {
  return account.associations.list(from.name, id, to.name).filter((a) => account.find(to.name, a.toId));
}

/** `{toObjectId, associationTypes:[{category, typeId, label}]}`, toObjectId a number as in HubSpot's examples. */
function associatedToWire(from: ObjectTypeInfo, a: Associated): object {
  return {
    toObjectId: Number(a.toId),
    associationTypes: a.typeIds.map((typeId) => ({ category: HUBSPOT_DEFINED, typeId, label: findAssociationType(from.name, typeId)?.label ?? null })),
  };
}

function parseTypes(body: unknown): number[] {
  if (!Array.isArray(body) || body.length === 0) throw badRequest('The body must be a list of {associationCategory, associationTypeId}');
  return body.map((item: unknown) => {
    const t = (item ?? {}) as { associationCategory?: unknown; associationTypeId?: unknown };
    if (t.associationCategory !== HUBSPOT_DEFINED) {
      throw badRequest(`associationCategory ${String(t.associationCategory)} is not simulated (only ${HUBSPOT_DEFINED})`);
    }
    const id = Number(t.associationTypeId);
    if (!Number.isInteger(id)) throw badRequest('associationTypeId must be an integer');
    return id;
  });
}

/** `LabelsBetweenObjectPair`: the labels (null for unlabelled types are left out) now linking the pair. */
function labelsBetween(typeIds: number[], from: ObjectTypeInfo, fromId: string, to: ObjectTypeInfo, toId: string): object {
  const labels = typeIds
    .map((id) => findAssociationType(from.name, id))
    .filter((t): t is AssociationType => t !== undefined && t.label !== null)
    .map((t) => t.label as string);
  return { fromObjectTypeId: from.typeId, fromObjectId: Number(fromId), toObjectTypeId: to.typeId, toObjectId: Number(toId), labels };
}
