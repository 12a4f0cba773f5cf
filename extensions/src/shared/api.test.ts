import { DEALBOOKS_BASE_URL } from './config';
import { callDealBooks, DealBooksError, UNREACHABLE } from './api';

/**
 * How callDealBooks tells what went wrong, with HubSpot's `self.hsFetch` (what hubspot.fetch calls) stubbed: no answer
 * at all is "can't be reached", an answer that is not DealBooks' JSON is "answered unexpectedly" with its status.
 */
const global = globalThis as any;
let previous: unknown;
beforeEach(() => {
  if (!global.self) global.self = globalThis;
  previous = global.self.hsFetch;
});
afterEach(() => {
  global.self.hsFetch = previous;
});
function answer(respond: () => Response | Promise<Response>): void {
  global.self.hsFetch = async (url: string) => {
    expect(url).toBe(`${DEALBOOKS_BASE_URL}/api/settings`);
    return respond();
  };
}
async function failure(): Promise<DealBooksError> {
  const err = await callDealBooks('/api/settings').then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DealBooksError);
  return err as DealBooksError;
}

describe('callDealBooks', () => {
  test('When HubSpot answers with its own page (429, not JSON), then the person is told DealBooks answered unexpectedly, with the status, not to check their connection', async () => {
    answer(() => new Response('<html><body>Too many requests</body></html>', { status: 429, headers: { 'content-type': 'text/html' } }));
    const err = await failure();
    expect(err.message).toBe('DealBooks answered unexpectedly (HTTP 429). Try again in a moment.');
    expect(err.status).toBe(429);
    expect(err.code).toBe('http_429');
  });

  test('When an error answer is JSON but not DealBooks\' (no error message), then it is also an unexpected answer', async () => {
    answer(() => new Response(JSON.stringify({ status: 'error', message: 'rate limited' }), { status: 502 }));
    const err = await failure();
    expect(err.message).toBe('DealBooks answered unexpectedly (HTTP 502). Try again in a moment.');
    expect(err.code).toBe('http_502');
  });

  test('When nothing answers, then the person is told DealBooks cannot be reached', async () => {
    answer(() => {
      throw new TypeError('Failed to fetch');
    });
    const err = await failure();
    expect(err.message).toBe(UNREACHABLE);
    expect(err.status).toBe(0);
  });

  test('When DealBooks refuses in its own words, then those words are kept', async () => {
    answer(() => new Response(JSON.stringify({ error: { code: 'forbidden', message: 'Only DealBooks admins can change the settings.' } }), { status: 403 }));
    const err = await failure();
    expect(err).toMatchObject({ status: 403, code: 'forbidden', message: 'Only DealBooks admins can change the settings.' });
  });

  test('When DealBooks answers 2xx JSON, then its body is returned', async () => {
    answer(() => new Response(JSON.stringify({ version: 3 }), { status: 200 }));
    await expect(callDealBooks('/api/settings')).resolves.toEqual({ status: 200, body: { version: 3 } });
  });
});
