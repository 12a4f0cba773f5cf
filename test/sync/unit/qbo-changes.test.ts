import { compareVersions, documentChangeWords, voidState, type CopyState, type ObjectVersion } from '../../../server/src/sync/qbo-changes';

/** Which version of a QBO object DealBooks' copy keeps: the newer one, by LastUpdatedTime, then SyncToken. */
const version = (updatedAt: string | null, syncToken: string | null): ObjectVersion => ({ updatedAt, syncToken });
const copy = (updatedAt: string | null, syncToken: string | null, state: CopyState = 'active') => ({ updatedAt, syncToken, state });

describe('compareVersions', () => {
  it('When DealBooks has no copy, then any version is newer', () => {
    expect(compareVersions(version(null, null), null)).toBe('newer');
    expect(compareVersions(version('2026-12-03T10:00:00-08:00', '0'), null)).toBe('newer');
  });

  it('When the times differ, then the later one wins whatever the SyncTokens say', () => {
    expect(compareVersions(version('2026-12-03T10:00:01-08:00', '1'), copy('2026-12-03T10:00:00-08:00', '5'))).toBe('newer');
    expect(compareVersions(version('2026-12-03T10:00:00-08:00', '9'), copy('2026-12-03T10:00:01-08:00', '1'))).toBe('older');
  });

  it('When the times are one instant written in two offsets, then the SyncToken decides', () => {
    // 18:00Z and 10:00-08:00 are the same second: not newer by time.
    expect(compareVersions(version('2026-12-03T18:00:00Z', '3'), copy('2026-12-03T10:00:00-08:00', '2'))).toBe('newer');
    expect(compareVersions(version('2026-12-03T18:00:00Z', '2'), copy('2026-12-03T10:00:00-08:00', '3'))).toBe('older');
  });

  it('When two writes fall in the same second, then the greater SyncToken is newer and an equal one is the same version', () => {
    const at = '2026-12-03T10:00:00-08:00';
    expect(compareVersions(version(at, '4'), copy(at, '3'))).toBe('newer');
    expect(compareVersions(version(at, '3'), copy(at, '4'))).toBe('older');
    expect(compareVersions(version(at, '3'), copy(at, '3'))).toBe('same');
  });

  it('When SyncTokens pass 9, then they compare as numbers, not as text', () => {
    const at = '2026-12-03T10:00:00-08:00';
    expect(compareVersions(version(at, '10'), copy(at, '9'))).toBe('newer');
    expect(compareVersions(version(at, '9'), copy(at, '10'))).toBe('older');
    expect(compareVersions(version(null, '12345678901234567890'), copy(null, '12345678901234567889'))).toBe('newer');
  });

  it('When a copy was kept before QBO stamps were, then the SyncToken alone decides', () => {
    expect(compareVersions(version('2026-12-03T10:00:00-08:00', '2'), copy(null, '1'))).toBe('newer');
    expect(compareVersions(version('2026-12-03T10:00:00-08:00', '1'), copy(null, '2'))).toBe('older');
    expect(compareVersions(version(null, '2'), copy('2026-12-03T10:00:00-08:00', '2'))).toBe('same');
  });

  it('When a SyncToken is not a whole number, then the tokens are not compared and the version read from QBO is taken', () => {
    const at = '2026-12-03T10:00:00-08:00';
    expect(compareVersions(version(at, 'x9'), copy(at, '10'))).toBe('newer');
    expect(compareVersions(version(at, '9x'), copy(at, '10'))).toBe('newer');
    expect(compareVersions(version(at, '9'), copy(at, 'x10'))).toBe('newer');
    expect(compareVersions(version(at, '9'), copy(at, '10x'))).toBe('newer');
    expect(compareVersions(version(at, '10'), copy(at, '11'))).toBe('older');
  });

  it('When neither time nor SyncToken can be compared, then the version read from QBO is taken', () => {
    expect(compareVersions(version(null, null), copy(null, '3'))).toBe('newer');
    expect(compareVersions(version('not a time', 'x'), copy('2026-12-03T10:00:00-08:00', '3'))).toBe('newer');
  });

  it('When the copy is deleted, then no version comes after it, however new', () => {
    expect(compareVersions(version('2030-01-01T00:00:00Z', '99'), copy('2026-12-03T10:00:00-08:00', '1', 'deleted'))).toBe('older');
  });

  it('When the copy is voided, then a newer version still replaces it (the rule is the same)', () => {
    expect(compareVersions(version('2026-12-03T10:00:05-08:00', '3'), copy('2026-12-03T10:00:00-08:00', '2', 'voided'))).toBe('newer');
  });
});

