import React, { useState } from 'react';
import { Alert, Button, Flex, Heading, Input, LoadingButton, MultiSelect, NumberInput, Select, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { callDealBooks } from '../shared/api';
import { asDealBooksError, fieldMessages, type Loaded } from './load';
import { ReadOnlyNote } from './parts';
import { pickerOptions, type PickerOption, type QboLists } from './qbo-lists';
import type { Settings, SettingsView } from './types';

/**
 * Every quote-to-cash setting, saved whole with the version it was read at (PUT /api/settings): a save made on an
 * older read is refused by DealBooks rather than overwriting someone else's change. A refused save shows each
 * message beside its field.
 */
export function QuoteToCashSettings({
  view,
  lists,
  connected,
  onReload,
}: {
  view: SettingsView;
  lists: QboLists;
  connected: boolean;
  onReload: () => void;
}) {
  const readOnly = !view.access.isAdmin;
  const [draft, setDraft] = useState<Settings>(view.settings);
  // The version this form last read or saved: the next save is refused if someone else saved in between.
  const [version, setVersion] = useState(view.version);
  const [thresholdsText, setThresholdsText] = useState(view.settings.overdueTasks.thresholds.join(', '));
  const [creatorsText, setCreatorsText] = useState(Array.isArray(view.settings.creators) ? view.settings.creators.join(', ') : '');
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>(() => Object.fromEntries((view.unusableReferences ?? []).map((u) => [u.field, u.message])));
  const [outcome, setOutcome] = useState<{ variant: 'success' | 'error'; title: string; text: string; conflict: boolean } | null>(null);

  const set = (patch: Partial<Settings>) => setDraft((d) => ({ ...d, ...patch }));
  /** The messages for a field and anything under it (`overdueTasks.thresholds.1` belongs to the thresholds). */
  const messageFor = (path: string): string | undefined => {
    const found = Object.entries(errors).filter(([key]) => key === path || key.startsWith(`${path}.`)).map(([, m]) => m);
    return found.length > 0 ? found.join(' ') : undefined;
  };
  const fieldProps = (path: string) => {
    const message = messageFor(path);
    return { error: message !== undefined, validationMessage: message, readOnly };
  };

  async function save() {
    const thresholds = parseWholeNumbers(thresholdsText);
    const creators = draft.creators === 'everyone' ? 'everyone' : splitList(creatorsText);
    if (thresholds === null) {
      setErrors({ 'overdueTasks.thresholds': 'Write whole numbers of days separated by commas, e.g. 1, 15, 30.' });
      setOutcome({ variant: 'error', title: 'Not saved', text: 'Fix the marked settings and save again.', conflict: false });
      return;
    }
    const settings: Settings = { ...draft, creators, overdueTasks: { ...draft.overdueTasks, thresholds } };
    setSaving(true);
    setOutcome(null);
    try {
      const saved = (await callDealBooks<{ settings: Settings; version: number }>('/api/settings', { method: 'PUT', body: { settings, version } })).body;
      setErrors({});
      setDraft(saved.settings);
      setThresholdsText(saved.settings.overdueTasks.thresholds.join(', '));
      setOutcome({ variant: 'success', title: 'Settings saved', text: 'The next documents DealBooks creates use these settings.', conflict: false });
      setVersion(saved.version);
    } catch (err) {
      const error = asDealBooksError(err);
      setErrors(fieldMessages(error));
      const conflict = error.status === 409 && (error.details as { reason?: string } | undefined)?.reason === 'version_conflict';
      setOutcome({ variant: 'error', title: 'Not saved', text: error.message, conflict });
    } finally {
      setSaving(false);
    }
  }

  const items = listOptions(lists.items, (l) => l.items.filter((i) => i.active).map((i) => ({ label: i.sku ? `${i.name} (${i.sku})` : i.name, value: i.id })));
  const terms = listOptions(lists.terms, (l) => l.terms.map((t) => ({ label: t.name, value: t.id })));
  const classes = listOptions(lists.classes, (l) => l.classes.map((c) => ({ label: c.fullyQualifiedName || c.name, value: c.id })));
  const taxCodes = listOptions(lists.taxCodes, (l) => l.taxCodes.map((t) => ({ label: t.name, value: t.id })));
  const listProblem = [lists.items, lists.terms, lists.classes, lists.taxCodes].find((l) => l.state === 'error');
  const classesNote = lists.classes.state === 'ready' ? lists.classes.data.message : undefined;

  return (
    <Flex direction="column" gap="sm">
      <Heading>Quote to cash</Heading>
      {readOnly ? <ReadOnlyNote admins={view.access.admins} /> : null}
      {!connected ? <Text variant="microcopy">Connect QuickBooks to choose its terms, items, tax codes and classes.</Text> : null}
      {connected && listProblem && listProblem.state === 'error' ? (
        <Alert title="QuickBooks lists could not be loaded" variant="warning">
          <Text>{listProblem.error.message}</Text>
          <Button size="sm" onClick={() => lists.reload()}>
            Try again
          </Button>
        </Alert>
      ) : null}

      <Toggle label="Create the document when a deal reaches a trigger stage" name="autoInvoice" checked={draft.autoInvoice} readOnly={readOnly} onChange={(v) => set({ autoInvoice: v })} />
      <FieldNote message={messageFor('autoInvoice')} />
      <TriggerStages view={view} draft={draft} readOnly={readOnly} messageFor={messageFor} onChange={(triggerStages) => set({ triggerStages })} />
      <Select
        label="Document to create"
        name="documentKind"
        {...fieldProps('documentKind')}
        value={draft.documentKind}
        options={[
          { label: 'Invoice', value: 'invoice' },
          { label: 'Estimate', value: 'estimate' },
        ]}
        onChange={(v) => set({ documentKind: v as Settings['documentKind'] })}
      />
      <Select
        label="Delivery"
        name="delivery"
        {...fieldProps('delivery')}
        value={draft.delivery}
        options={[
          { label: 'Wait in QuickBooks for someone to send it', value: 'review' },
          { label: 'QuickBooks emails it at once', value: 'send' },
        ]}
        onChange={(v) => set({ delivery: v as Settings['delivery'] })}
      />
      <Select
        label="Payment terms"
        name="termId"
        {...fieldProps('termId')}
        value={draft.termId ?? ''}
        options={pickerOptions("The customer's terms, else the company's default", terms, draft.termId, lists.terms.state)}
        onChange={(v) => set({ termId: v === '' ? null : String(v) })}
      />
      <Select
        label="Invoice date"
        name="txnDate"
        {...fieldProps('txnDate')}
        value={draft.txnDate}
        options={[
          { label: "The deal's close date", value: 'close_date' },
          { label: 'The day it is created', value: 'today' },
        ]}
        onChange={(v) => set({ txnDate: v as Settings['txnDate'] })}
      />
      <Select
        label="Item for products without a mapping"
        name="defaultItemId"
        {...fieldProps('defaultItemId')}
        value={draft.defaultItemId ?? ''}
        options={pickerOptions('None: stop and ask to map the product', items, draft.defaultItemId, lists.items.state)}
        onChange={(v) => set({ defaultItemId: v === '' ? null : String(v) })}
      />
      <Select
        label="Tax code for taxable lines"
        name="taxCodes.taxable"
        {...fieldProps('taxCodes.taxable')}
        value={draft.taxCodes.taxable ?? ''}
        options={pickerOptions('Let QuickBooks decide', taxCodes, draft.taxCodes.taxable, lists.taxCodes.state)}
        onChange={(v) => set({ taxCodes: { ...draft.taxCodes, taxable: v === '' ? null : String(v) } })}
      />
      <Select
        label="Tax code for non-taxable lines"
        name="taxCodes.nonTaxable"
        {...fieldProps('taxCodes.nonTaxable')}
        value={draft.taxCodes.nonTaxable ?? ''}
        options={pickerOptions('Let QuickBooks decide', taxCodes, draft.taxCodes.nonTaxable, lists.taxCodes.state)}
        onChange={(v) => set({ taxCodes: { ...draft.taxCodes, nonTaxable: v === '' ? null : String(v) } })}
      />
      <Select
        label="Class"
        name="classId"
        {...fieldProps('classId')}
        description={classesNote}
        value={draft.classId ?? ''}
        options={pickerOptions('No class', classes, draft.classId, lists.classes.state)}
        onChange={(v) => set({ classId: v === '' ? null : String(v) })}
      />
      <TextArea
        label="Message on the invoice"
        name="memoTemplate"
        description="Placeholders: {{dealName}}, {{dealId}}, {{closeDate}}, {{companyName}}, {{contactName}}"
        {...fieldProps('memoTemplate')}
        value={draft.memoTemplate}
        onChange={(v) => set({ memoTemplate: v })}
      />
      <Toggle
        label="Create the QuickBooks customer when none matches"
        name="customers.createWhenNoMatch"
        checked={draft.customers.createWhenNoMatch}
        readOnly={readOnly}
        onChange={(v) => set({ customers: { ...draft.customers, createWhenNoMatch: v } })}
      />
      <FieldNote message={messageFor('customers.createWhenNoMatch')} />
      <NumberInput
        label="Smallest name-match score to propose a customer"
        name="customers.matchThreshold"
        description="From 0.5 to 1; matches below it are ignored."
        {...fieldProps('customers.matchThreshold')}
        value={draft.customers.matchThreshold}
        precision={2}
        onChange={(v) => set({ customers: { ...draft.customers, matchThreshold: v } })}
      />
      <Toggle
        label="One QuickBooks project (sub-customer) per deal"
        name="customers.projectPerDeal"
        checked={draft.customers.projectPerDeal}
        readOnly={readOnly}
        onChange={(v) => set({ customers: { ...draft.customers, projectPerDeal: v } })}
      />
      <FieldNote message={messageFor('customers.projectPerDeal')} />
      <Select
        label="Email the invoice to"
        name="billEmail"
        {...fieldProps('billEmail')}
        value={draft.billEmail}
        options={[
          { label: "The QuickBooks customer's address", value: 'quickbooks-customer' },
          { label: "The deal's HubSpot contact", value: 'hubspot-contact' },
        ]}
        onChange={(v) => set({ billEmail: v as Settings['billEmail'] })}
      />
      <Select
        label="When an inactive QuickBooks customer holds the name"
        name="inactiveCustomer"
        {...fieldProps('inactiveCustomer')}
        value={draft.inactiveCustomer}
        options={[
          { label: 'Ask on the deal card', value: 'ask' },
          { label: 'Reactivate it', value: 'reactivate' },
          { label: 'Create a new customer', value: 'create-new' },
        ]}
        onChange={(v) => set({ inactiveCustomer: v as Settings['inactiveCustomer'] })}
      />
      <Toggle
        label="Turn estimates accepted in QuickBooks into invoices"
        name="convertAcceptedEstimates"
        checked={draft.convertAcceptedEstimates}
        readOnly={readOnly}
        onChange={(v) => set({ convertAcceptedEstimates: v })}
      />
      <FieldNote message={messageFor('convertAcceptedEstimates')} />
      <Select
        label="Who may create invoices and estimates from the deal card"
        name="creators"
        {...fieldProps('creators')}
        value={draft.creators === 'everyone' ? 'everyone' : 'listed'}
        options={[
          { label: 'Everyone', value: 'everyone' },
          { label: 'Only the users listed', value: 'listed' },
        ]}
        onChange={(v) => set({ creators: v === 'everyone' ? 'everyone' : splitList(creatorsText) })}
      />
      {draft.creators !== 'everyone' ? (
        <Input label="HubSpot user ids, separated by commas" name="creatorsList" readOnly={readOnly} value={creatorsText} onChange={(v) => setCreatorsText(v)} />
      ) : null}
      <Toggle
        label="Follow-up tasks for overdue invoices"
        name="overdueTasks.enabled"
        checked={draft.overdueTasks.enabled}
        readOnly={readOnly}
        onChange={(v) => set({ overdueTasks: { ...draft.overdueTasks, enabled: v } })}
      />
      <Input
        label="Days overdue for a task"
        name="overdueTasks.thresholds"
        description="Whole days, separated by commas, e.g. 1, 15, 30."
        {...fieldProps('overdueTasks.thresholds')}
        value={thresholdsText}
        onChange={(v) => setThresholdsText(v)}
      />

      {outcome ? (
        <Alert title={outcome.title} variant={outcome.variant}>
          <Text>{outcome.text}</Text>
          {outcome.conflict ? (
            <Button size="sm" onClick={() => onReload()}>
              Reload the settings
            </Button>
          ) : null}
        </Alert>
      ) : null}
      {readOnly ? null : (
        <LoadingButton variant="primary" loading={saving} disabled={saving} onClick={() => save()}>
          {saving ? 'Saving…' : 'Save settings'}
        </LoadingButton>
      )}
    </Flex>
  );
}

/** A message under a control that has no validationMessage of its own (a Toggle). */
function FieldNote({ message }: { message: string | undefined }) {
  return message ? <Text variant="microcopy">{message}</Text> : null;
}

/**
 * Trigger stages per pipeline, from the pipelines GET /api/settings lists. A pipeline that is not listed in the
 * setting uses its won stages; picking stages lists it; "Use the won stages" removes it again.
 */
function TriggerStages({
  view,
  draft,
  readOnly,
  messageFor,
  onChange,
}: {
  view: SettingsView;
  draft: Settings;
  readOnly: boolean;
  messageFor: (path: string) => string | undefined;
  onChange: (triggerStages: Settings['triggerStages']) => void;
}) {
  if (view.pipelines === null) {
    return (
      <Alert title="Trigger stages" variant="warning">
        HubSpot's deal pipelines could not be read just now, so the trigger stages cannot be shown. Saving keeps them as they are.
      </Alert>
    );
  }
  return (
    <>
      {view.pipelines.map((p) => {
        const chosen = draft.triggerStages[p.id];
        const won = p.stages.filter((s) => p.wonStages.includes(s.id)).map((s) => s.label);
        const message = messageFor(`triggerStages.${p.id}`);
        return (
          <Flex key={p.id} direction="column" gap="xs">
            <MultiSelect
              label={`Trigger stages: ${p.label}`}
              name={`triggerStages.${p.id}`}
              description={
                chosen === undefined
                  ? `Using the won stages (${won.join(', ') || 'none'}).`
                  : chosen.length === 0
                    ? 'No stage: auto-invoice is off for this pipeline.'
                    : `Chosen stages; the won stages are ${won.join(', ') || 'none'}.`
              }
              error={message !== undefined}
              validationMessage={message}
              readOnly={readOnly}
              value={chosen ?? p.wonStages}
              options={p.stages.map((s) => ({ label: s.label, value: s.id }))}
              onChange={(values) => onChange({ ...draft.triggerStages, [p.id]: values.map(String) })}
            />
            {!readOnly && chosen !== undefined ? (
              <Button
                variant="transparent"
                size="sm"
                onClick={() => {
                  const { [p.id]: _dropped, ...rest } = draft.triggerStages;
                  onChange(rest);
                }}
              >
                Use the won stages
              </Button>
            ) : null}
          </Flex>
        );
      })}
    </>
  );
}

function listOptions<T>(loaded: Loaded<T>, pick: (data: T) => PickerOption[]): PickerOption[] {
  return loaded.state === 'ready' ? pick(loaded.data) : [];
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** "1, 15, 30" as numbers; null when a part is not a whole number (DealBooks checks the range). */
function parseWholeNumbers(text: string): number[] | null {
  const parts = splitList(text);
  if (!parts.every((p) => /^\d+$/.test(p))) return null;
  return parts.map((p) => Number(p));
}
