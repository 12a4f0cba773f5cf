import { createThroughCard, makeDeal, qboRecord, useQ2C, type Q2C } from './support';

/**
 * Settings that depend on what QuickBooks holds: the ids they name (item, term, class, tax codes) are checked when
 * saved and watched afterwards; the invoice's email address comes from the QBO customer or the HubSpot contact as
 * finance chose. QBO demo books (test/simulators/quickbooks/seed.ts): item 3 "Hours" (not taxable), item 4 "Printed
 * Plans" (taxable), terms 1-3, classes 1-2, tax codes TAX / NON / 2; customer 3 "ABC Inc" has its own address,
 * accounts@abcinc.example.
 */

/** The bookkeeper makes a list object inactive in QuickBooks (a sparse update through the accounting API). */
async function inactivate(q: Q2C, entity: 'Item' | 'Term', id: string): Promise<void> {
  const current = await qboRecord(q, entity, id);
  await q.world.ctx.quickbooks.api.post(q.portalId, `/${entity.toLowerCase()}`, { Id: current.Id, SyncToken: current.SyncToken, sparse: true, Active: false });
  // DealBooks keeps QBO's lists for a minute (catalog-cache.ts); the next look is after that.
  await q.world.clock.advance(61_000);
}

describe('Settings: the QuickBooks ids they name', () => {
  const q = useQ2C();

  it('When settings name a term, an item, a class or tax codes QuickBooks does not have, then the save is refused with 422 naming each field in words, and nothing is stored', async () => {
    const { body: before } = await q.card('GET', '/api/settings');
    const saved = await q.card('PATCH', '/api/settings', {
      settings: { termId: '99', defaultItemId: '999', classId: '77', taxCodes: { taxable: 'ZZ', nonTaxable: 'NON' } },
      version: before.version,
    });
    expect(saved.status).toBe(422);
    expect(saved.body.error.code).toBe('validation_failed');
    expect(Object.keys(saved.body.error.details.fields)).toEqual(['termId', 'defaultItemId', 'taxCodes.taxable', 'classId']);
    expect(saved.body.error.details.issues).toEqual([
      { path: 'termId', message: expect.stringMatching(/^QuickBooks has no term with id 99, which DealBooks settings name for the payment terms \(termId\)\. Choose another term/) },
      { path: 'defaultItemId', message: expect.stringMatching(/^QuickBooks has no product or service with id 999.*the default item \(defaultItemId\)/) },
      { path: 'taxCodes.taxable', message: expect.stringMatching(/^QuickBooks has no tax code with id ZZ/) },
      { path: 'classId', message: expect.stringMatching(/^QuickBooks has no class with id 77/) },
    ]);
    const full = await q.card('PUT', '/api/settings', { settings: { ...before.settings, termId: '99' }, version: before.version });
    expect(full.status).toBe(422);
    expect(full.body.error.details.fields).toEqual({ termId: expect.stringMatching(/^QuickBooks has no term with id 99/) });
    const after = await q.card('GET', '/api/settings');
    expect(after.body).toMatchObject({ version: before.version, settings: before.settings, unusableReferences: [] });

    const good = await q.card('PATCH', '/api/settings', { settings: { termId: '2', defaultItemId: '3', classId: '1', taxCodes: { taxable: 'TAX', nonTaxable: 'NON' } }, version: before.version });
    expect(good.status).toBe(200);
  });

  it('When the term and the default item in settings are made inactive in QuickBooks later, then the settings list them as no longer usable, and the card stops the invoice with a problem naming each setting instead of dropping the terms', async () => {
    const term = await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Term`, { Name: 'Net 45', Type: 'STANDARD', DueDays: 45, Active: true });
    const item = await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Item`, { Name: 'General services', Type: 'Service', UnitPrice: 100, Taxable: false, Active: true, IncomeAccountRef: { value: '1' } });
    await q.settings({ termId: term.Id, defaultItemId: item.Id, classId: null, taxCodes: { taxable: null, nonTaxable: null } });
    expect((await q.card('GET', '/api/settings')).body.unusableReferences).toEqual([]);

    await inactivate(q, 'Term', term.Id);
    await inactivate(q, 'Item', item.Id);

    const settings = await q.card('GET', '/api/settings');
    expect(settings.body.unusableReferences).toEqual([
      expect.objectContaining({ field: 'termId', id: term.Id, reason: 'inactive', message: expect.stringMatching(/The QuickBooks term “Net 45” \(id \d+\).*is inactive \(deleted in QuickBooks\)/) }),
      expect.objectContaining({ field: 'defaultItemId', id: item.Id, reason: 'inactive', message: expect.stringMatching(/product or service “General services”/) }),
    ]);

    const { dealId } = await makeDeal(q, { name: 'Wren survey', contacts: [{ firstname: 'Wy', lastname: 'Wren', email: 'wy@wren.example' }], lines: [{ name: 'Drone survey', price: '900', quantity: '1' }] });
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    const problems = preview.body.problems;
    expect(problems.map((p: any) => p.code)).toEqual(['unmapped_product', 'setting_unusable', 'setting_unusable']);
    expect(problems[0].message).toMatch(/Choose a default item QuickBooks can use \(the one set is not/);
    expect(problems.slice(1).map((p: any) => p.subject.field)).toEqual(['termId', 'defaultItemId']);

    const invoicesBefore = (await q.qbo('Invoice')).length;
    const { summary, documents } = await createThroughCard(q, dealId);
    expect(documents).toEqual([]);
    expect((await q.qbo('Invoice')).length).toBe(invoicesBefore);
    expect(summary.problems.filter((p: any) => p.code === 'setting_unusable').map((p: any) => p.message)).toEqual([
      expect.stringMatching(/term “Net 45”.*payment terms \(termId\), is inactive.*Choose another term in DealBooks settings/),
      expect.stringMatching(/“General services”.*default item \(defaultItemId\), is inactive/),
    ]);

    // Saving anything while an unusable id stays in the settings names it, so it is fixed rather than kept unseen.
    const { body: read } = await q.card('GET', '/api/settings');
    const other = await q.card('PATCH', '/api/settings', { settings: { autoInvoice: true }, version: read.version });
    expect(other.status).toBe(422);
    expect(Object.keys(other.body.error.details.fields)).toEqual(['termId', 'defaultItemId']);
    expect((await q.card('PATCH', '/api/settings', { settings: { termId: null, defaultItemId: '3' }, version: read.version })).status).toBe(200);
  });
});