describe('voidState', () => {
  it('When the total is zero and the note starts "Voided", then the object is voided', () => {
    expect(voidState({ totalCents: 0, privateNote: 'Voided' })).toBe('voided');
    expect(voidState({ totalCents: 0, privateNote: 'Voided - DealBooks ref 1' })).toBe('voided');
  });

  it('When only one of the two marks is there, then it is not voided', () => {
    expect(voidState({ totalCents: 0, privateNote: null })).toBe('active');
    expect(voidState({ totalCents: 0, privateNote: 'Not voided' })).toBe('active');
    expect(voidState({ totalCents: 100, privateNote: 'Voided' })).toBe('active');
  });
});

describe('documentChangeWords', () => {
  const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
  const doc = (over: Partial<{ totalCents: number; balanceCents: number | null; dueDate: string | null; qboState: CopyState; txnStatus: string | null }> = {}) => ({
    totalCents: 165150,
    balanceCents: 165150,
    dueDate: '2026-12-20',
    qboState: 'active' as CopyState,
    txnStatus: null,
    ...over,
  });

  it('When a payment lowers the balance, then the words say from what to what', () => {
    expect(documentChangeWords(doc(), doc({ balanceCents: 65150 }), money)).toEqual(['balance $1651.50 → $651.50']);
  });

  it('When the document was voided or deleted, then that is all that is said', () => {
    expect(documentChangeWords(doc(), doc({ qboState: 'voided', totalCents: 0, balanceCents: 0 }), money)).toEqual(['voided']);
    expect(documentChangeWords(doc(), doc({ qboState: 'deleted' }), money)).toEqual(['deleted']);
  });

  it('When lines, due date and status were edited, then each change is named', () => {
    expect(documentChangeWords(doc({ txnStatus: 'Pending' }), doc({ totalCents: 100000, balanceCents: 100000, dueDate: '2027-01-05', txnStatus: 'Accepted' }), money)).toEqual([
      'total $1651.50 → $1000.00',
      'balance $1651.50 → $1000.00',
      'due date 2026-12-20 → 2027-01-05',
      'status Pending → Accepted',
    ]);
  });

  it('When the copy was already voided, then only what changed besides is named', () => {
    const voided = doc({ qboState: 'voided', totalCents: 0, balanceCents: 0 });
    expect(documentChangeWords(voided, voided, money)).toEqual(['details']);
    expect(documentChangeWords(null, voided, money)).toEqual(['voided']);
  });

  it('When a value was missing on one side, then the words say none or unknown, and an estimate’s missing balance is not a change', () => {
    expect(documentChangeWords(doc({ balanceCents: null }), doc({ balanceCents: 50000 }), money)).toEqual(['balance unknown → $500.00']);
    expect(documentChangeWords(doc({ balanceCents: 50000 }), doc({ balanceCents: null }), money)).toEqual(['details']);
    expect(documentChangeWords(doc({ dueDate: null }), doc({ dueDate: '2027-01-05' }), money)).toEqual(['due date none → 2027-01-05']);
    expect(documentChangeWords(doc({ dueDate: '2027-01-05' }), doc({ dueDate: null }), money)).toEqual(['due date 2027-01-05 → none']);
    expect(documentChangeWords(doc({ txnStatus: null }), doc({ txnStatus: 'Accepted' }), money)).toEqual(['status none → Accepted']);
    expect(documentChangeWords(doc({ txnStatus: 'Pending' }), doc({ txnStatus: null }), money)).toEqual(['details']);
    expect(documentChangeWords(doc({ txnStatus: 'Pending' }), doc({ txnStatus: 'Pending', balanceCents: 1 }), money)).toEqual(['balance $1651.50 → $0.01']);
  });

  it('When there was no copy, or nothing a person sees changed, then the words say so', () => {
    expect(documentChangeWords(null, doc(), money)).toEqual(['first copy']);
    expect(documentChangeWords(doc(), doc(), money)).toEqual(['details']);
  });
});
