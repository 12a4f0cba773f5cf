import type { SettingsView as ServerSettingsView, ProductMapping as ServerMapping } from '../../server/src/quote-to-cash/account-settings';
import type { QuickbooksStatus as ServerStatus, TestResult, DisconnectResult } from '../../server/src/connections/quickbooks-status';
import type { ReviewEntry } from '../../server/src/quote-to-cash/customer-review';
import type { DryRunDeal as ServerDryRunDeal } from '../../server/src/quote-to-cash/dry-run';
import type { SyncLogRow } from '../../server/src/db/sync-log';
import type { LeaveResult as ServerLeaveResult } from '../../server/src/privacy/leave-account';
import type { classPicks, customerPicks, itemPicks, taxCodePicks, termPicks } from '../../server/src/quote-to-cash/qbo-pickers';
import type { createConnectUrl } from '../../server/src/connections/connect-quickbooks';
import type * as Page from '../../extensions/src/settings/types';

/**
 * The settings page declares DealBooks' answers itself (it is built into HubSpot's project without the server); these
 * types make `npm run typecheck` fail the moment an answer of the server no longer fits what the page reads.
 */
type Fits<Server extends Page, Page> = Server;
/** What a value becomes on the wire: JSON.stringify writes a Date as its ISO string. */
type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type Answer<F extends (...args: never[]) => unknown> = Json<Awaited<ReturnType<F>>>;

export type SettingsViewFits = Fits<Json<ServerSettingsView>, Page.SettingsView>;
export type StatusFits = Fits<Json<ServerStatus>, Page.QuickbooksStatus>;
export type ConnectUrlFits = Fits<Answer<typeof createConnectUrl>, Page.ConnectUrl>;
export type TestFits = Fits<Json<Extract<TestResult, { ok: true }>>, Page.TestAnswer>;
export type DisconnectFits = Fits<Json<DisconnectResult>, Page.DisconnectAnswer>;
export type ItemsFits = Fits<Answer<typeof itemPicks>, { items: Page.QboItem[] }>;
export type TermsFits = Fits<Answer<typeof termPicks>, { terms: Page.QboTerm[] }>;
export type ClassesFits = Fits<Answer<typeof classPicks>, { classes: Page.QboClass[]; message?: string }>;
export type TaxCodesFits = Fits<Answer<typeof taxCodePicks>, { taxCodes: Page.QboTaxCode[] }>;
export type CustomersFits = Fits<Answer<typeof customerPicks>, { customers: Page.QboCustomer[] }>;
export type MappingFits = Fits<Json<ServerMapping>, Page.ProductMapping>;
export type ReviewFits = Fits<Json<ReviewEntry>, Page.CustomerReview>;
export type DryRunFits = Fits<Json<ServerDryRunDeal>, Page.DryRunDeal>;
export type SyncLogFits = Fits<Json<SyncLogRow>, Page.SyncLogEntry>;
export type LeaveFits = Fits<Json<ServerLeaveResult>, Page.LeaveResult>;
