import type { Problem, ProblemCode } from './model';

/**
 * When a blocked deal action runs again by itself. An action blocked on something a person fixes elsewhere (the
 * deal's close date or lines in HubSpot, DealBooks settings or product mappings, the QuickBooks connection) is run
 * again once such a change happens, through the same queue path as any action, so the exactly-once protections hold.
 * Nothing here runs an action that would only ask the same question or meet the same refusal again.
 */
export type RerunCause = 'deal_changed' | 'settings_changed' | 'mappings_changed' | 'quickbooks_connected' | 'deal_restored';

/**
 * Which changes may clear which problem. A change that cannot clear every problem of an action leaves it alone: a
 * re-run would only block again (and say so again in the sync log and on the deal). Not here at all: a customer
 * awaiting confirmation (the person's answer on the card re-runs the work itself), a refusal by QuickBooks, a deal
 * that is gone.
 */
const CLEARED_BY: Partial<Record<ProblemCode, readonly RerunCause[]>> = {
  // The deal's close date, its line items (HubSpot recomputes the amount from them), its currency, its parties.
  closed_period: ['deal_changed', 'settings_changed', 'quickbooks_connected'],
  no_line_items: ['deal_changed'],
  line_without_price: ['deal_changed'],
  currency_mismatch: ['deal_changed', 'quickbooks_connected'],
  customer_missing: ['deal_changed', 'settings_changed'],
  no_bill_email: ['deal_changed', 'settings_changed'],
  // A product mapping, the default item, or the item itself in QuickBooks.
  unmapped_product: ['deal_changed', 'settings_changed', 'mappings_changed', 'quickbooks_connected'],
  // Who may create documents is a setting.
  not_allowed: ['settings_changed'],
  estimates_disabled: ['quickbooks_connected', 'settings_changed'],
  quickbooks_not_connected: ['quickbooks_connected'],
  quickbooks_needs_reconnect: ['quickbooks_connected'],
  // Work stopped because the deal was deleted in HubSpot resumes when the deal is restored (or merged into one that lives).
  deal_deleted: ['deal_restored'],
  deal_not_found: ['deal_restored'],
};

/** The action kinds that are re-run (a customer confirmation is a person's answer, not work to repeat). */
export const RERUN_KINDS = ['invoice', 'estimate', 'convert', 'send'] as const;

/** True when every problem that blocked the action may have been cleared by this change. */
export function rerunsOn(kind: string, problems: readonly Pick<Problem, 'code'>[], cause: RerunCause): boolean {
  if (!(RERUN_KINDS as readonly string[]).includes(kind) || problems.length === 0) return false;
  return problems.every((p) => CLEARED_BY[p.code]?.includes(cause) ?? false);
}
