import type { QuickbooksApi } from '../../server/src/quickbooks/api';
import { qboQuote, qboWhere, queryAll, selectStatement } from '../../server/src/quickbooks/query';

/**
 * The query builder (QBO's query rules: one entity, AND only, `\'` escapes, STARTPOSITION from 1, at most 1000
 * a page, an empty page without its entity array). The paging is checked here against a recorded conversation;
 * the integration tests page through the QBO simulator for real.
 */
describe('qboQuote', () => {
  it("When a value holds a quote (O'Brien), then it is escaped with a backslash inside single quotes", () => {
    expect(qboQuote("O'Brien")).toBe("'O\\'Brien'");
    expect(qboQuote("Rock 'n' Roll's")).toBe("'Rock \\'n\\' Roll\\'s'");
  });

  it('When a value ends in a backslash, then it cannot swallow the closing quote', () => {
    expect(qboQuote('C:\\')).toBe("'C:\\\\'");
    expect(qboQuote('')).toBe("''");
  });
});

describe('selectStatement and qboWhere', () => {
  it('When conditions, an order and a page are given, then one AND-joined statement names them in QBO order', () => {
    const where = qboWhere("CustomerRef = '7'", undefined, false, 'Active = true');
    expect(where).toBe("CustomerRef = '7' AND Active = true");
    expect(selectStatement('Invoice', { where, orderBy: 'MetaData.CreateTime DESC', startPosition: 101, maxResults: 100 })).toBe(
      "SELECT * FROM Invoice WHERE CustomerRef = '7' AND Active = true ORDERBY MetaData.CreateTime DESC STARTPOSITION 101 MAXRESULTS 100",
    );
    expect(qboWhere(undefined, '')).toBeUndefined();
  });

  it('When a page is outside what QBO allows or a name could inject text, then the statement is refused', () => {
    expect(() => selectStatement('Customer', { startPosition: 0, maxResults: 10 })).toThrow('STARTPOSITION');
    expect(() => selectStatement('Customer', { startPosition: 1, maxResults: 1001 })).toThrow('MAXRESULTS');
    expect(() => selectStatement('Customer; DROP', { startPosition: 1, maxResults: 10 })).toThrow('entity');
    expect(() => selectStatement('Customer', { orderBy: "Id'", startPosition: 1, maxResults: 10 })).toThrow('ORDERBY');
  });
});

describe('queryAll', () => {
  /** A stand-in for QuickbooksApi.get that answers /query from `total` numbered customers and records each statement. */
  function fakeApi(total: number) {
    const statements: string[] = [];
    const api = {
      async get(_portalId: number, path: string, query: Record<string, string>) {
        expect(path).toBe('/query');
        const statement = query.query as string;
        statements.push(statement);
        const start = Number(/STARTPOSITION (\d+)/.exec(statement)?.[1]);
        const max = Number(/MAXRESULTS (\d+)/.exec(statement)?.[1]);
        const page = Array.from({ length: Math.max(0, Math.min(max, total - start + 1)) }, (_, i) => ({ Id: String(start + i) }));
        // QBO leaves the entity array out of an empty page.
        const json = page.length === 0 ? { QueryResponse: {}, time: 't' } : { QueryResponse: { Customer: page, startPosition: start, maxResults: page.length }, time: 't' };
        return { status: 200, json, intuitTid: 'tid' };
      },
    };
    return { api: api as unknown as QuickbooksApi, statements };
  }

  it('When there are 2500 matches, then three pages of at most 1000 are read and every object comes back once', async () => {
    const { api, statements } = fakeApi(2500);
    const all = await queryAll(api, 1, 'Customer', "Active IN (true, false)");
    expect(all).toHaveLength(2500);
    expect(new Set(all.map((c) => c.Id)).size).toBe(2500);
    expect(statements).toEqual([
      'SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 1 MAXRESULTS 1000',
      'SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 1001 MAXRESULTS 1000',
      'SELECT * FROM Customer WHERE Active IN (true, false) STARTPOSITION 2001 MAXRESULTS 1000',
    ]);
  });

  it('When the matches fill the last page exactly, then the next, empty page (no entity array) ends the paging', async () => {
    const { api, statements } = fakeApi(1000);
    expect(await queryAll(api, 1, 'Customer')).toHaveLength(1000);
    expect(statements).toHaveLength(2);
  });

  it('When nothing matches, then the answer is an empty list after one request', async () => {
    const { api, statements } = fakeApi(0);
    expect(await queryAll(api, 1, 'Customer')).toEqual([]);
    expect(statements).toHaveLength(1);
  });
});
