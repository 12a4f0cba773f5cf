import request from 'supertest';
import { crmTestApp } from './crm/test-app';

async function createLineItem(properties: Record<string, unknown>) {
  const { app } = crmTestApp({ seed: 'empty' });
  return request(app).post('/crm/v3/objects/line_items').send({ properties, associations: [] });
}

describe('HubSpot CRM simulator: line-item amounts', () => {
  it('When price and quantity are set, then amount is their exact product in cents', async () => {
    const res = await createLineItem({ name: 'Hours', price: '0.1', quantity: '3' });
    expect(res.status).toBe(201);
    expect(res.body.properties).toMatchObject({ amount: '0.3', hs_pre_discount_amount: '0.3', hs_total_discount: '0' });
  });

  it('When a per-unit discount is set, then it is taken off each unit', async () => {
    const res = await createLineItem({ name: 'Drafting', price: '99.99', quantity: '4', discount: '10' });
    expect(res.body.properties).toMatchObject({ hs_pre_discount_amount: '399.96', hs_total_discount: '40', amount: '359.96' });
  });

  it('When a percentage discount is set, then it is rounded to cents half away from zero', async () => {
    // 3 x 33.33 = 99.99; 12.5% of it = 12.49875 -> 12.50; amount 87.49
    const res = await createLineItem({ name: 'Survey', price: '33.33', quantity: 3, hs_discount_percentage: '12.5' });
    expect(res.body.properties).toMatchObject({ hs_pre_discount_amount: '99.99', hs_total_discount: '12.5', amount: '87.49' });
  });

  it('When the price has more than two decimals, then the amounts still round to cents exactly', async () => {
    const res = await createLineItem({ name: 'Tiny', price: '0.005', quantity: '1' });
    expect(res.body.properties).toMatchObject({ amount: '0.01', hs_pre_discount_amount: '0.01' });
  });

  it('When the quantity is left out, then it counts as 1', async () => {
    const res = await createLineItem({ name: 'One', price: '12.34' });
    expect(res.body.properties.amount).toBe('12.34');
  });

  it('When the price is negative, then it is a 400', async () => {
    const res = await createLineItem({ name: 'Refund', price: '-5', quantity: '1' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('"name":"price"');
  });

  it('When amount is written directly, then it is a 400 (a calculated property)', async () => {
    const res = await createLineItem({ name: 'X', price: '5', amount: '100' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('READ_ONLY_VALUE');
  });

  it('When the quantity of a seeded line item changes, then the amount follows', async () => {
    const { app, account } = crmTestApp();
    const item = account.list('line_items').find((o) => o.properties.name === 'Permit set');
    expect(item?.properties).toMatchObject({ price: '500', quantity: '2', hs_discount_percentage: '15', amount: '850' });
    const res = await request(app).patch(`/crm/v3/objects/line_items/${item?.id}`).send({ properties: { quantity: '3' } });
    expect(res.body.properties).toMatchObject({ hs_pre_discount_amount: '1500', hs_total_discount: '225', amount: '1275' });
  });
});
