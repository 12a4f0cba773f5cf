import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/deals';
import { listen } from '../common/listen';
import { crmTestApp } from './crm/test-app';
import { idByName, useOfficialClient } from './crm/test-helpers';

const filter = (propertyName: string, value: string, operator = FilterOperatorEnum.Eq) => ({ propertyName, operator, value });

/**
 * Search on associations (`associations.contact|company|deal`, https://developers.hubspot.com/docs/api/crm/search)
 * and the request limits (crm/fidelity.ts for their sources): 3,000 characters of query, filter groups and filters.
 */
describe('HubSpot CRM simulator: search on associations and limits', () => {
  const crm = useOfficialClient();

  const dealNames = async (filters: ReturnType<typeof filter>[], api = crm.client) => {
    const page = await api.crm.deals.searchApi.doSearch({ filterGroups: [{ filters }], properties: ['dealname'], sorts: ['dealname'], limit: 100 });
    return page.results.map((r) => r.properties.dealname);
  };

  it('When deals are searched by associations.company, then only that company\'s deals come back', async () => {
    const abc = idByName(crm.sim.account, 'companies', 'ABC LLC');
    expect(await dealNames([filter('associations.company', abc)])).toEqual(['ABC LLC - Annual support renewal', 'ABC LLC - Schematic design']);
  });

  it('When deals are searched by associations.contact and a stage, then both must hold', async () => {
    const nancy = idByName(crm.sim.account, 'contacts', 'nancy@northwind.example');
    expect(await dealNames([filter('associations.contact', nancy), filter('dealstage', 'closedwon')])).toEqual(['Northwind - Construction documents']);
  });

  it('When contacts are searched by associations.deal, then the deal\'s contact comes back', async () => {
    const deal = idByName(crm.sim.account, 'deals', 'ABC LLC - Schematic design');
    const page = await crm.client.crm.contacts.searchApi.doSearch({ filterGroups: [{ filters: [filter('associations.deal', deal)] }], properties: ['email'] });
    expect(page.results.map((r) => r.properties.email)).toEqual(['jane@abc.example']);
  });

  it('When an association filter uses a range operator, then it is a 400', async () => {
    const abc = idByName(crm.sim.account, 'companies', 'ABC LLC');
    await expect(dealNames([filter('associations.company', abc, FilterOperatorEnum.Gt)])).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
  });

  it('When the query is 3,001 characters, then it is a 400; 3,000 pass', async () => {
    const search = (query: string) => crm.client.crm.deals.searchApi.doSearch({ query, filterGroups: [] });
    await expect(search('a'.repeat(3001))).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
    await expect(search('a'.repeat(3000))).resolves.toMatchObject({ total: 0 });
  });

  it('When the simulator is set to 6 filters per group and 18 in all, then a group of 7 and 19 in all are refused', async () => {
    const strict = crmTestApp({ crmFidelity: { search: { maxFiltersPerGroup: 6, maxFiltersTotal: 18 } } });
    const strictServer = await listen(strict.app);
    try {
      const strictClient = new Client({ accessToken: 'x', basePath: strictServer.url });
      const many = (n: number) => Array.from({ length: n }, () => filter('dealstage', 'closedwon'));
      const groups = (sizes: number[]) => strictClient.crm.deals.searchApi.doSearch({ filterGroups: sizes.map((n) => ({ filters: many(n) })) });
      await expect(groups([7])).rejects.toMatchObject({ code: 400 });
      await expect(groups([6])).resolves.toMatchObject({ total: 1 });
      await expect(groups([6, 6, 6, 1])).rejects.toMatchObject({ code: 400 });
      await expect(groups([6, 6, 6])).resolves.toMatchObject({ total: 1 });
      // The default (HubSpot's changelog): 10 per group.
      await expect(crm.client.crm.deals.searchApi.doSearch({ filterGroups: [{ filters: many(10) }] })).resolves.toMatchObject({ total: 1 });
    } finally {
      await strictServer.close();
    }
  });
});
