import { useDealBooks, type Loaded } from './load';
import type { QboClass, QboItem, QboTaxCode, QboTerm } from './types';

/** The QuickBooks lists the settings' pickers offer; read only while QuickBooks is connected (else DealBooks answers 409). */
export interface QboLists {
  items: Loaded<{ items: QboItem[] }>;
  terms: Loaded<{ terms: QboTerm[] }>;
  classes: Loaded<{ classes: QboClass[]; message?: string }>;
  taxCodes: Loaded<{ taxCodes: QboTaxCode[] }>;
  reload: () => void;
}

export function useQboLists(enabled: boolean): QboLists {
  const items = useDealBooks<{ items: QboItem[] }>(enabled ? '/api/quickbooks/items' : null);
  const terms = useDealBooks<{ terms: QboTerm[] }>(enabled ? '/api/quickbooks/terms' : null);
  const classes = useDealBooks<{ classes: QboClass[]; message?: string }>(enabled ? '/api/quickbooks/classes' : null);
  const taxCodes = useDealBooks<{ taxCodes: QboTaxCode[] }>(enabled ? '/api/quickbooks/tax-codes' : null);
  return {
    items: items.loaded,
    terms: terms.loaded,
    classes: classes.loaded,
    taxCodes: taxCodes.loaded,
    reload: () => {
      items.reload();
      terms.reload();
      classes.reload();
      taxCodes.reload();
    },
  };
}

export interface PickerOption {
  label: string;
  value: string;
}

/**
 * A picker's options: "none" first (its words say what none means), then what QuickBooks lists. A stored id that the
 * list lacks (deleted, inactive, or the list could not be read) stays on offer under its id, so opening the page never
 * silently changes a setting. While the list is still being read, that id is not called missing: the list may name it.
 */
export function pickerOptions(noneLabel: string, listed: PickerOption[], current: string | null, list: Loaded<unknown>['state'] = 'ready'): PickerOption[] {
  const options = [{ label: noneLabel, value: '' }, ...listed];
  if (current && !listed.some((o) => o.value === current)) {
    options.push({ label: list === 'loading' ? `QuickBooks id ${current} (reading its name from QuickBooks…)` : `QuickBooks id ${current} (not in the list)`, value: current });
  }
  return options;
}
