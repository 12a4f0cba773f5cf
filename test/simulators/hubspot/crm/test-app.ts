import express from 'express';
import { SimClock } from '../../common/clock';
import { hubspotCrmControlRouter, hubspotCrmRouter } from '../crm-api';
import type { CrmFidelityInput } from './fidelity';
import type { HubSpotFidelityOptions } from './lifecycle-fidelity';
import { HubSpotAccounts, type LifecycleEvent, type ObjectCreation, type PropertyChange } from './store';

/**
 * For the CRM tests: an express app shaped like the shell's (the `x-test-portal` header stands in for the bearer
 * token the shell checks and sets `res.locals.portalId` from), the control API under /_sim/hubspot, one clock
 * that only moves when a test moves it, and recorders of PropertyChange and ObjectCreation events.
 */
export function crmTestApp(
  options: {
    seed?: 'demo' | 'empty';
    start?: string;
    /** Deletion/merge switches (lifecycle-fidelity.ts), as `startHubSpotSimulator({fidelity})`. */
    fidelity?: HubSpotFidelityOptions;
    /** Search, association and history readings (fidelity.ts), as `startHubSpotSimulator({crmFidelity})`. */
    crmFidelity?: CrmFidelityInput;
    appId?: number;
  } = {},
) {
  const clock = new SimClock({ start: Date.parse(options.start ?? '2026-11-20T10:00:00.000Z'), rate: 0 });
  const accounts = new HubSpotAccounts({ clock, fidelity: options.fidelity, crmFidelity: options.crmFidelity });
  const account = accounts.create(undefined, { seed: options.seed ?? 'demo' });
  const changes: PropertyChange[] = [];
  accounts.onPropertyChange((c) => changes.push(c));
  const creations: ObjectCreation[] = [];
  accounts.onObjectCreation((c) => creations.push(c));
  const lifecycle: LifecycleEvent[] = [];
  accounts.onLifecycle((e) => lifecycle.push(e));
  const app = express();
  app.use('/_sim/hubspot', hubspotCrmControlRouter({ accounts, clock }));
  app.use((req, res, next) => {
    res.locals.portalId = Number(req.header('x-test-portal') ?? account.portalId);
    // `appId` stands for the app whose OAuth token the shell would have seen (its writes are INTEGRATION changes).
    if (options.appId !== undefined) res.locals.appId = options.appId;
    next();
  });
  app.use('/', hubspotCrmRouter({ accounts, clock }));
  return { app, clock, accounts, account, portalId: account.portalId, changes, creations, lifecycle };
}
