import { RefreshFailedError, ConnectionBlockedError } from '../../server/src/errors';
import { KeyedGate, parseFault, QuickbooksApiError } from '../../server/src/quickbooks/api';
import { isRetryable, networkFailureOf, outcomeUnknown, retryAfterMs, THROTTLE_WAIT_MS } from '../../server/src/quickbooks/retry';

/**
 * The pure rules a caller retries by: what may succeed later, what may already have happened, how long to wait,
 * and the fault shapes QBO answers with (fixtures fault_*.json; test/simulators/quickbooks/fault.ts and limits.ts).
 */
const apiError = (status: number, code?: string, method = 'POST', network?: 'timeout' | 'reset' | 'refused' | 'other') =>
  new QuickbooksApiError(`QuickBooks answered ${status}`, status, code, 'tid-1', { method, network });

const fetchFailure = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

describe('isRetryable', () => {
  it.each([429, 500, 502, 503, 504])('When QuickBooks answers %i, then the call may be tried again', (status) => {
    expect(isRetryable(apiError(status, status === 429 ? '3001' : '10000'))).toBe(true);
    expect(apiError(status).retryable).toBe(true);
  });

  it.each(['6000', '6240', '6140', '2020', '610', '5010', '4000'])('When QuickBooks refuses the request with validation fault %s, then trying again is pointless', (code) => {
    expect(isRetryable(apiError(400, code))).toBe(false);
  });

  it('When QuickBooks still answers 401 after the refreshed-token retry, or 403, then it is final', () => {
    expect(isRetryable(apiError(401, '3200'))).toBe(false);
    expect(isRetryable(apiError(403, '3100'))).toBe(false);
    expect(isRetryable(apiError(404))).toBe(false);
  });

  it('When QuickBooks did not answer (timeout, reset, refused), then the call may be tried again', () => {
    for (const network of ['timeout', 'reset', 'refused', 'other'] as const) expect(isRetryable(apiError(0, undefined, 'GET', network))).toBe(true);
  });

  it("When the error is fetch's own (reset, refused, timeout), then it is classified from its cause", () => {
    expect(isRetryable(fetchFailure('ECONNRESET'))).toBe(true);
    expect(isRetryable(fetchFailure('ECONNREFUSED'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }))).toBe(true);
    expect(networkFailureOf(fetchFailure('UND_ERR_SOCKET'))).toBe('reset');
    expect(networkFailureOf(fetchFailure('ECONNREFUSED'))).toBe('refused');
  });

  it('When the failure is not a QuickBooks answer at all, then it is retried only if it is a passing token problem', () => {
    expect(isRetryable(new Error('a bug'))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable(new RefreshFailedError('Intuit answered 503'))).toBe(true);
    expect(isRetryable(new ConnectionBlockedError('quickbooks', 'needs_reconnect', 1))).toBe(false);
  });
});

describe('outcomeUnknown', () => {
  it('When a write timed out, lost its connection or got a 5xx, then it may have been carried out', () => {
    expect(outcomeUnknown(apiError(0, undefined, 'POST', 'timeout'))).toBe(true);
    expect(outcomeUnknown(apiError(0, undefined, 'POST', 'reset'))).toBe(true);
    expect(outcomeUnknown(apiError(500, '10000', 'POST'))).toBe(true);
    expect(outcomeUnknown(apiError(503, '10000', 'POST'))).toBe(true);
    expect(apiError(0, undefined, 'POST', 'reset').outcomeUnknown).toBe(true);
  });

  it('When the write was refused before it was handled (connection refused, 429, 400), then nothing happened', () => {
    expect(outcomeUnknown(apiError(0, undefined, 'POST', 'refused'))).toBe(false);
    expect(outcomeUnknown(apiError(429, '3001', 'POST'))).toBe(false);
    expect(outcomeUnknown(apiError(400, '6000', 'POST'))).toBe(false);
  });

  it('When a read fails in any way, then nothing can have been written', () => {
    expect(outcomeUnknown(apiError(0, undefined, 'GET', 'timeout'))).toBe(false);
    expect(outcomeUnknown(apiError(500, '10000', 'GET'))).toBe(false);
  });

  it('When a raw connection reset comes without a method, then the worst is assumed', () => {
    expect(outcomeUnknown(fetchFailure('ECONNRESET'))).toBe(true);
    expect(outcomeUnknown(fetchFailure('ECONNREFUSED'))).toBe(false);
  });
});

