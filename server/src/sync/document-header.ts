import { transactionDate } from './document-dates';
import { privateNoteFor } from './document-text';

/**
 * The header every document DealBooks creates shares (an invoice, an estimate, an invoice converted from an
 * estimate), so the rules cannot drift apart between them:
 * - PrivateNote names the HubSpot deal (and ends with the marker DealBooks looks for after an unknown outcome);
 * - TxnDate is the deal's close date when settings say so and the deal has one, else the company's today;
 * - the company's sales-form custom field named "Deal ID", when it has one in use, carries the deal id.
 */

/** The name finance gives the sales-form custom field that should carry the HubSpot deal id (case and spaces aside). */
export const DEAL_ID_FIELD_NAME = 'Deal ID';

/** QBO's custom field values are at most 31 characters (Intuit's Invoice reference, CustomField.StringValue). */
export const CUSTOM_FIELD_VALUE_MAX = 31;

/** One of the company's three sales-form custom fields (Preferences SalesFormsPrefs.CustomField). */
export interface SalesCustomField {
  /** The DefinitionId a document uses: "1", "2" or "3". */
  definitionId: string;
  name: string | null;
  inUse: boolean;
}

/** The DefinitionId of the in-use sales-form custom field named "Deal ID", or null when the company has none. */
export function dealIdFieldOf(fields: readonly SalesCustomField[]): string | null {
  const wanted = normalizeName(DEAL_ID_FIELD_NAME);
  return fields.find((f) => f.inUse && f.name !== null && normalizeName(f.name) === wanted)?.definitionId ?? null;
}

function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

export interface HeaderInput {
  portalId: number;
  /** The deal as HubSpot has it now; only its id when HubSpot no longer has it. */
  deal: { id: string; name: string | null; closeDate: string | null };
  txnDateSetting: 'close_date' | 'today';
  /** `YYYY-MM-DD` in the company's time zone. */
  today: string;
  marker: string;
  /** Words before the deal reference, e.g. "Converted from QuickBooks estimate 1001." */
  note?: string | null;
  /** From dealIdFieldOf; null when the company has no "Deal ID" field. */
  dealIdFieldId: string | null;
}

export interface DocumentHeader {
  TxnDate: string;
  PrivateNote: string;
  CustomField?: Array<{ DefinitionId: string; Name: string; Type: 'StringType'; StringValue: string }>;
}

export function documentHeader(input: HeaderInput): DocumentHeader {
  const header: DocumentHeader = {
    TxnDate: transactionDate(input.txnDateSetting, input.deal, input.today),
    PrivateNote: privateNoteFor(input.deal, input.portalId, input.marker, input.note ?? null),
  };
  // A HubSpot deal id is at most 20 digits, well inside QBO's 31 characters; a longer one is left out, not cut.
  if (input.dealIdFieldId !== null && input.deal.id.length <= CUSTOM_FIELD_VALUE_MAX) {
    header.CustomField = [{ DefinitionId: input.dealIdFieldId, Name: DEAL_ID_FIELD_NAME, Type: 'StringType', StringValue: input.deal.id }];
  }
  return header;
}
