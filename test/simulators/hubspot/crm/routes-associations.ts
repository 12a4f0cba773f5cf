import { Router } from 'express';
import { HUBSPOT_DEFINED, findAssociationType, type AssociationType } from './associations';
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
    const all = account.associations.list(from.name, object.id, to.name).filter((a) => account.find(to.name, a.toId));
    const page = all.slice(offset, offset + limit);
    res.json({
      results: page.map((a) => ({
        toObjectId: Number(a.toId),
        associationTypes: a.typeIds.map((typeId) => {
          const type = findAssociationType(from.name, typeId);
          return { category: HUBSPOT_DEFINED, typeId, label: type?.label ?? null };
        }),
      })),
      ...(offset + page.length < all.length ? { paging: { next: { after: String(offset + page.length) } } } : {}),
    });
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
