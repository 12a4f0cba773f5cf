import { dealIdFieldOf, documentHeader } from '../../../server/src/sync/document-header';

describe('documentHeader: what every document DealBooks creates shares', () => {
  const base = {
    portalId: 881,
    deal: { id: '4242', name: 'Permit set', closeDate: '2026-03-05' },
    txnDateSetting: 'close_date' as const,
    today: '2026-03-09',
    marker: '[dealbooks:881:4242:abc]',
    dealIdFieldId: '1',
  };

  it('When the company has a "Deal ID" field, then the header names the deal in the note, dates by the close date and fills the field', () => {
    expect(documentHeader(base)).toEqual({
      TxnDate: '2026-03-05',
      PrivateNote: 'HubSpot deal "Permit set" (deal 4242, HubSpot account 881). [dealbooks:881:4242:abc]',
      CustomField: [{ DefinitionId: '1', Name: 'Deal ID', Type: 'StringType', StringValue: '4242' }],
    });
  });

  it('When settings say today, or the deal has no close date, then TxnDate is today', () => {
    expect(documentHeader({ ...base, txnDateSetting: 'today' }).TxnDate).toBe('2026-03-09');
    expect(documentHeader({ ...base, deal: { ...base.deal, closeDate: null } }).TxnDate).toBe('2026-03-09');
  });

  it('When a note is given (a conversion), then it comes before the deal reference, and the marker stays last', () => {
    expect(documentHeader({ ...base, note: 'Converted from QuickBooks estimate 1001.' }).PrivateNote).toBe(
      'Converted from QuickBooks estimate 1001. HubSpot deal "Permit set" (deal 4242, HubSpot account 881). [dealbooks:881:4242:abc]',
    );
  });

  it('When HubSpot no longer has the deal, then the note still names it by id', () => {
    expect(documentHeader({ ...base, deal: { id: '4242', name: null, closeDate: null } }).PrivateNote).toBe('HubSpot deal 4242 (HubSpot account 881). [dealbooks:881:4242:abc]');
  });

  it('When the company has no "Deal ID" field, then no custom field is sent', () => {
    expect(documentHeader({ ...base, dealIdFieldId: null }).CustomField).toBeUndefined();
  });
});

describe('dealIdFieldOf: the company sales-form custom field that carries the deal id', () => {
  it('When a field in use is named "Deal ID" (any case or spacing), then its DefinitionId is used', () => {
    expect(dealIdFieldOf([{ definitionId: '1', name: 'PO Number', inUse: true }, { definitionId: '2', name: ' deal  id ', inUse: true }])).toBe('2');
  });

  it('When the "Deal ID" field is switched off, or no field has that name, then there is none', () => {
    expect(dealIdFieldOf([{ definitionId: '1', name: 'Deal ID', inUse: false }])).toBeNull();
    expect(dealIdFieldOf([{ definitionId: '1', name: 'Crew #', inUse: true }])).toBeNull();
  });
});
