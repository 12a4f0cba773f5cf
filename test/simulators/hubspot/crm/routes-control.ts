import { Router, type Request, type Response } from 'express';
import type { AssociationInput } from './account';
import { CrmError, badRequest, notFound } from './errors';
import { hubspotFidelityPatchSchema } from './lifecycle-fidelity';
import { param } from './http';
import { OBJECT_TYPES, objectType } from './object-types';
import { mergeInput } from './routes-objects';
import type { HubSpotAccount, HubSpotAccounts } from './store';
import { associationsToWire, objectToWire } from './wire';

/**
 * The simulator's own control API for tests and the sandbox (plain JSON, no auth), mounted by the shell at
 * `/_sim/hubspot`. Writes here act as a HubSpot *user* would: edits emit PropertyChange with changeSource CRM_UI,
 * deletes, restores and merges emit LifecycleEvents with changeSource CRM_UI (the portal's first user as sourceId).
 * Objects come back with every stored property.
 */
export function controlRoutes(accounts: HubSpotAccounts): Router {
  const router = Router();

  const accountFrom = (raw: string): HubSpotAccount => {
    const account = accounts.get(Number(raw));
    if (!account) throw notFound(`No simulated HubSpot portal ${raw}`);
    return account;
  };

  // POST /accounts {portalId?, seed?: 'demo'|'empty', name?} -> 201 {portalId}: a new portal (demo data by default).
  router.post('/accounts', (req, res) => {
    const body = (req.body ?? {}) as { portalId?: unknown; seed?: unknown; name?: unknown };
    const portalId = body.portalId === undefined ? undefined : Number(body.portalId);
    if (portalId !== undefined && (!Number.isInteger(portalId) || portalId <= 0)) throw badRequest('portalId must be a positive integer');
    if (body.seed !== undefined && body.seed !== 'demo' && body.seed !== 'empty') throw badRequest("seed must be 'demo' or 'empty'");
    if (portalId !== undefined && accounts.get(portalId)) throw new CrmError(409, 'CONFLICT', `Portal ${portalId} already exists`);
    const account = accounts.create(portalId, {
      ...(body.seed !== undefined ? { seed: body.seed } : {}),
      ...(typeof body.name === 'string' ? { name: body.name } : {}),
    });
    res.status(201).json({ portalId: account.portalId });
  });

  // GET /accounts -> {results:[{portalId, name}]}: every simulated portal.
  router.get('/accounts', (_req, res) => {
    res.json({ results: accounts.list().map((a) => ({ portalId: a.portalId, name: a.name })) });
  });

  // DELETE /accounts -> 204: forget every portal (a test's clean slate).
  router.delete('/accounts', (_req, res) => {
    accounts.reset();
    res.status(204).end();
  });

  // GET /accounts/:portalId/objects/:type[?property=value...] -> {results}: live objects of a type, all properties.
  router.get('/accounts/:portalId/objects/:type', (req, res) => {
    const account = accountFrom(param(req, 'portalId'));
    const type = objectType(param(req, 'type'));
    // Any query parameter filters on that property's exact value (?dealname=Acme%20renewal), so a script can find
    // a demo record by name instead of by id.
    const filters = Object.entries(req.query).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    const matches = account.list(type.name).filter((o) => filters.every(([name, value]) => o.properties[name] === value));
    res.json({ results: matches.map((o) => objectToWire(account, type, o, { all: true })) });
  });

  // GET /accounts/:portalId/objects/:type/:id -> the object with all properties and all its associations.
  router.get('/accounts/:portalId/objects/:type/:id', (req, res) => {
    const account = accountFrom(param(req, 'portalId'));
    const type = objectType(param(req, 'type'));
    const object = account.get(type.name, param(req, 'id'));
    const associations = associationsToWire(account, type, object, OBJECT_TYPES.map((t) => t.name));
    res.json({ ...objectToWire(account, type, object, { all: true }), ...(associations ? { associations } : {}) });
  });

  // POST /accounts/:portalId/objects/:type {properties, associations?} -> 201: a user creates a record.
  router.post('/accounts/:portalId/objects/:type', (req, res) => {
    const account = accountFrom(param(req, 'portalId'));
    const body = (req.body ?? {}) as { properties?: Record<string, unknown>; associations?: AssociationInput[] };
    res.status(201).json(account.createObject(param(req, 'type'), body.properties ?? {}, body.associations));
  });

  // PATCH /accounts/:portalId/objects/:type/:id {properties, changeSource?} -> 200: a user edits a record (this
  // is how tests move a deal to Closed Won); emits PropertyChange (changeSource CRM_UI unless given).
  router.patch('/accounts/:portalId/objects/:type/:id', (req, res) => {
    const account = accountFrom(param(req, 'portalId'));
    const body = (req.body ?? {}) as { properties?: Record<string, unknown>; changeSource?: unknown };
    const changeSource = typeof body.changeSource === 'string' ? body.changeSource : 'CRM_UI';
    res.json(account.setProperties(param(req, 'type'), param(req, 'id'), body.properties ?? {}, changeSource));
  });

  // DELETE /accounts/:portalId/objects/:type/:id, or POST .../:id/delete -> 204: a user deletes (archives) a record;
  // apps subscribed to object.deletion for its type hear (changeSource CRM_UI, the user as sourceId).
  const deleteRecord = (req: Request, res: Response) => {
    accountFrom(param(req, 'portalId')).deleteObject(param(req, 'type'), param(req, 'id'));
    res.status(204).end();
  };
  router.delete('/accounts/:portalId/objects/:type/:id', deleteRecord);
  router.post('/accounts/:portalId/objects/:type/:id/delete', deleteRecord);

  // POST /accounts/:portalId/objects/:type/:id/restore -> 200 the record: a user restores a deleted record from the
  // recycle bin; apps subscribed to object.restore hear. 404 for a record merged away or never there, 400 if live.
  router.post('/accounts/:portalId/objects/:type/:id/restore', (req, res) => {
    res.json(accountFrom(param(req, 'portalId')).restoreObject(param(req, 'type'), param(req, 'id')));
  });

  // POST /accounts/:portalId/objects/:type/merge {primaryObjectId, objectIdToMerge} -> 200 the resulting record: a
  // user merges two records in HubSpot; apps subscribed to object.merge (and, with deletionOnMerge, object.deletion)
  // hear. The same rules as the API's merge (HubSpotAccount.merge).
  router.post('/accounts/:portalId/objects/:type/merge', (req, res) => {
    const account = accountFrom(param(req, 'portalId'));
    const { primaryObjectId, objectIdToMerge } = mergeInput(req.body);
    res.json(account.mergeObjects(param(req, 'type'), primaryObjectId, objectIdToMerge));
  });

  // GET /fidelity -> the switches; POST /fidelity {integrationSourceId?, mergeSurvivor?, mergedIdRead?,
  // deletionOnMerge?} -> the switches after the change (crm/lifecycle-fidelity.ts). Reset restores the start-up values.
  router.get('/fidelity', (_req, res) => {
    res.json(accounts.fidelity);
  });
  router.post('/fidelity', (req, res) => {
    const parsed = hubspotFidelityPatchSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest(`invalid fidelity switches: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
    res.json(accounts.configureFidelity(parsed.data));
  });

  // POST /accounts/:portalId/objects/contacts/:id/gdpr-delete -> 204: a user deletes a contact for good to honour
  // a privacy request (the contact and its associations are gone; apps subscribed to contact.privacyDeletion hear).
  router.post('/accounts/:portalId/objects/contacts/:id/gdpr-delete', (req, res) => {
    accountFrom(param(req, 'portalId')).gdprDelete(param(req, 'id'));
    res.status(204).end();
  });

  return router;
}
