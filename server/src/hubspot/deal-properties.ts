import type { Client } from '@hubspot/api-client';
import {
  PropertyCreateFieldTypeEnum as Field,
  PropertyCreateTypeEnum as Type,
  type PropertyCreate,
  type PropertyGroupCreate,
} from '@hubspot/api-client/lib/codegen/crm/properties';

/**
 * DealBooks' own deal property group and properties: what the QuickBooks side of a deal looks like, as properties
 * users can report, filter and run workflows on. Created at install if missing (the properties API answers 409 for a
 * name that exists); quote to cash writes the values. HubSpot accepts these type/fieldType pairs: string/text|textarea,
 * number/number, date|datetime/date, enumeration/select.
 */
export const DEALBOOKS_PROPERTY_GROUP: PropertyGroupCreate = { name: 'dealbooks', label: 'DealBooks', displayOrder: -1 };

/** The internal names DealBooks writes. */
export const DEAL_PROPERTY = {
  qboCustomer: 'dealbooks_qbo_customer',
  invoiceId: 'dealbooks_invoice_id',
  invoiceNumber: 'dealbooks_invoice_number',
  invoiceStatus: 'dealbooks_invoice_status',
  invoiceTotal: 'dealbooks_invoice_total',
  invoiceBalance: 'dealbooks_invoice_balance',
  invoiceDueDate: 'dealbooks_invoice_due_date',
  invoiceLink: 'dealbooks_invoice_link',
  amountPaid: 'dealbooks_amount_paid',
  lastPaymentDate: 'dealbooks_last_payment_date',
  lastPaymentAmount: 'dealbooks_last_payment_amount',
  firstPaidDate: 'dealbooks_first_paid_date',
  daysOverdue: 'dealbooks_days_overdue',
  estimateStatus: 'dealbooks_estimate_status',
  lastProblem: 'dealbooks_last_problem',
  lastSynced: 'dealbooks_last_synced',
} as const;

export const INVOICE_STATUSES = ['draft', 'open', 'partially_paid', 'paid', 'overdue', 'voided', 'deleted', 'credited'] as const;
export const ESTIMATE_STATUSES = ['pending', 'accepted', 'closed', 'rejected', 'converted', 'deleted'] as const;

const LABELS: Record<(typeof INVOICE_STATUSES)[number] | (typeof ESTIMATE_STATUSES)[number], string> = {
  draft: 'Draft',
  open: 'Open',
  partially_paid: 'Partially paid',
  paid: 'Paid',
  overdue: 'Overdue',
  voided: 'Voided',
  deleted: 'Deleted in QuickBooks',
  credited: 'Credited in full',
  pending: 'Pending',
  accepted: 'Accepted',
  closed: 'Closed',
  rejected: 'Rejected',
  converted: 'Converted to invoice',
};

const options = (values: readonly (keyof typeof LABELS)[]) => values.map((value, displayOrder) => ({ label: LABELS[value], value, displayOrder, hidden: false }));

// Users see these words in HubSpot's property settings: say who owns the value, so nobody edits it by hand. DealBooks
// writes a value only when it changes on its side (write-back.ts), so a hand edit lasts until then.
const SET_BY_DEALBOOKS = 'Set by DealBooks from QuickBooks Online; a change made here is overwritten when the value changes in QuickBooks.';

const property = (name: string, label: string, type: Type, fieldType: Field, description: string, extra: Partial<PropertyCreate> = {}): PropertyCreate => ({
  name,
  label,
  type,
  fieldType,
  groupName: DEALBOOKS_PROPERTY_GROUP.name,
  description: `${description} ${SET_BY_DEALBOOKS}`,
  formField: false,
  ...extra,
});

