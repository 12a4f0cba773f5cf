import { makeDeal, useQ2C, type Q2C } from './support';
import { clearFaults, fault, faults } from './support-once';

/**
 * When HubSpot or QuickBooks is in trouble while a person waits on the card (a preview, confirming a customer), the
 * card gets words and a retry hint, never "500 internal": 503 when the upstream is throttling or unavailable (with
 * Retry-After when the wait is known, as after a 429), 502 when it answered with a failure of its own. The faults are
 * the simulators' own (test/simulators/README.md, section 5.1), with each service's usual body for the status.
 */

const COMPANIES = ['Quartz Atelier', 'Roan Stables', 'Sable Printing', 'Teak Joinery', 'Umber Pottery'];
let made = 0;
async function previewDeal(q: Q2C): Promise<string> {
  const company = COMPANIES[made % COMPANIES.length]!;
  made += 1;
  const { dealId } = await makeDeal(q, {
    name: `Upstream deal ${made}`,
    company: `${company} ${made}`,
    contacts: [{ firstname: 'Una', lastname: `Stream${made}`, email: `una${made}@upstream.example` }],
    lines: [{ name: 'Survey', price: '120', quantity: '2' }],
  });
  return dealId;
}

type Which = 'quickbooks' | 'hubspot';
/** QuickBooks' API is under /v3/company/; HubSpot's deal reads under /crm/v3/objects/deals (not the token calls). */
const PATHS: Record<Which, string> = { quickbooks: '/v3/company/', hubspot: '/crm/v3/objects/deals' };

/** Every call to that service's API fails with `status` until the faults are cleared; says whether any call was hit. */
async function whileFailing<T>(q: Q2C, which: Which, status: number, work: () => Promise<T>): Promise<T> {
  await fault(q, which, { path: PATHS[which], status, times: 1000 });
  try {
    const result = await work();
    const left = await faults(q, which);
    expect(left.map((f) => f.remaining)).not.toEqual([1000]);
    return result;
  } finally {
    await clearFaults(q, which);
    // HubSpot retried the 5xx once, signed 1 ms later: the next request must not carry that same timestamp.
    await q.world.clock.advance(1000);
  }
}

const CASES: Array<{ which: Which; status: number; answer: number; code: string; retryAfter?: string; words: RegExp }> = [
  { which: 'quickbooks', status: 500, answer: 502, code: 'quickbooks_failed', words: /QuickBooks answered 500.*Try again/ },
  { which: 'quickbooks', status: 429, answer: 503, code: 'quickbooks_rate_limited', retryAfter: '60', words: /QuickBooks is limiting.*Try again in 60 s/ },
  { which: 'quickbooks', status: 503, answer: 503, code: 'quickbooks_unavailable', words: /QuickBooks is unavailable.*Try again/ },
  { which: 'hubspot', status: 429, answer: 503, code: 'hubspot_rate_limited', retryAfter: '10', words: /HubSpot is limiting.*Try again in 10 s/ },
  { which: 'hubspot', status: 502, answer: 502, code: 'hubspot_failed', words: /HubSpot answered 502.*Try again/ },
];

describe('Card API: HubSpot or QuickBooks in trouble during a preview or a customer confirmation', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  for (const c of CASES) {
    it(`When ${c.which === 'quickbooks' ? 'QuickBooks' : 'HubSpot'} answers ${c.status} during a preview, then the card gets ${c.answer} ${c.code} with words${c.retryAfter ? ` and Retry-After ${c.retryAfter}` : ''}, and the preview works once it recovers`, async () => {
      const dealId = await previewDeal(q);
      const answer = await whileFailing(q, c.which, c.status, () => q.card('GET', `/api/deals/${dealId}/preview`));
      expect(answer.status).toBe(c.answer);
      expect(answer.body.error).toMatchObject({ code: c.code, message: expect.stringMatching(c.words), details: expect.objectContaining({ provider: c.which, upstreamStatus: c.status }) });
      expect(answer.headers['retry-after']).toBe(c.retryAfter);
      if (c.retryAfter) expect(answer.body.error.details.retryAfterSeconds).toBe(Number(c.retryAfter));

      const recovered = await q.card('GET', `/api/deals/${dealId}/preview`);
      expect(recovered.status).toBe(200);
      expect(recovered.body.document.totalCents).toBe(24000);
    });

    it(`When ${c.which === 'quickbooks' ? 'QuickBooks' : 'HubSpot'} answers ${c.status} while a person confirms the customer, then the card gets ${c.answer} ${c.code} with words, and nothing is linked`, async () => {
      const dealId = await previewDeal(q);
      const answer = await whileFailing(q, c.which, c.status, () => q.card('POST', `/api/deals/${dealId}/customer`, { customerId: '1' }));
      expect(answer.status).toBe(c.answer);
      expect(answer.body.error).toMatchObject({ code: c.code, message: expect.stringMatching(c.words) });
      expect(answer.headers['retry-after']).toBe(c.retryAfter);
      const { rows } = await q.world.ctx.pool.query(`SELECT 1 FROM entity_links WHERE portal_id = $1 AND hubspot_object_id = $2 AND status = 'linked'`, [q.portalId, dealId]);
      expect(rows).toEqual([]);

      const confirmed = await q.card('POST', `/api/deals/${dealId}/customer`, { customerId: '1' });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.customer).toMatchObject({ state: 'linked', id: '1' });
    });
  }
});
