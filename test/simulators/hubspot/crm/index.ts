/** The HubSpot CRM simulator's public surface (the shell and tests import from here). */
export { HubSpotAccounts, HubSpotAccount } from './store';
export type {
  PropertyChange,
  PropertyChangeListener,
  ObjectCreation,
  ObjectCreationListener,
  PrivacyDeletion,
  PrivacyDeletionListener,
  LifecycleEvent,
  LifecycleListener,
  CrmObject,
  AssociationInput,
  ChangeOrigin,
} from './store';
export { CrmError, hubspotError } from './errors';
export { OBJECT_TYPES, findObjectType, type ObjectTypeInfo, type ObjectTypeName } from './object-types';
export { RENEWALS_PIPELINE, DEMO_USERS } from './seed';
export { DEFAULT_DEAL_STAGES } from './pipelines';
export { SEARCH_LIMITS } from './search';
export { MAX_BATCH_INPUTS } from './batch';
export { ASSOCIATION_TYPES } from './associations';
export { MERGEABLE_TYPES } from './account';
export { DEFAULT_FIDELITY, hubspotFidelitySchema, type HubSpotFidelity, type HubSpotFidelityOptions } from './lifecycle-fidelity';
export { DEFAULT_CRM_FIDELITY, DEFAULT_SEARCH_LIMITS, type CrmFidelity, type CrmFidelityInput, type SearchLimits } from './fidelity';
export { MAX_HISTORY_INPUTS, type HistoryEntry } from './history';
