import { chooseBillEmail, sendAddress } from '../../../server/src/sync/bill-email';
import { inactiveNamesake } from '../../../server/src/sync/customer-match';
import type { QboCustomer } from '../../../server/src/sync/model';
import { firstFreeNameAttempt } from '../../../server/src/sync/names';
import { referencesThatBlock, settingReferences, unusableReferences } from '../../../server/src/sync/setting-references';
import { DEFAULT_SETTINGS, mergeSettings, missingSettingKeys } from '../../../server/src/sync/settings';

const customer = (id: string, displayName: string, fields: Partial<QboCustomer> = {}): QboCustomer => ({
  id, displayName, companyName: displayName, email: null, active: true, currency: 'USD', syncToken: '0', job: false, parentId: null, ...fields,
});

describe('Settings documents (pure)', () => {
  it('When a whole document lacks keys, then each is named, nested ones by path, and the triggerStages map is not looked into', () => {
    expect(missingSettingKeys(DEFAULT_SETTINGS)).toEqual([]);
    const { autoInvoice: _a, ...rest } = DEFAULT_SETTINGS;
    expect(missingSettingKeys({ ...rest, customers: { createWhenNoMatch: true }, triggerStages: { p: ['s'] } })).toEqual(['autoInvoice', 'customers.matchThreshold', 'customers.projectPerDeal']);
  });

  it('When a patch is merged, then given keys replace, fixed groups merge key by key, and triggerStages is replaced whole', () => {
    const current = { ...DEFAULT_SETTINGS, triggerStages: { a: ['1'] }, customers: { ...DEFAULT_SETTINGS.customers, createWhenNoMatch: false } };
    expect(mergeSettings(current, { termId: '2', customers: { matchThreshold: 0.9 }, triggerStages: { b: ['2'] } })).toEqual({
      ...current,
      termId: '2',
      customers: { createWhenNoMatch: false, matchThreshold: 0.9, projectPerDeal: false },
      triggerStages: { b: ['2'] },
    });
  });
});

describe('QuickBooks ids in settings (pure)', () => {
  const settings = { termId: '99', defaultItemId: '7', classId: null, taxCodes: { taxable: 'TAX', nonTaxable: null } };

  it('When ids are missing, inactive or a category, then each is unusable with its reason and words naming the setting', () => {
    const refs = settingReferences(settings);
    expect(refs.map((r) => r.field)).toEqual(['termId', 'defaultItemId', 'taxCodes.taxable']);
    const found = { termId: null, defaultItemId: { name: 'Old work', active: false, sellable: true }, 'taxCodes.taxable': { name: 'TAX', active: true, sellable: true } } as const;
    const unusable = unusableReferences(refs, (r) => found[r.field as keyof typeof found]);
    expect(unusable.map((u) => [u.field, u.reason])).toEqual([['termId', 'missing'], ['defaultItemId', 'inactive']]);
    expect(unusable[1]!.message).toMatch(/“Old work” \(id 7\).*default item \(defaultItemId\), is inactive/);
    expect(unusableReferences([{ field: 'defaultItemId', kind: 'item', id: '9' }], () => ({ name: 'Services', active: true, sellable: false }))[0]!.reason).toBe('not_sellable');
  });

  it('When an unusable id is not used by the document, then it does not block it (the settings still show it)', () => {
    const unusable = unusableReferences(settingReferences({ ...settings, classId: '5' }), () => null);
    const use = { kind: 'estimate' as const, needsDefaultItem: false, taxableLines: false, nonTaxableLines: true };
    expect(referencesThatBlock(unusable, use).map((u) => u.field)).toEqual(['classId']);
    expect(referencesThatBlock(unusable, { ...use, kind: 'invoice', needsDefaultItem: true, taxableLines: true }).map((u) => u.field)).toEqual(['termId', 'defaultItemId', 'taxCodes.taxable', 'classId']);
  });
});

describe('Bill email (pure)', () => {
  it("When the QBO customer exists with an address, then it wins by default; the contact's is for a new customer or one without an address", () => {
    expect(chooseBillEmail('quickbooks-customer', { customerEmail: 'accounts@abcinc.example', contactEmail: 'x@abccorp.example' })).toEqual({ address: 'accounts@abcinc.example', source: 'quickbooks-customer' });
    expect(chooseBillEmail('quickbooks-customer', { customerEmail: undefined, contactEmail: 'x@abccorp.example' })).toEqual({ address: 'x@abccorp.example', source: 'hubspot-contact' });
    expect(chooseBillEmail('quickbooks-customer', { customerEmail: ' ', contactEmail: 'x@abccorp.example' })).toEqual({ address: 'x@abccorp.example', source: 'hubspot-contact' });
    expect(chooseBillEmail('hubspot-contact', { customerEmail: 'accounts@abcinc.example', contactEmail: 'x@abccorp.example' }).address).toBe('x@abccorp.example');
    expect(chooseBillEmail('hubspot-contact', { customerEmail: 'accounts@abcinc.example', contactEmail: null }).address).toBe('accounts@abcinc.example');
    expect(chooseBillEmail('quickbooks-customer', { customerEmail: null, contactEmail: null })).toEqual({ address: null, source: null });
  });

  it("When sending, then a typed address wins, then the invoice's own, then the settings' choice", () => {
    const chosen = { address: 'a@b.example', source: 'quickbooks-customer' as const };
    expect(sendAddress('typed@b.example', 'inv@b.example', chosen)).toEqual({ address: 'typed@b.example', source: 'chosen' });
    expect(sendAddress(undefined, 'inv@b.example', chosen)).toEqual({ address: 'inv@b.example', source: 'invoice' });
    expect(sendAddress(undefined, null, chosen)).toEqual(chosen);
  });
});

describe('New customer names (pure)', () => {
  it('When the name is held by a vendor, an employee or a customer, then the first free "Name (n)" is predicted, without case', () => {
    expect(firstFreeNameAttempt("O'Hara Supplies", ['Someone else'])).toBe(1);
    expect(firstFreeNameAttempt("O'Hara Supplies", ["o'hara supplies", "O'Hara Supplies (2)"])).toBe(3);
  });

  it('When exactly one inactive top-level customer has the name, then it is the namesake; an active one, a project or two of them are not', () => {
    const old = customer('4', 'Old Mill Bakery', { active: false });
    expect(inactiveNamesake([old, customer('5', 'Other')], 'old mill bakery')).toBe(old);
    expect(inactiveNamesake([customer('4', 'Old Mill Bakery')], 'Old Mill Bakery')).toBeNull();
    expect(inactiveNamesake([customer('6', 'Old Mill Bakery', { active: false, job: true })], 'Old Mill Bakery')).toBeNull();
    expect(inactiveNamesake([old, customer('7', 'OLD MILL BAKERY', { active: false })], 'Old Mill Bakery')).toBeNull();
  });
});
