/**
 * Behaviour of the CRM simulator that public sources do not pin down, as settings instead of guesses. Each default
 * says where it comes from; a test (or `startHubSpotSimulator({crmFidelity})`) can choose the other reading.
 */
export interface SearchLimits {
  maxFilterGroups: number;
  maxFiltersPerGroup: number;
  maxFiltersTotal: number;
  /** Characters of the full-text `query`. */
  maxQueryLength: number;
  defaultLimit: number;
  maxLimit: number;
  maxResults: number;
}

export interface CrmFidelity {
  /**
   * Search limits. Groups, filters per group and in all: 5 / 10 / 25 from HubSpot's changelog
   * (developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api,
   * August 2024). Some later pages give 5 / 6 / 18 instead; that reading could not be confirmed here, so it is a setting
   * (`{maxFiltersPerGroup: 6, maxFiltersTotal: 18}`). The 3,000-character `query` limit is the one the search guide
   * (https://developers.hubspot.com/docs/api/crm/search, "Limitations") is cited for; not confirmed from a stored copy.
   */
  search: SearchLimits;
  /**
   * `POST /crm/v4/associations/{from}/{to}/batch/read` for an existing object with no associations of that type:
   * `'error'` reports it in `errors[]` (the answer becomes 207), `'empty'` gives a result with `to: []`. Which one
   * HubSpot does is not documented; `'error'` is what integrators commonly report.
   */
  v4BatchReadWithoutAssociations: 'error' | 'empty';
  /**
   * Order of a property's history entries. Newest first is how HubSpot's examples list them (the v1 `versions`
   * and the v3 `propertiesWithHistory` sample in https://github.com/HubSpot/hubspot-api-nodejs/issues/154); not
   * stated as a rule anywhere, hence the setting.
   */
  historyOrder: 'newestFirst' | 'oldestFirst';
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = {
  maxFilterGroups: 5,
  maxFiltersPerGroup: 10,
  maxFiltersTotal: 25,
  maxQueryLength: 3000,
  defaultLimit: 10,
  maxLimit: 200,
  maxResults: 10_000,
};

export const DEFAULT_CRM_FIDELITY: CrmFidelity = {
  search: DEFAULT_SEARCH_LIMITS,
  v4BatchReadWithoutAssociations: 'error',
  historyOrder: 'newestFirst',
};

/** What a caller gives: any subset, search limits too. */
export type CrmFidelityInput = Partial<Omit<CrmFidelity, 'search'>> & { search?: Partial<SearchLimits> };

export function resolveFidelity(input: CrmFidelityInput = {}): CrmFidelity {
  return {
    ...DEFAULT_CRM_FIDELITY,
    ...input,
    search: { ...DEFAULT_SEARCH_LIMITS, ...input.search },
  };
}