describe('retryAfterMs', () => {
  it("When a 429 says nothing about waiting, then Intuit's advice of 60 s applies", () => {
    expect(retryAfterMs(429, null)).toBe(THROTTLE_WAIT_MS);
    expect(THROTTLE_WAIT_MS).toBe(60_000);
  });

  it('When a Retry-After header is present, then it wins, in seconds or as a date', () => {
    expect(retryAfterMs(429, '7')).toBe(7000);
    expect(retryAfterMs(503, '120')).toBe(120_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(429, 'Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
  });

  it('When another failure says nothing about waiting, then no wait is invented', () => {
    expect(retryAfterMs(503, undefined)).toBeUndefined();
    expect(retryAfterMs(400, null)).toBeUndefined();
  });
});

describe('parseFault', () => {
  it('When QBO throttles with its XML fault (even to a JSON client), then code, type and detail are read', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<IntuitResponse time="2026-01-01T00:00:00.000-08:00" xmlns="http://schema.intuit.com/finance/v3">' +
      '<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>' +
      '<Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>';
    expect(parseFault(xml)).toEqual({
      code: '3001',
      message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
      type: 'SERVICE',
      detail: 'The request limit was reached.  Try again later',
    });
  });

  it('When QBO answers with the JSON or the lower-case fault envelope, then both read the same', () => {
    const upper = JSON.stringify({ Fault: { Error: [{ Message: 'Duplicate Name Exists Error', Detail: 'The name supplied already exists.', code: '6240' }], type: 'ValidationFault' } });
    const lower = JSON.stringify({ fault: { error: [{ message: 'message=AuthenticationFailed', detail: 'Token expired', code: '3200' }], type: 'AUTHENTICATION' } });
    expect(parseFault(upper)).toEqual({ code: '6240', message: 'Duplicate Name Exists Error', type: 'ValidationFault', detail: 'The name supplied already exists.' });
    expect(parseFault(lower)).toEqual({ code: '3200', message: 'message=AuthenticationFailed', type: 'AUTHENTICATION', detail: 'Token expired' });
  });
});

describe('KeyedGate (per-realm concurrency cap)', () => {
  it('When more callers than the limit want one company, then the extra ones wait in order and run as slots free', async () => {
    const gate = new KeyedGate(2);
    const order: string[] = [];
    const a = await gate.acquire('realm');
    const b = await gate.acquire('realm');
    const c = gate.acquire('realm').then((release) => (order.push('c'), release));
    const d = gate.acquire('realm').then((release) => (order.push('d'), release));
    expect(gate.stats('realm')).toEqual({ active: 2, queued: 2 });
    // Another company is not held up by this one.
    const other = await gate.acquire('other-realm');
    expect(gate.stats('other-realm')).toEqual({ active: 1, queued: 0 });
    a();
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(gate.stats('realm')).toEqual({ active: 2, queued: 1 });
    b();
    (await d)();
    releaseC();
    other();
    expect(gate.stats('realm')).toEqual({ active: 0, queued: 0 });
  });

  it('When a waiting caller aborts, then it leaves the queue with its reason and takes no slot', async () => {
    const gate = new KeyedGate(1);
    const held = await gate.acquire('realm');
    const controller = new AbortController();
    const waiting = gate.acquire('realm', controller.signal);
    const next = gate.acquire('realm');
    controller.abort(new Error('the card gave up'));
    await expect(waiting).rejects.toThrow('the card gave up');
    expect(gate.stats('realm')).toEqual({ active: 1, queued: 1 });
    held();
    (await next)();
    expect(gate.stats('realm')).toEqual({ active: 0, queued: 0 });
  });

  it('When a release is called twice, then it frees only one slot', async () => {
    const gate = new KeyedGate(1);
    const release = await gate.acquire('realm');
    const second = await new Promise<() => void>((resolve) => {
      void gate.acquire('realm').then(resolve);
      release();
      release();
    });
    expect(gate.stats('realm')).toEqual({ active: 1, queued: 0 });
    second();
    expect(gate.stats('realm')).toEqual({ active: 0, queued: 0 });
  });
});

describe('failures that are not QuickbooksApiError', () => {
  it('When a connection times out by its code alone, then it is a timeout: retryable, and a write may have happened', () => {
    for (const code of ['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
      const error = Object.assign(new Error(code), { code });
      expect(networkFailureOf(error)).toBe('timeout');
      expect(isRetryable(error)).toBe(true);
      expect(outcomeUnknown(error)).toBe(true);
    }
  });

  it('When fetch fails with a cause it does not explain, then it is "other"; a TypeError of another kind is not a network failure', () => {
    expect(networkFailureOf(new TypeError('fetch failed'))).toBe('other');
    expect(networkFailureOf(new TypeError('terminated'))).toBe('other');
    expect(networkFailureOf(new TypeError('x is not a function'))).toBeUndefined();
    expect(networkFailureOf(Object.assign(new TypeError('fetch failed'), { message: undefined }))).toBeUndefined();
    expect(networkFailureOf(Object.assign(new Error('fetch failed'), { name: 'Error' }))).toBeUndefined();
  });

  it('When an object only carries an HTTP status, then a status above 0 is read as an answer and 0 is not', () => {
    expect(isRetryable({ status: 503 })).toBe(true);
    expect(isRetryable({ status: 400 })).toBe(false);
    expect(isRetryable({ status: 0 })).toBe(false);
    expect(isRetryable({ status: 0, network: 'reset' })).toBe(true);
    expect(outcomeUnknown({ status: 0, network: 'refused', method: 'POST' })).toBe(false);
    expect(outcomeUnknown({ status: 502, method: 'get' })).toBe(false);
    expect(outcomeUnknown({ status: 502, method: 'post' })).toBe(true);
  });
});

describe('networkFailureOf on odd shapes', () => {
  it('When the error is null, has a null cause or is its own cause, then it is no network failure (and no crash)', () => {
    expect(networkFailureOf(null)).toBeUndefined();
    expect(networkFailureOf(Object.assign(new Error('x'), { cause: null }))).toBeUndefined();
    const self: Error & { cause?: unknown } = new Error('loop');
    self.cause = self;
    expect(networkFailureOf(self)).toBeUndefined();
  });

  it('When a code is unknown, then it says nothing; under a fetch TypeError it is "other"', () => {
    expect(networkFailureOf(Object.assign(new Error('x'), { code: 'EWHATEVER' }))).toBeUndefined();
    expect(networkFailureOf(fetchFailure('EWHATEVER'))).toBe('other');
  });
});
