import {
  daysOverdue,
  isSettled,
  overdueTaskBody,
  overdueTaskMarker,
  overdueTaskSubject,
  taskDueAt,
  taskPriority,
  thresholdToAct,
  type OverdueInvoice,
} from '../../../server/src/sync/overdue';
import { DEFAULT_SETTINGS, missingSettingKeys, mergeSettings, settingsSchema } from '../../../server/src/sync/settings';

const invoice = (fields: Partial<OverdueInvoice> = {}): OverdueInvoice => ({
  connectionId: 7,
  invoiceId: '130',
  docNumber: '1042',
  dueDate: '2026-11-20',
  currency: 'USD',
  totalCents: 165150,
  balanceCents: 115150,
  webUrl: 'https://app.qbo.intuit.com/app/invoice?txnId=130',
  ...fields,
});

describe('Overdue follow-up decisions (pure)', () => {
  it('When days are counted, then it is whole calendar days from the due date, across months and years', () => {
    expect(daysOverdue('2026-11-20', '2026-11-20')).toBe(0);
    expect(daysOverdue('2026-11-20', '2026-11-21')).toBe(1);
    expect(daysOverdue('2026-11-20', '2026-11-19')).toBe(-1);
    expect(daysOverdue('2026-12-17', '2027-01-16')).toBe(30);
    expect(daysOverdue('2028-02-28', '2028-03-01')).toBe(2);
  });

  it('When several thresholds are reached, then only the highest gets a task, and never one at or below a task already made', () => {
    const steps = [1, 15, 30];
    expect(thresholdToAct(steps, 0, null)).toBeNull();
    expect(thresholdToAct(steps, -3, null)).toBeNull();
    expect(thresholdToAct(steps, 1, null)).toBe(1);
    expect(thresholdToAct(steps, 14, 1)).toBeNull();
    expect(thresholdToAct(steps, 15, 1)).toBe(15);
    expect(thresholdToAct(steps, 40, null)).toBe(30);
    expect(thresholdToAct(steps, 40, 30)).toBeNull();
    expect(thresholdToAct(steps, 40, 15)).toBe(30);
    // A threshold added below an existing task does not reach back.
    expect(thresholdToAct([1, 15, 20, 30], 25, 30)).toBeNull();
  });

  it('When a task is made, then the last threshold is HIGH, the first LOW, those between MEDIUM, and a lone one HIGH', () => {
    expect([1, 15, 30].map((t) => taskPriority([1, 15, 30], t))).toEqual(['LOW', 'MEDIUM', 'HIGH']);
    expect(taskPriority([30], 30)).toBe('HIGH');
    expect(taskPriority([1, 15, 30], 7)).toBe('MEDIUM');
  });

  it('When the subject is written, then it names the invoice, the real days overdue and the open amount to the cent', () => {
    expect(overdueTaskSubject(invoice(), 15)).toBe('Invoice 1042 is 15 days overdue: $1,151.50 open');
    expect(overdueTaskSubject(invoice({ balanceCents: 1 }), 1)).toBe('Invoice 1042 is 1 day overdue: $0.01 open');
    expect(overdueTaskSubject(invoice({ currency: 'EUR', balanceCents: 100000005 }), 31)).toBe('Invoice 1042 is 31 days overdue: €1,000,000.05 open');
    expect(overdueTaskSubject(invoice({ docNumber: null, currency: null }), 2)).toBe('Invoice (QuickBooks id 130) is 2 days overdue: $1,151.50 open');
  });

  it('When the body is written, then it says what is open of what, links QuickBooks, and ends with a marker unique to invoice and threshold', () => {
    const body = overdueTaskBody(invoice(), { days: 16, thresholdDays: 15 });
    expect(body.split('\n')).toEqual([
      'Invoice 1042 was due on 2026-11-20 and is 16 days overdue. $1,151.50 of $1,651.50 is still open.',
      'Open it in QuickBooks: https://app.qbo.intuit.com/app/invoice?txnId=130',
      'DealBooks completes this task by itself when the invoice is paid, voided or deleted in QuickBooks.',
      'DealBooks ref overdue:7:130:15',
    ]);
    expect(overdueTaskBody(invoice(), { days: 16, thresholdDays: 15, unassignedBecause: 'Nobody owns it.' }).split('\n')[2]).toBe('Nobody owns it.');
    const markers = [overdueTaskMarker({ connectionId: 7, invoiceId: '130', thresholdDays: 1 }), overdueTaskMarker({ connectionId: 7, invoiceId: '13', thresholdDays: 1 })];
    expect(new Set(markers).size).toBe(2);
    // Nothing in it that HTML escaping would change.
    expect(markers[0]).toMatch(/^[A-Za-z0-9 :]+$/);
  });

  it("When a task is due, then it is due at 17:00 of the company's date in the company's offset", () => {
    expect(taskDueAt('2026-12-03', -480).toISOString()).toBe('2026-12-04T01:00:00.000Z');
    expect(taskDueAt('2026-12-03', 330).toISOString()).toBe('2026-12-03T11:30:00.000Z');
    expect(taskDueAt('2026-12-03', null).toISOString()).toBe('2026-12-03T17:00:00.000Z');
  });

  it('When an invoice is paid, voided, deleted or gone, then it is settled; an unknown balance is not', () => {
    expect(isSettled({ qboState: 'active', balanceCents: 0 })).toBe(true);
    expect(isSettled({ qboState: 'active', balanceCents: -5 })).toBe(true);
    expect(isSettled({ qboState: 'voided', balanceCents: 0 })).toBe(true);
    expect(isSettled({ qboState: 'deleted', balanceCents: 115150 })).toBe(true);
    expect(isSettled(null)).toBe(true);
    expect(isSettled({ qboState: 'active', balanceCents: 1 })).toBe(false);
    expect(isSettled({ qboState: 'active', balanceCents: null })).toBe(false);
  });
});

