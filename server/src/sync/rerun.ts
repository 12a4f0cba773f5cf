import type { Problem, ProblemCode } from './model';

/**
 * When a blocked deal action runs again by itself. An action blocked on something a person fixes elsewhere (the
 * deal's close date or lines in HubSpot, DealBooks settings or product mappings, the QuickBooks connection) is run
 * again once such a change happens, through the same queue path as any action, so the exactly-once protections hold.
 * Nothing here runs an action that would only ask the same question or meet the same refusal again.
 */
export type RerunCause = 'deal_changed' | 'settings_changed' | 'mappings_changed' | 'quickbooks_connected';

/** Problems no such change clears: a person answers on the card (which re-runs the work itself), or the deal is gone. */
const NEVER_BY_ITSELF: ReadonlySet<ProblemCode> = new Set(['customer_needs_confirmation', 'deal_not_found', 'qbo_rejected']);

/** Problems only one kind of change can clear. */
const ONLY_ON: Partial<Record<ProblemCode, readonly RerunCause[]>> = {
  // Who may create documents is a setting.
  not_allowed: ['settings_changed'],
};

/** The action kinds that are re-run (a customer confirmation is a person's answer, not work to repeat). */
export const RERUN_KINDS = ['invoice', 'estimate', 'convert', 'send'] as const;

/** True when every problem that blocked the action may have been cleared by this change. */
export function rerunsOn(kind: string, problems: readonly Pick<Problem, 'code'>[], cause: RerunCause): boolean {
  if (!(RERUN_KINDS as readonly string[]).includes(kind) || problems.length === 0) return false;
  return problems.every((p) => !NEVER_BY_ITSELF.has(p.code) && (ONLY_ON[p.code]?.includes(cause) ?? true));
}
