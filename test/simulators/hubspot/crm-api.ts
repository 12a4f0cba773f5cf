import express, { Router } from 'express';
import type { SimClock } from '../common/clock';
import { crmErrorHandler } from './crm/http';
import { associationRoutes } from './crm/routes-associations';
import { controlRoutes } from './crm/routes-control';
import { objectRoutes } from './crm/routes-objects';
import { schemaRoutes } from './crm/routes-schema';
import type { HubSpotAccounts } from './crm/store';

export { hubspotError } from './crm/errors';

export interface CrmRouterDeps {
  accounts: HubSpotAccounts;
  /** The simulator's clock; the accounts read it too, so it is here for symmetry with the other routers. */
  clock: SimClock;
}

/** HubSpot's body size ceiling is not published; 3 MB covers any 100-input batch. */
const JSON_BODY = express.json({ limit: '3mb' });

/**
 * HubSpot's CRM API (`/crm/v3/objects`, `/crm/v3/properties`, `/crm/v3/pipelines`, `/crm/v3/owners`,
 * `/crm/v4/objects/.../associations`). The shell mounts it at `/` after authenticating the bearer token and
 * setting `res.locals.portalId` (and, optionally, `res.locals.appId`, reported as the sourceId of API changes).
 */
export function hubspotCrmRouter(deps: CrmRouterDeps): Router {
  const router = Router();
  // Parse only CRM paths: requests the shell routes elsewhere keep their raw bodies (signature checks need them).
  router.use(['/crm'], JSON_BODY);
  router.use(objectRoutes(deps.accounts));
  router.use(schemaRoutes(deps.accounts));
  router.use(associationRoutes(deps.accounts));
  router.use(crmErrorHandler);
  return router;
}

/** The control API (see crm/routes-control.ts for each route); the shell mounts it at `/_sim/hubspot`. */
export function hubspotCrmControlRouter(deps: CrmRouterDeps): Router {
  const router = Router();
  router.use(JSON_BODY);
  router.use(controlRoutes(deps.accounts));
  router.use(crmErrorHandler);
  return router;
}
