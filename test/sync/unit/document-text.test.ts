import { cut, DocumentBuildError, PRIVATE_NOTE_MAX, privateNoteFor } from '../../../server/src/sync/document-text';

// The words DealBooks puts in a QuickBooks document's private note, and the cut that keeps text within QuickBooks'
// limits: what a bookkeeper reads in QuickBooks, to the character.

describe('cut at the edges of the surrogate range', () => {
  it('When the cut falls inside a pair whose high half is the first or the last high surrogate, then the whole character goes', () => {
    // U+10000 is written D800 DC00; U+10FFFD is written DBFF DFFD.
    expect(cut('abc\u{10000}ef', 5)).toBe('abc…');
    expect(cut('abc\u{10FFFD}ef', 5)).toBe('abc…');
    expect(cut('ab\u{10000}def', 5)).toBe('ab\u{10000}…');
  });
});

describe('privateNoteFor', () => {
  const marker = '[dealbooks:881:4242:abc123]';

  it('When the deal has a name, then the note names it in quotes with the deal and the account', () => {
    expect(privateNoteFor({ id: '4242', name: 'Permit set' }, 881, marker)).toBe('HubSpot deal "Permit set" (deal 4242, HubSpot account 881). [dealbooks:881:4242:abc123]');
  });

  it('When the deal name is empty or missing, then the note names the deal by its id alone', () => {
    const byId = 'HubSpot deal 4242 (HubSpot account 881). [dealbooks:881:4242:abc123]';
    expect(privateNoteFor({ id: '4242', name: '' }, 881, marker)).toBe(byId);
    expect(privateNoteFor({ id: '4242', name: null }, 881, marker)).toBe(byId);
  });

  it('When a note comes first, then it is trimmed and followed by one space; a blank note adds nothing', () => {
    const note = (text: string | null) => privateNoteFor({ id: '4242', name: 'Permit set' }, 881, marker, text);
    expect(note('  Converted from QuickBooks estimate 1001.  ')).toBe(
      'Converted from QuickBooks estimate 1001. HubSpot deal "Permit set" (deal 4242, HubSpot account 881). [dealbooks:881:4242:abc123]',
    );
    expect(note('   ')).toBe('HubSpot deal "Permit set" (deal 4242, HubSpot account 881). [dealbooks:881:4242:abc123]');
    expect(note(null)).toBe('HubSpot deal "Permit set" (deal 4242, HubSpot account 881). [dealbooks:881:4242:abc123]');
  });

  it('When a deal without a name has a note of exactly 4000 characters, then it is accepted; one more is refused in words', () => {
    const fixed = 'HubSpot deal 42 (HubSpot account 881). '.length;
    const atLimit = privateNoteFor({ id: '42', name: null }, 881, 'm'.repeat(PRIVATE_NOTE_MAX - fixed));
    expect(atLimit).toHaveLength(PRIVATE_NOTE_MAX);
    expect(atLimit.startsWith('HubSpot deal 42 (HubSpot account 881). mmm')).toBe(true);
    expect(() => privateNoteFor({ id: '42', name: null }, 881, 'm'.repeat(PRIVATE_NOTE_MAX - fixed + 1))).toThrow(
      new DocumentBuildError('The private note marker is too long for QuickBooks.'),
    );
  });
});

describe('DocumentBuildError', () => {
  it('When a document cannot be built, then the error reads as a DocumentBuildError in logs and stack traces', () => {
    const error = new DocumentBuildError('The deal “Permit set” has no line items.');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DocumentBuildError');
    expect(String(error)).toBe('DocumentBuildError: The deal “Permit set” has no line items.');
  });
});