describe('Overdue tasks in the settings (pure)', () => {
  const parse = (overdueTasks: unknown) => settingsSchema.safeParse({ overdueTasks });
  const issues = (overdueTasks: unknown) => {
    const parsed = parse(overdueTasks);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('When nothing is chosen, then overdue tasks are off with thresholds 1, 15 and 30 days', () => {
    expect(DEFAULT_SETTINGS.overdueTasks).toEqual({ enabled: false, thresholds: [1, 15, 30] });
  });

  it('When thresholds come in another order, then they are kept sorted', () => {
    expect(parse({ enabled: true, thresholds: [30, 1, 15] })).toMatchObject({ success: true, data: { overdueTasks: { enabled: true, thresholds: [1, 15, 30] } } });
  });

  it('When thresholds are repeated, empty, zero, fractional, too large, too many or not numbers, then each is refused in words naming the place', () => {
    expect(issues({ enabled: true, thresholds: [1, 15, 15] })).toEqual(['overdueTasks.thresholds.2: 15 days is listed twice; list each threshold once']);
    expect(issues({ enabled: true, thresholds: [] })).toEqual(['overdueTasks.thresholds: expected at least one threshold; to stop overdue tasks, set overdueTasks.enabled to false']);
    expect(issues({ enabled: true, thresholds: [0] })).toEqual(['overdueTasks.thresholds.0: expected 1 or more days overdue (0 is the due date itself, when nothing is overdue yet)']);
    expect(issues({ enabled: true, thresholds: [1.5] })).toEqual(['overdueTasks.thresholds.0: expected a whole number of days']);
    expect(issues({ enabled: true, thresholds: [366] })).toEqual(['overdueTasks.thresholds.0: expected at most 365 days overdue']);
    expect(issues({ enabled: true, thresholds: [1, 2, 3, 4, 5, 6] })).toEqual(['overdueTasks.thresholds: expected at most 5 thresholds']);
    expect(issues({ enabled: true, thresholds: ['15'] })).toEqual(['overdueTasks.thresholds.0: expected a number of days overdue']);
    expect(issues({ enabled: 'yes', thresholds: [1] })).toHaveLength(1);
    expect(issues({ enabled: true, thresholds: [1], remindEmail: true })).toHaveLength(1);
    expect(issues({ enabled: true, thresholds: [1, 365] })).toEqual([]);
  });

  it('When a whole document or a patch is handled, then overdueTasks is a group with fixed keys that merges key by key', () => {
    const { overdueTasks: _o, ...rest } = DEFAULT_SETTINGS;
    expect(missingSettingKeys(rest)).toEqual(['overdueTasks']);
    expect(missingSettingKeys({ ...DEFAULT_SETTINGS, overdueTasks: { enabled: true } })).toEqual(['overdueTasks.thresholds']);
    expect(mergeSettings({ ...DEFAULT_SETTINGS, overdueTasks: { enabled: false, thresholds: [3, 9] } }, { overdueTasks: { enabled: true } })).toMatchObject({
      overdueTasks: { enabled: true, thresholds: [3, 9] },
    });
  });
});
