import { z } from 'zod';
import type { CompanyFacts } from '../sync/model';

/**
 * What DealBooks needs to know about a QBO company before it writes there: the name (shown on the settings page),
 * home currency and multicurrency (a deal in another currency is a problem), the book close date (a transaction
 * dated on or before it is refused), and whether documents take custom numbers. From CompanyInfo and Preferences.
 */
const companyInfoSchema = z.object({
  CompanyInfo: z.object({ CompanyName: z.string().optional(), Country: z.string().optional() }).passthrough(),
});

const preferencesSchema = z.object({
  Preferences: z
    .object({
      CurrencyPrefs: z.object({ HomeCurrency: z.object({ value: z.string() }).optional(), MultiCurrencyEnabled: z.boolean().optional() }).optional(),
      AccountingInfoPrefs: z.object({ BookCloseDate: z.string().optional() }).passthrough().optional(),
      SalesFormsPrefs: z.object({ CustomTxnNumbers: z.boolean().optional() }).passthrough().optional(),
    })
    .passthrough(),
});

export function companyFacts(companyInfo: unknown, preferences: unknown): CompanyFacts {
  const info = companyInfoSchema.parse(companyInfo).CompanyInfo;
  const prefs = preferencesSchema.parse(preferences).Preferences;
  const currency = prefs.CurrencyPrefs?.HomeCurrency?.value;
  const closeDate = prefs.AccountingInfoPrefs?.BookCloseDate;
  return {
    companyName: info.CompanyName ?? null,
    country: info.Country ?? null,
    homeCurrency: currency && /^[A-Z]{3}$/.test(currency) ? currency : null,
    multicurrencyEnabled: prefs.CurrencyPrefs?.MultiCurrencyEnabled ?? null,
    bookCloseDate: closeDate && /^\d{4}-\d{2}-\d{2}$/.test(closeDate) ? closeDate : null,
    customTxnNumbers: prefs.SalesFormsPrefs?.CustomTxnNumbers ?? null,
  };
}
