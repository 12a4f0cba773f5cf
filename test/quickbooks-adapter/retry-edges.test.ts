import { isRetryable, networkFailureOf, outcomeUnknown, retryAfterMs, THROTTLE_WAIT_MS } from '../../server/src/quickbooks/retry';

/**
 * The edges of the retry rules that the main retry tests reach only by accident: values that are not errors,
 * errors that carry facts of their own next to a socket code, an error that is its own cause, and Retry-After
 * headers that are neither seconds nor a date. Pure: no client, no simulator.
 */
describe('networkFailureOf edges', () => {
  it('When the thrown value is not an object, then it is not a network failure (and nothing throws)', () => {
    expect(networkFailureOf(null)).toBeUndefined();
    expect(networkFailureOf('ECONNRESET')).toBeUndefined();
    expect(networkFailureOf(undefined)).toBeUndefined();
  });

  it('When an error is its own cause, then it is classified once, without looping', () => {
    const error = Object.assign(new Error('loop'), { code: 'EWHATEVER' });
    (error as { cause?: unknown }).cause = error;
    expect(networkFailureOf(error)).toBeUndefined();
  });

  it('When an error says nothing about the network, then it is not a network failure', () => {
    expect(networkFailureOf(new Error('boom'))).toBeUndefined();
    expect(networkFailureOf(new TypeError('Cannot read properties of undefined'))).toBeUndefined();
    expect(networkFailureOf(new TypeError('fetch failed'))).toBe('other');
  });
});

describe('isRetryable edges', () => {
  it('When the thrown value is not an object, then it is not retried (and nothing throws)', () => {
    expect(isRetryable(null)).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable('503')).toBe(false);
  });

  it('When a connection must be repaired by a person, or the caller gave up, then a 503 beside it does not make it retryable', () => {
    expect(isRetryable({ name: 'ConnectionBlockedError', status: 503 })).toBe(false);
    expect(isRetryable({ name: 'AbortError', status: 503 })).toBe(false);
    expect(isRetryable({ name: 'SomethingElse', status: 503 })).toBe(true);
  });

  it('When an error carries only an HTTP status, then 429 and 5xx retry and 4xx does not', () => {
    expect(isRetryable({ status: 503 })).toBe(true);
    expect(isRetryable({ status: 429 })).toBe(true);
    expect(isRetryable({ status: 400 })).toBe(false);
  });

  it('When an error has no status but a socket code, then the code decides', () => {
    expect(isRetryable({ code: 'ECONNRESET' })).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
  });

  it('When status 0 comes from something other than our client, then its socket code still decides', () => {
    expect(isRetryable({ name: 'Other', status: 0, code: 'ECONNRESET' })).toBe(true);
  });

  it("When our client's error says status 0 with no network failure, then it is not retried, whatever code it carries", () => {
    expect(isRetryable({ name: 'QuickbooksApiError', status: 0, code: 'ECONNRESET' })).toBe(false);
    expect(isRetryable({ name: 'QuickbooksApiError', status: 0, network: 'reset' })).toBe(true);
  });
});

describe('outcomeUnknown edges', () => {
  it('When the error has no facts at all, then the outcome is known (nothing was sent)', () => {
    expect(outcomeUnknown(null)).toBe(false);
    expect(outcomeUnknown(new Error('plain'))).toBe(false);
  });

  it('When a write ended in a 5xx or a broken connection, then the outcome is unknown; a read never is', () => {
    expect(outcomeUnknown({ status: 500, method: 'POST' })).toBe(true);
    expect(outcomeUnknown({ status: 0, network: 'other', method: 'POST' })).toBe(true);
    expect(outcomeUnknown({ status: 0, network: 'refused', method: 'POST' })).toBe(false);
    expect(outcomeUnknown({ status: 500, method: 'GET' })).toBe(false);
  });
});

describe('retryAfterMs edges', () => {
  it('When Retry-After has spaces around its seconds, then they are read', () => {
    expect(retryAfterMs(429, ' 5 ', 0)).toBe(5000);
  });

  it('When Retry-After has fractional seconds, then they are kept to the millisecond', () => {
    expect(retryAfterMs(503, '1.25', 0)).toBe(1250);
    expect(retryAfterMs(503, '1.5', 0)).toBe(1500);
  });

  it('When Retry-After is neither seconds nor a date, then a 429 waits the default and a 503 says nothing', () => {
    expect(retryAfterMs(429, 'soon', 0)).toBe(THROTTLE_WAIT_MS);
    expect(retryAfterMs(429, 'x5', 0)).toBe(THROTTLE_WAIT_MS);
    expect(retryAfterMs(429, '5x', 0)).toBe(THROTTLE_WAIT_MS);
    expect(retryAfterMs(503, 'soon', 0)).toBeUndefined();
  });
});
