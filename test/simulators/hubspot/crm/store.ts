import type { SimClock } from '../../common/clock';
import { HubSpotAccount, type HubSpotAccountState, type LifecycleEvent, type ObjectCreation, type PrivacyDeletion, type PropertyChange } from './account';
import { resolveFidelity, type CrmFidelity, type CrmFidelityInput } from './fidelity';
import { hubspotFidelitySchema, hubspotFidelityPatchSchema, type HubSpotFidelity, type HubSpotFidelityOptions } from './lifecycle-fidelity';
import { seedDemo } from './seed';

export { HubSpotAccount } from './account';
export type { PropertyChange, ObjectCreation, PrivacyDeletion, LifecycleEvent, CrmObject, AssociationInput, ChangeOrigin } from './account';

/** HubSpotAccounts.exportState(). */
export interface HubSpotAccountsState {
  accounts: HubSpotAccountState[];
  nextPortalId: number;
  nextObjectId: number;
}

export type PropertyChangeListener = (change: PropertyChange) => void;
export type ObjectCreationListener = (creation: ObjectCreation) => void;
export type PrivacyDeletionListener = (deletion: PrivacyDeletion) => void;
export type LifecycleListener = (event: LifecycleEvent) => void;

/** Portal ids look like HubSpot's test portals (62515 is the portal of HubSpot's own signature examples). */
const FIRST_PORTAL_ID = 62_515_001;
/** Object ids are numeric strings unique across all accounts, so an id from one portal never exists in another. */
const FIRST_OBJECT_ID = 30_000_000_001;

/**
 * Every simulated HubSpot portal, and the events their data produces for webhooks:
 * - PropertyChange: one per property value that an update (`PATCH`, batch update/upsert, a control-API user
 *   edit) actually changes; a write that changes nothing emits none. Never for creations: HubSpot reports a
 *   creation as its own `*.creation` event, emitted here as ObjectCreation (`onObjectCreation`).
 * - PrivacyDeletion: a contact deleted for good (GDPR delete), `onPrivacyDeletion`.
 * - LifecycleEvent: a record deleted (archived), restored or merged, `onLifecycle`.
 * The demo seed emits none of them.
 */
export class HubSpotAccounts {
  private readonly accounts = new Map<number, HubSpotAccount>();
  private readonly listeners = new Set<PropertyChangeListener>();
  private readonly creationListeners = new Set<ObjectCreationListener>();
  private readonly privacyListeners = new Set<PrivacyDeletionListener>();
  private readonly lifecycleListeners = new Set<LifecycleListener>();
  /**
   * Deletion/merge behaviour that sources leave open (crm/lifecycle-fidelity.ts); `configureFidelity` changes it at
   * run time, reset returns to the start-up values.
   */
  private currentFidelity: HubSpotFidelity;
  private readonly initialFidelity: HubSpotFidelity;
  private nextPortalId = FIRST_PORTAL_ID;
  private nextObjectId = FIRST_OBJECT_ID;
  private readonly clock: SimClock;
  /**
   * Readings of search, association and history behaviour HubSpot does not document (crm/fidelity.ts); shared by
   * every portal, fixed at start. Separate from the lifecycle switches (`fidelity`), which may change at run time.
   */
  readonly crmFidelity: CrmFidelity;

  constructor(options: { clock: SimClock; fidelity?: HubSpotFidelityOptions; crmFidelity?: CrmFidelityInput }) {
    this.clock = options.clock;
    this.crmFidelity = resolveFidelity(options.crmFidelity);
    this.initialFidelity = hubspotFidelitySchema.parse(options.fidelity ?? {});
    this.currentFidelity = { ...this.initialFidelity };
  }

  get fidelity(): Readonly<HubSpotFidelity> {
    return this.currentFidelity;
  }

  /** Replaces the switches given; the others stay. */
  configureFidelity(patch: unknown): HubSpotFidelity {
    this.currentFidelity = { ...this.currentFidelity, ...hubspotFidelityPatchSchema.parse(patch) };
    return this.currentFidelity;
  }

  /** A new portal, seeded with demo data unless `seed: 'empty'`. An existing portal id is an error. */
  create(portalId?: number, options: { seed?: 'demo' | 'empty'; name?: string } = {}): HubSpotAccount {
    const id = portalId ?? this.freePortalId();
    if (this.accounts.has(id)) throw new Error(`HubSpot portal ${id} already exists`);
    // The seed is the portal's past, not news: it emits nothing.
    let seeded = false;
    const account = new HubSpotAccount(id, options.name ?? `Portal ${id}`, {
      clock: this.clock,
      crmFidelity: () => this.crmFidelity,
      nextId: () => String(this.nextObjectId++),
      emit: (change) => {
        if (seeded) this.emit(this.listeners, change);
      },
      emitCreation: (creation) => {
        if (seeded) this.emit(this.creationListeners, creation);
      },
      emitPrivacyDeletion: (deletion) => {
        if (seeded) this.emit(this.privacyListeners, deletion);
      },
      emitLifecycle: (event) => {
        if (seeded) this.emit(this.lifecycleListeners, event);
      },
      fidelity: () => this.currentFidelity,
    });
    if ((options.seed ?? 'demo') === 'demo') seedDemo(account);
    seeded = true;
    this.accounts.set(id, account);
    return account;
  }

  /** Every portal and the id counters as JSON data. */
  exportState(): HubSpotAccountsState {
    return { accounts: this.list().map((a) => a.exportState()), nextPortalId: this.nextPortalId, nextObjectId: this.nextObjectId };
  }

  /** Replaces every portal with saved ones; object ids continue where the saved world stopped. */
  importState(state: HubSpotAccountsState): void {
    this.accounts.clear();
    for (const saved of state.accounts) {
      const account = this.create(saved.portalId, { seed: 'empty', name: saved.name });
      account.importState(saved);
    }
    this.nextPortalId = state.nextPortalId;
    this.nextObjectId = state.nextObjectId;
  }

  get(portalId: number): HubSpotAccount | undefined {
    return this.accounts.get(portalId);
  }

  list(): HubSpotAccount[] {
    return [...this.accounts.values()];
  }

  /** Forgets every portal (listeners stay: they belong to the simulator, not to the data). */
  reset(): void {
    this.accounts.clear();
    this.currentFidelity = { ...this.initialFidelity };
    // Seeded records get the same ids after a reset as at start, so a script that drives the demo keeps working.
    this.nextObjectId = FIRST_OBJECT_ID;
  }

  onPropertyChange(listener: PropertyChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onObjectCreation(listener: ObjectCreationListener): () => void {
    this.creationListeners.add(listener);
    return () => this.creationListeners.delete(listener);
  }

  onLifecycle(listener: LifecycleListener): () => void {
    this.lifecycleListeners.add(listener);
    return () => this.lifecycleListeners.delete(listener);
  }

  onPrivacyDeletion(listener: PrivacyDeletionListener): () => void {
    this.privacyListeners.add(listener);
    return () => this.privacyListeners.delete(listener);
  }

  private emit<T>(listeners: Set<(event: T) => void>, event: T): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure (a webhook queue) must not undo or fail the CRM write that already happened.
      }
    }
  }

  private freePortalId(): number {
    while (this.accounts.has(this.nextPortalId)) this.nextPortalId++;
    return this.nextPortalId++;
  }
}
