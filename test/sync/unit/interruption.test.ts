import { interruptionOf } from '../../../server/src/sync/interruption';

describe('interruptionOf: why an attempt stopped on something that may pass', () => {
  it('When QuickBooks gave no answer, then the code is "network" and the words are the error’s own', () => {
    expect(interruptionOf({ service: 'quickbooks', status: 0, message: 'the connection to QuickBooks was reset' })).toEqual({
      errorCode: 'network',
      problem: { code: 'quickbooks_unavailable', message: 'QuickBooks is not answering: the connection to QuickBooks was reset. DealBooks tries again by itself.' },
    });
    expect(interruptionOf({ service: 'hubspot', status: undefined, message: 'HubSpot did not answer in 10 s' }).errorCode).toBe('network');
  });

  it('When QuickBooks answered 5xx or 429, then its code (or the status) is kept and the card says it is having trouble or limiting', () => {
    expect(interruptionOf({ service: 'quickbooks', status: 503, code: undefined, message: 'QuickBooks answered 503' })).toEqual({
      errorCode: '503',
      problem: { code: 'quickbooks_unavailable', message: 'QuickBooks is having trouble (HTTP 503): QuickBooks answered 503. DealBooks tries again by itself.' },
    });
    expect(interruptionOf({ service: 'quickbooks', status: 500, code: '10000', message: 'x' }).errorCode).toBe('10000');
    expect(interruptionOf({ service: 'quickbooks', status: 429, message: 'x' }).problem.message).toMatch(/^QuickBooks is limiting how fast DealBooks may call it/);
  });

  it('When the failure is not from either service, then no error code is made up', () => {
    expect(interruptionOf({ service: null, status: undefined, message: 'database went away' })).toEqual({
      errorCode: null,
      problem: { code: 'temporarily_failed', message: 'The last attempt failed: database went away. DealBooks tries again by itself.' },
    });
  });
});