describe('Preview: tax is computed by QuickBooks', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When a deal has a taxable and a non-taxable line, then the preview says QuickBooks computes the tax and shows the tax code of each line: the settings\' codes, or QuickBooks\' choice when none is set', async () => {
    const { dealId, lineIds } = await makeDeal(q, {
      name: 'Plans and advice',
      contacts: [{ firstname: 'Tex', lastname: 'Code', email: 'tex@plans.example' }],
      lines: [{ name: 'Printed plans', price: '45', quantity: '2' }, { name: 'Advice', price: '150', quantity: '1' }],
    });
    const byQuickbooks = (await q.card('GET', `/api/deals/${dealId}/preview`)).body.document.tax;
    expect(byQuickbooks).toEqual({
      computedBy: 'quickbooks',
      message: expect.stringMatching(/^Sales tax is not included in these totals: QuickBooks computes it when the document is created.*“Printed plans”: the code QuickBooks picks from the item \(taxable\) and the customer; “Advice”: the code QuickBooks picks from the item \(not taxable\)/),
      lines: [{ lineItemId: lineIds[0], taxCode: null, from: 'quickbooks' }, { lineItemId: lineIds[1], taxCode: null, from: 'quickbooks' }],
    });

    await q.settings({ taxCodes: { taxable: 'TAX', nonTaxable: 'NON' } });
    const bySettings = (await q.card('GET', `/api/deals/${dealId}/preview`)).body.document;
    expect(bySettings.tax.lines).toEqual([{ lineItemId: lineIds[0], taxCode: 'TAX', from: 'settings' }, { lineItemId: lineIds[1], taxCode: 'NON', from: 'settings' }]);
    expect(bySettings.tax.message).toMatch(/“Printed plans”: tax code TAX \(DealBooks settings\); “Advice”: tax code NON/);
    expect(bySettings.totalCents).toBe(24000);
  });
});

describe('Settings: where QuickBooks emails the invoice', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });
  /** A deal of "ABC Inc" (QBO customer 3, accounts@abcinc.example) whose HubSpot contact is the sales contact. */
  const abcDeal = (name: string, contactEmail = 'x@abccorp.example') =>
    makeDeal(q, { name, company: 'ABC Inc', contacts: [{ firstname: 'Xavier', lastname: 'Sales', email: contactEmail }], lines: [{ name: 'Consulting', price: '100', quantity: '2' }] });

  it("When the company is an existing QuickBooks customer with its own address and delivery is send, then the preview and QuickBooks' email use the customer's address, not the HubSpot contact's", async () => {
    await q.settings({ delivery: 'send' });
    const { dealId } = await abcDeal('ABC Inc retainer');
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.body.customer).toMatchObject({ state: 'matched', id: '3' });
    expect(preview.body.billEmail).toEqual({ address: 'accounts@abcinc.example', source: 'quickbooks-customer' });
    expect(preview.body.document.billEmail).toBe('accounts@abcinc.example');

    const { documents } = await createThroughCard(q, dealId);
    expect(documents).toHaveLength(1);
    expect(documents[0].BillEmail.Address).toBe('accounts@abcinc.example');
    expect(documents[0].EmailStatus).toBe('EmailSent');
    const { requests } = await q.world.control('quickbooks', '/requests?method=POST');
    const sends = requests.filter((r: any) => String(r.path).endsWith(`/invoice/${documents[0].Id}/send`));
    expect(sends.map((r: any) => r.query?.sendTo ?? null)).toEqual(['accounts@abcinc.example']);
  });

  it("When finance chooses the HubSpot contact, then the invoice goes to the contact; a Send on the card answers with the address it will use", async () => {
    await q.settings({ delivery: 'review', billEmail: 'hubspot-contact' });
    try {
      const { dealId } = await abcDeal('ABC Inc workshop', 'xavier@abccorp.example');
      const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
      expect(preview.body.billEmail).toEqual({ address: 'xavier@abccorp.example', source: 'hubspot-contact' });
      const { documents } = await createThroughCard(q, dealId);
      expect(documents[0].BillEmail.Address).toBe('xavier@abccorp.example');
      expect(documents[0].EmailStatus).not.toBe('EmailSent');

      const send = await q.card('POST', `/api/invoices/${documents[0].Id}/send`, {});
      expect(send.status).toBe(202);
      expect(send.body.sendTo).toEqual({ address: 'xavier@abccorp.example', source: 'invoice' });
      await q.drain();
      expect((await qboRecord(q, 'Invoice', documents[0].Id)).EmailStatus).toBe('EmailSent');
    } finally {
      await q.settings({ billEmail: 'quickbooks-customer' });
    }
  });
});