export const DEALBOOKS_DEAL_PROPERTIES: readonly PropertyCreate[] = [
  property(DEAL_PROPERTY.qboCustomer, 'QuickBooks customer', Type.String, Field.Text, 'The QuickBooks customer the deal is invoiced to.'),
  property(DEAL_PROPERTY.invoiceId, 'QuickBooks invoice ID', Type.String, Field.Text, "The invoice's id in QuickBooks."),
  property(DEAL_PROPERTY.invoiceNumber, 'QuickBooks invoice number', Type.String, Field.Text, 'The invoice number customers see.'),
  property(DEAL_PROPERTY.invoiceStatus, 'QuickBooks invoice status', Type.Enumeration, Field.Select, "The invoice's payment status.", {
    options: options(INVOICE_STATUSES),
  }),
  property(DEAL_PROPERTY.invoiceTotal, 'QuickBooks invoice total', Type.Number, Field.Number, "The invoice's total, in the invoice's currency."),
  property(DEAL_PROPERTY.invoiceBalance, 'QuickBooks invoice balance', Type.Number, Field.Number, 'What is still owed on the invoice, in its currency.'),
  property(DEAL_PROPERTY.invoiceDueDate, 'QuickBooks invoice due date', Type.Date, Field.Date, 'When the invoice is due.'),
  property(DEAL_PROPERTY.invoiceLink, 'QuickBooks invoice link', Type.String, Field.Text, 'Where the customer can view and pay the invoice.'),
  property(DEAL_PROPERTY.amountPaid, 'QuickBooks amount paid', Type.Number, Field.Number, 'The money received on the invoice so far, in its currency (credit memos applied to it are not counted).'),
  property(DEAL_PROPERTY.lastPaymentDate, 'QuickBooks last payment date', Type.Date, Field.Date, 'The date of the latest payment received on the invoice.'),
  property(DEAL_PROPERTY.lastPaymentAmount, 'QuickBooks last payment amount', Type.Number, Field.Number, 'How much of the latest payment went to the invoice, in its currency.'),
  property(
    DEAL_PROPERTY.firstPaidDate,
    'QuickBooks first paid date',
    Type.Date,
    Field.Date,
    "The date the deal's invoice first became paid in full. Kept once set, even if the payment is later undone, so a workflow on it runs once.",
  ),
  property(DEAL_PROPERTY.daysOverdue, 'QuickBooks days overdue', Type.Number, Field.Number, "Days since the invoice's due date while a balance is open; empty when it is not overdue."),
  property(DEAL_PROPERTY.estimateStatus, 'QuickBooks estimate status', Type.Enumeration, Field.Select, "The status of the deal's estimate.", {
    options: options(ESTIMATE_STATUSES),
  }),
  property(DEAL_PROPERTY.lastProblem, 'DealBooks last problem', Type.String, Field.Textarea, 'Why the last sync of this deal failed, and what to do; empty when it worked.'),
  property(DEAL_PROPERTY.lastSynced, 'DealBooks last synced', Type.Datetime, Field.Date, 'When DealBooks last wrote a change from QuickBooks to this deal.'),
];

export interface EnsuredProperties {
  groupCreated: boolean;
  /** Names of the properties created now; the others existed already. */
  created: string[];
  /** Names of the enumeration properties that were given the options a newer DealBooks writes (e.g. "credited"). */
  updated: string[];
}

/**
 * Creates the group and whichever properties are missing, and adds to DealBooks' enumeration properties the options
 * a newer DealBooks writes (an account installed before a status existed would refuse it). The existing ones are
 * read first, so a re-install or a retried job sends no doomed creates (HubSpot asks apps to keep error responses
 * under 5%); a 409 still counts as "exists", for the race with a concurrent run. Options the account has that
 * DealBooks does not know are kept. Any other failure is thrown: the caller decides when to try again.
 */
export async function ensureDealBooksProperties(client: Client): Promise<EnsuredProperties> {
  const { groupsApi, coreApi } = client.crm.properties;
  const groups = await groupsApi.getAll('deals');
  let groupCreated = false;
  if (!groups.results.some((g) => g.name === DEALBOOKS_PROPERTY_GROUP.name)) {
    groupCreated = await createUnlessExists(() => groupsApi.create('deals', DEALBOOKS_PROPERTY_GROUP));
  }
  const existing = new Map((await coreApi.getAll('deals')).results.map((p) => [p.name, p]));
  const created: string[] = [];
  const updated: string[] = [];
  for (const definition of DEALBOOKS_DEAL_PROPERTIES) {
    const found = existing.get(definition.name);
    if (!found) {
      if (await createUnlessExists(() => coreApi.create('deals', definition))) created.push(definition.name);
      continue;
    }
    const have = new Set(found.options.map((o) => o.value));
    const missing = (definition.options ?? []).filter((o) => !have.has(o.value));
    if (missing.length === 0) continue;
    const options = [...found.options.map((o) => ({ label: o.label, value: o.value, displayOrder: o.displayOrder, hidden: o.hidden })), ...missing];
    await coreApi.update('deals', definition.name, { options });
    updated.push(definition.name);
  }
  return { groupCreated, created, updated };
}

async function createUnlessExists(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 409) return false;
    throw error;
  }
}
