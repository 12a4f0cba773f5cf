import { DATABASE_KIND } from '../support/harness';
import { useQboWorld } from './support';

/**
 * A company with more customers than one QBO page holds (at most 1000): every one of them must come
 * back, or name matching would miss customers and create duplicates.
 */
describe(`QuickBooks paging (${DATABASE_KIND})`, () => {
  const q = useQboWorld();
  beforeAll(async () => {
    // 1200 more customers, stored straight into the company in parallel batches (test data, not API calls).
    const names = Array.from({ length: 1200 }, (_, i) => `Paging Customer ${String(i + 1).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((DisplayName) => q.store('Customer', { DisplayName, Active: true, Job: false, CurrencyRef: { value: 'USD' } })));
    }
  });

  it('When the company has 1203 active customers, then all of them come back over two pages, each once', async () => {
    const before = (await q.apiRequests('/query', 'GET')).length;
    const customers = await q.sales.allCustomers(q.portalId);
    expect(customers).toHaveLength(1203);
    expect(new Set(customers.map((c) => c.id)).size).toBe(1203);
    expect(customers.map((c) => c.displayName)).toEqual(expect.arrayContaining(['ABC LLC', 'Paging Customer 0001', 'Paging Customer 1200']));
    const pages = (await q.apiRequests('/query', 'GET')).slice(before).map((r) => r.query.query);
    expect(pages).toEqual(['SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 1000', 'SELECT * FROM Customer STARTPOSITION 1001 MAXRESULTS 1000']);
  });

  it('When inactive customers are included, then the inactive one is among the 1204', async () => {
    const customers = await q.sales.allCustomers(q.portalId, { includeInactive: true });
    expect(customers).toHaveLength(1204);
    expect(customers.filter((c) => !c.active).map((c) => c.displayName)).toEqual(['Old Mill Bakery']);
  });
});
