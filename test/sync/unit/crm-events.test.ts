import { hubspotEventMeaning, mergeNote } from '../../../server/src/sync/crm-events';
import { rerunsOn } from '../../../server/src/sync/rerun';

describe('hubspotEventMeaning: what a HubSpot event about a deal means', () => {
  it('When HubSpot reports a merge, then the primary deal survives and the others are merged into it', () => {
    expect(hubspotEventMeaning('object.merge', { primaryObjectId: 200, mergedObjectIds: [100] }, '4242')).toEqual({ kind: 'merge', survivor: '200', merged: ['100'] });
    // The legacy subscription form names the same fields.
    expect(hubspotEventMeaning('deal.merge', { primaryObjectId: '200', mergedObjectIds: ['100', '101'] }, null)).toEqual({ kind: 'merge', survivor: '200', merged: ['100', '101'] });
  });

  it('When a merge created a new record, then the new record survives and the primary is merged away too', () => {
    // The primary first: where both hold a link of the same kind, the primary's stays.
    expect(hubspotEventMeaning('object.merge', { primaryObjectId: 200, mergedObjectIds: [100], newObjectId: 300 }, null)).toEqual({ kind: 'merge', survivor: '300', merged: ['200', '100'] });
  });

  it('When a merge names no survivor or no merged deal, then it is unusable, with the reason', () => {
    expect(hubspotEventMeaning('object.merge', { mergedObjectIds: [100] }, null)).toMatchObject({ kind: 'unusable', reason: expect.stringContaining('no surviving record') });
    expect(hubspotEventMeaning('object.merge', { primaryObjectId: 200, mergedObjectIds: [200] }, null)).toMatchObject({ kind: 'unusable', reason: expect.stringContaining('no merged records') });
  });

  it('When HubSpot reports a deletion or a restore, then it is one', () => {
    expect(hubspotEventMeaning('object.deletion', {}, null)).toEqual({ kind: 'deletion' });
    expect(hubspotEventMeaning('deal.restore', {}, null)).toEqual({ kind: 'restore' });
  });

  it("When a change names DealBooks' own app as its integration source, then it is DealBooks' own write; any other source is a change", () => {
    expect(hubspotEventMeaning('object.propertyChange', { changeSource: 'INTEGRATION', sourceId: '4242' }, '4242')).toEqual({ kind: 'own-write' });
    expect(hubspotEventMeaning('object.propertyChange', { changeSource: 'INTEGRATION', sourceId: 4242 }, '4242')).toEqual({ kind: 'own-write' });
    expect(hubspotEventMeaning('object.propertyChange', { changeSource: 'INTEGRATION', sourceId: '9999' }, '4242')).toEqual({ kind: 'change' });
    expect(hubspotEventMeaning('object.propertyChange', { changeSource: 'CRM_UI', sourceId: 'userId:4242' }, '4242')).toEqual({ kind: 'change' });
    expect(hubspotEventMeaning('object.propertyChange', { changeSource: 'INTEGRATION', sourceId: '4242' }, null)).toEqual({ kind: 'change' });
  });
});

describe('mergeNote: the timeline note on the surviving deal', () => {
  it('When the merged deal had an invoice and the survivor none, then the note says the invoice is shown here now', () => {
    expect(mergeNote({ survivorDocuments: [], moves: [{ dealId: '100', documentsMoved: [{ kind: 'invoice', qboId: '7', docNumber: '1007' }], linksSetAside: [] }] })).toBe(
      'Deal 100 was merged into this deal. DealBooks now shows its QuickBooks invoice 1007 on this deal.',
    );
  });

  it('When both deals had an invoice, then the note names both and says QuickBooks keeps both', () => {
    const note = mergeNote({
      survivorDocuments: [{ kind: 'invoice', qboId: '8', docNumber: '1008', active: true }],
      moves: [{ dealId: '100', documentsMoved: [{ kind: 'invoice', qboId: '7', docNumber: null }], linksSetAside: [{ qboEntityType: 'Invoice' }] }],
    });
    expect(note).toBe(
      'Deal 100 was merged into this deal. DealBooks now shows its QuickBooks invoice (QuickBooks id 7) on this deal. ' +
        'Both deals had a QuickBooks invoice (invoice 1008 and invoice (QuickBooks id 7)). QuickBooks keeps both; this deal goes on with its own, and if the sale was billed twice, void the extra invoice in QuickBooks.',
    );
  });

  it('When the merged deals had nothing in QuickBooks, then the note says so', () => {
    expect(mergeNote({ survivorDocuments: [], moves: [{ dealId: '1', documentsMoved: [], linksSetAside: [] }, { dealId: '2', documentsMoved: [], linksSetAside: [] }] })).toBe(
      'Deals 1, 2 were merged into this deal. It had no QuickBooks documents.',
    );
  });
});

describe('rerunsOn: work stopped by a deletion', () => {
  it('When the deal is restored, then work stopped by its deletion runs again; no other change runs it', () => {
    expect(rerunsOn('invoice', [{ code: 'deal_deleted' }], 'deal_restored')).toBe(true);
    // Work that ran first and found the deal gone is resumed by the restore too.
    expect(rerunsOn('invoice', [{ code: 'deal_not_found' }], 'deal_restored')).toBe(true);
    expect(rerunsOn('invoice', [{ code: 'deal_deleted' }], 'deal_changed')).toBe(false);
    expect(rerunsOn('invoice', [{ code: 'closed_period' }], 'deal_restored')).toBe(false);
  });
});
