import { rerunsOn } from '../../../server/src/sync/rerun';

describe('rerunsOn: which blocked actions run again by themselves', () => {
  it('When an invoice was blocked by an unmapped product, then any change to the deal, settings, mappings or connection runs it again', () => {
    for (const cause of ['deal_changed', 'settings_changed', 'mappings_changed', 'quickbooks_connected'] as const) {
      expect(rerunsOn('invoice', [{ code: 'unmapped_product' }], cause)).toBe(true);
    }
  });

  it('When a change cannot clear every problem of the action, then it is left alone (it would only block again)', () => {
    expect(rerunsOn('invoice', [{ code: 'closed_period' }], 'deal_changed')).toBe(true);
    expect(rerunsOn('invoice', [{ code: 'closed_period' }], 'mappings_changed')).toBe(false);
    expect(rerunsOn('estimate', [{ code: 'unmapped_product' }, { code: 'line_without_price' }], 'deal_changed')).toBe(true);
    expect(rerunsOn('estimate', [{ code: 'unmapped_product' }, { code: 'line_without_price' }], 'mappings_changed')).toBe(false);
    expect(rerunsOn('invoice', [{ code: 'no_line_items' }], 'settings_changed')).toBe(false);
  });

  it('When a person must answer, QuickBooks refused, or the deal is gone, then nothing runs again by itself', () => {
    expect(rerunsOn('invoice', [{ code: 'customer_needs_confirmation' }], 'deal_changed')).toBe(false);
    expect(rerunsOn('invoice', [{ code: 'closed_period' }, { code: 'customer_needs_confirmation' }], 'deal_changed')).toBe(false);
    expect(rerunsOn('convert', [{ code: 'qbo_rejected' }], 'settings_changed')).toBe(false);
    expect(rerunsOn('invoice', [{ code: 'deal_not_found' }], 'deal_changed')).toBe(false);
  });

  it('When a user was not allowed to create, then only a settings change runs it again', () => {
    expect(rerunsOn('invoice', [{ code: 'not_allowed' }], 'settings_changed')).toBe(true);
    expect(rerunsOn('invoice', [{ code: 'not_allowed' }], 'deal_changed')).toBe(false);
  });

  it('When the action is a customer confirmation or had no problem, then it is not re-run', () => {
    expect(rerunsOn('customer', [{ code: 'closed_period' }], 'deal_changed')).toBe(false);
    expect(rerunsOn('invoice', [], 'deal_changed')).toBe(false);
  });
});
