import { Client } from '@hubspot/api-client';
import { listen } from '../common/listen';
import { crmTestApp } from './crm/test-app';
import { idByName, useOfficialClient } from './crm/test-helpers';

/**
 * Associations v4 batch read and labels through the official client (@hubspot/api-client 14):
 * `crm.associations.v4.batchApi.getPage` -> POST /crm/v4/associations/{from}/{to}/batch/read, 200 or 207
 * (lib/codegen/crm/associations/v4/apis/BatchApi.js), shape per
 * https://developers.hubspot.com/docs/api-reference/legacy/crm/associations/associate-records/batch/get-associations;
 * `crm.associations.v4.schema.definitionsApi.getAll` -> GET /crm/v4/associations/{from}/{to}/labels.
 */
describe('HubSpot CRM simulator: associations v4 batch read and labels', () => {
  const crm = useOfficialClient();

  it('When two deals are batch-read to companies, then each gets its company with the Primary and the unlabelled type', async () => {
    const design = idByName(crm.sim.account, 'deals', 'ABC LLC - Schematic design');
    const feasibility = idByName(crm.sim.account, 'deals', 'Northwind - Feasibility study');
    const page = await crm.client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: [{ id: design }, { id: feasibility }] });
    expect(page.status).toBe('COMPLETE');
    expect(page.results.map((r) => r._from.id)).toEqual([design, feasibility]);
    expect(page.results[0]?.to).toEqual([
      expect.objectContaining({
        // A number on the wire, as in HubSpot's answers (the client's model says string and passes it through).
        toObjectId: Number(idByName(crm.sim.account, 'companies', 'ABC LLC')),
        associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 341, label: null }],
      }),
    ]);
    expect(String(page.results[1]?.to[0]?.toObjectId)).toBe(idByName(crm.sim.account, 'companies', 'Northwind Traders'));
  });

  it('When one id of the batch does not exist, then the answer is 207 with the found results and the id in errors', async () => {
    const design = idByName(crm.sim.account, 'deals', 'ABC LLC - Schematic design');
    const answer = await crm.client.crm.associations.v4.batchApi.getPageWithHttpInfo('deals', 'line_items', { inputs: [{ id: design }, { id: '1' }] });
    expect(answer.httpStatusCode).toBe(207);
    expect(answer.data.results.map((r) => r._from.id)).toEqual([design]);
    expect(answer.data.results[0]?.to).toHaveLength(2);
    expect((answer.data as { numErrors?: number }).numErrors).toBe(1);
    expect((answer.data as { errors?: Array<{ category: string; context: Record<string, string[]> }> }).errors?.[0]).toMatchObject({
      category: 'OBJECT_NOT_FOUND', context: { ids: ['1'] },
    });
  });

  it('When every id exists and has associations, then the answer is 200', async () => {
    const design = idByName(crm.sim.account, 'deals', 'ABC LLC - Schematic design');
    const answer = await crm.client.crm.associations.v4.batchApi.getPageWithHttpInfo('deals', 'contacts', { inputs: [{ id: design }] });
    expect(answer.httpStatusCode).toBe(200);
  });

  it('When an existing deal has no associations of the type, then it is reported in errors by default and as an empty list when so configured', async () => {
    const company = idByName(crm.sim.account, 'companies', 'ABC LLC');
    const byDefault = await crm.client.crm.associations.v4.batchApi.getPageWithHttpInfo('companies', 'line_items', { inputs: [{ id: company }] });
    expect(byDefault.httpStatusCode).toBe(207);
    expect(byDefault.data.results).toEqual([]);

    const other = crmTestApp({ crmFidelity: { v4BatchReadWithoutAssociations: 'empty' } });
    const otherServer = await listen(other.app);
    try {
      const otherClient = new Client({ accessToken: 'x', basePath: otherServer.url });
      const companyThere = idByName(other.account, 'companies', 'ABC LLC');
      const empty = await otherClient.crm.associations.v4.batchApi.getPageWithHttpInfo('companies', 'line_items', { inputs: [{ id: companyThere }] });
      expect(empty.httpStatusCode).toBe(200);
      expect(empty.data.results).toEqual([expect.objectContaining({ _from: { id: companyThere }, to: [] })]);
    } finally {
      await otherServer.close();
    }
  });

  it('When a batch read has 101 inputs, then it is refused with a 400', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) }));
    await expect(crm.client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs })).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
  });

  it('When the deal-to-company labels are read, then the client returns every type from deals to companies with its label', async () => {
    const labels = await crm.client.crm.associations.v4.schema.definitionsApi.getAll('deals', 'companies');
    expect(labels.results).toEqual([
      expect.objectContaining({ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }),
      expect.objectContaining({ category: 'HUBSPOT_DEFINED', typeId: 341 }),
    ]);
    expect(labels.results[1]?.label ?? null).toBeNull();
  });

  it('When the labels are read the other way (companies to deals), then the inverse type ids come back', async () => {
    const labels = await crm.client.crm.associations.v4.schema.definitionsApi.getAll('companies', 'deals');
    expect(labels.results.map((t) => t.typeId)).toEqual([6, 342]);
  });
});
