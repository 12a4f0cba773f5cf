/** Text on QBO documents, within QBO's limits: PrivateNote and a line Description are at most 4000 characters. */
export const PRIVATE_NOTE_MAX = 4000;
export const LINE_DESCRIPTION_MAX = 4000;

/** The document cannot be built from the deal; preflight reports these cases in words before a build is tried. */
export class DocumentBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentBuildError';
  }
}

/** At most `max` characters, ending in "…" when cut, never splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * `[<note> ]HubSpot deal "<name>" (deal <id>, HubSpot account <portalId>). <marker>`, cut in the note and the name so
 * the deal reference and the marker survive. A deal HubSpot no longer has (no name) reads `HubSpot deal <id> (...)`.
 */
export function privateNoteFor(deal: { id: string; name: string | null }, portalId: number, marker: string, note: string | null = null): string {
  const reference = ` (deal ${deal.id}, HubSpot account ${portalId}). ${marker}`;
  const prefix = note?.trim() ? `${cut(note.trim(), 500)} ` : '';
  if (deal.name === null || deal.name === '') {
    const text = `${prefix}HubSpot deal ${deal.id}${reference.replace(` (deal ${deal.id}, `, ' (')}`;
    if (text.length > PRIVATE_NOTE_MAX) throw new DocumentBuildError('The private note marker is too long for QuickBooks.');
    return text;
  }
  const before = `${prefix}HubSpot deal "`;
  const after = `"${reference}`;
  const room = PRIVATE_NOTE_MAX - before.length - after.length;
  if (room < 1) throw new DocumentBuildError('The private note marker is too long for QuickBooks.');
  return `${before}${cut(deal.name, room)}${after}`;
}
