/**
 * The QuickBooks objects finance's settings name by id (the default item, the terms, the class, the tax codes) and
 * whether QuickBooks can still use them. QBO never deletes a list object: "delete" in QuickBooks makes it inactive,
 * (Active=false), and an inactive item, term, class or tax code can no longer go on a new invoice.
 * An id that QuickBooks never had, or one made inactive later, must be said in words, not silently dropped (an
 * invoice without its terms, a line asking for a default item that is set). Pure: the caller reads QuickBooks.
 */

export type ReferenceKind = 'item' | 'term' | 'class' | 'taxCode';
export type ReferenceField = 'defaultItemId' | 'termId' | 'classId' | 'taxCodes.taxable' | 'taxCodes.nonTaxable';

export interface SettingReference {
  field: ReferenceField;
  kind: ReferenceKind;
  id: string;
}

/** What QuickBooks holds under an id: nothing (null), or its name, whether it is active and can go on a sales line. */
export type ReferenceFound = { name: string; active: boolean; sellable: boolean } | null;

export interface UnusableReference extends SettingReference {
  reason: 'missing' | 'inactive' | 'not_sellable';
  /** Says what is wrong and what to do, naming the setting. */
  message: string;
}

interface ReferencingSettings {
  defaultItemId: string | null;
  termId: string | null;
  classId: string | null;
  taxCodes: { taxable: string | null; nonTaxable: string | null };
}

const KIND_WORD: Record<ReferenceKind, string> = { item: 'product or service', term: 'term', class: 'class', taxCode: 'tax code' };

const FIELD_WORDS: Record<ReferenceField, string> = {
  defaultItemId: 'the default item (defaultItemId)',
  termId: 'the payment terms (termId)',
  classId: 'the class (classId)',
  'taxCodes.taxable': 'the tax code of taxable lines (taxCodes.taxable)',
  'taxCodes.nonTaxable': 'the tax code of non-taxable lines (taxCodes.nonTaxable)',
};

/** The ids the settings name, in the settings' order; null ones name nothing. */
export function settingReferences(settings: ReferencingSettings): SettingReference[] {
  const all: Array<SettingReference | null> = [
    settings.termId ? { field: 'termId', kind: 'term', id: settings.termId } : null,
    settings.defaultItemId ? { field: 'defaultItemId', kind: 'item', id: settings.defaultItemId } : null,
    settings.taxCodes.taxable ? { field: 'taxCodes.taxable', kind: 'taxCode', id: settings.taxCodes.taxable } : null,
    settings.taxCodes.nonTaxable ? { field: 'taxCodes.nonTaxable', kind: 'taxCode', id: settings.taxCodes.nonTaxable } : null,
    settings.classId ? { field: 'classId', kind: 'class', id: settings.classId } : null,
  ];
  return all.filter((r): r is SettingReference => r !== null);
}

/** The message for one unusable reference: what QuickBooks says about the id, then what to do. */
export function unusableMessage(ref: SettingReference, reason: UnusableReference['reason'], name: string | null): string {
  const what = KIND_WORD[ref.kind];
  const named = name ? `“${name}” (id ${ref.id})` : `id ${ref.id}`;
  const setting = FIELD_WORDS[ref.field];
  switch (reason) {
    case 'missing':
      return `QuickBooks has no ${what} with id ${ref.id}, which DealBooks settings name for ${setting}. Choose another ${what} in DealBooks settings.`;
    case 'inactive':
      return `The QuickBooks ${what} ${named}, which DealBooks settings name for ${setting}, is inactive (deleted in QuickBooks). Choose another ${what} in DealBooks settings, or make it active again in QuickBooks.`;
    case 'not_sellable':
      return `The QuickBooks ${what} ${named}, which DealBooks settings name for ${setting}, is a category and cannot go on an invoice line. Choose a product or service in DealBooks settings.`;
  }
}

/** The references QuickBooks cannot use, each with its reason and words; `found` answers what QuickBooks holds. */
export function unusableReferences(refs: readonly SettingReference[], found: (ref: SettingReference) => ReferenceFound): UnusableReference[] {
  const unusable: UnusableReference[] = [];
  for (const ref of refs) {
    const object = found(ref);
    const reason = object === null ? 'missing' : !object.active ? 'inactive' : !object.sellable ? 'not_sellable' : null;
    if (reason) unusable.push({ ...ref, reason, message: unusableMessage(ref, reason, object?.name ?? null) });
  }
  return unusable;
}

/**
 * Which unusable references stop this document: the terms on an invoice, the class (it goes on every line), a tax
 * code some line would carry, the default item when some line falls back to it. Others only show in the settings.
 */
export function referencesThatBlock(
  unusable: readonly UnusableReference[],
  use: { kind: 'invoice' | 'estimate'; needsDefaultItem: boolean; taxableLines: boolean; nonTaxableLines: boolean },
): UnusableReference[] {
  return unusable.filter((ref) => {
    switch (ref.field) {
      case 'termId':
        return use.kind === 'invoice';
      case 'classId':
        return true;
      case 'defaultItemId':
        return use.needsDefaultItem;
      case 'taxCodes.taxable':
        return use.taxableLines;
      case 'taxCodes.nonTaxable':
        return use.nonTaxableLines;
    }
  });
}
