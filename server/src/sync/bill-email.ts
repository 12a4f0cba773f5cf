/**
 * Which address QuickBooks emails an invoice to. A company that is already a QuickBooks customer has its billing
 * address there (accounts payable, e.g. "accounts@abcinc.example"), which is seldom the sales contact a rep works
 * with in HubSpot; so by default the customer's own address wins, and the HubSpot contact's is used for a new
 * customer (which is created with it) or one without an address. Finance can choose the contact instead. Pure.
 */
export type BillEmailSetting = 'quickbooks-customer' | 'hubspot-contact';

export interface BillEmailChoice {
  address: string | null;
  /** Where the address comes from; null when there is none. */
  source: 'quickbooks-customer' | 'hubspot-contact' | null;
}

const present = (email: string | null | undefined): string | null => (email && email.trim() !== '' ? email.trim() : null);

export function chooseBillEmail(
  setting: BillEmailSetting,
  input: {
    /** The QBO customer's own address; undefined when the customer does not exist yet (it will be created). */
    customerEmail: string | null | undefined;
    contactEmail: string | null | undefined;
  },
): BillEmailChoice {
  const customer = input.customerEmail === undefined ? null : present(input.customerEmail);
  const contact = present(input.contactEmail);
  const order: Array<[string | null, BillEmailChoice['source']]> =
    setting === 'hubspot-contact' ? [[contact, 'hubspot-contact'], [customer, 'quickbooks-customer']] : [[customer, 'quickbooks-customer'], [contact, 'hubspot-contact']];
  for (const [address, source] of order) if (address) return { address, source };
  return { address: null, source: null };
}

/**
 * The address a "Send" goes to: the one a person typed, else the invoice's own BillEmail (set when it was created,
 * perhaps corrected in QuickBooks since), else the settings' choice.
 */
export function sendAddress(explicit: string | null | undefined, invoiceBillEmail: string | null | undefined, chosen: BillEmailChoice): { address: string | null; source: 'chosen' | 'invoice' | BillEmailChoice['source'] } {
  if (present(explicit)) return { address: present(explicit), source: 'chosen' };
  if (present(invoiceBillEmail)) return { address: present(invoiceBillEmail), source: 'invoice' };
  return chosen;
}
