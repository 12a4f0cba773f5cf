import React, { useState } from 'react';
import { Alert, Button, ButtonRow, Flex, Heading, Input, Select, Text, Tile } from '@hubspot/ui-extensions';
import { callDealBooks } from '../shared/api';
import { asDealBooksError, useDealBooks } from './load';
import { LoadFailed, Loading } from './parts';
import type { CustomerReview as Review, QboCustomer } from './types';

type Decision = { accept: string } | { reject: string } | { choose: string } | { create: true };

/**
 * Deals whose QuickBooks customer waits for a person: accept a proposed customer, reject it, choose another, or create
 * one. Deciding is for those who may create documents (DealBooks' `creators` setting), as on the deal card.
 */
export function CustomerReview({ mayDecide }: { mayDecide: boolean }) {
  const { loaded, reload } = useDealBooks<{ review: Review[] }>('/api/customers/review');
  const [note, setNote] = useState<{ variant: 'success' | 'error'; text: string } | null>(null);
  const [pressed, setBusy] = useState(false);
  // While the list is read again after a decision, its rows are the old ones: a press then would act on a
  // suggestion already rejected or a deal already decided, so nothing can be pressed until the new list is in.
  const busy = pressed || (loaded.state === 'ready' && loaded.refreshing === true);

  // A decision is posted for a deal; an entry without one offers none (DealBooks has nothing to post it to).
  async function decide(dealId: string, decision: Decision, words: string) {
    setBusy(true);
    setNote(null);
    try {
      await callDealBooks(`/api/customers/review/${encodeURIComponent(dealId)}`, { method: 'POST', body: decision });
      setNote({ variant: 'success', text: words });
      reload();
    } catch (err) {
      setNote({ variant: 'error', text: asDealBooksError(err).message });
    } finally {
      setBusy(false);
    }
  }

  let body: React.ReactNode;
  if (loaded.state === 'loading') body = <Loading what="the customers to review" />;
  else if (loaded.state === 'error') body = <LoadFailed what="The customers to review" error={loaded.error} onRetry={reload} />;
  else if (loaded.data.review.length === 0) body = <Text>No customers wait for a decision.</Text>;
  else
    body = loaded.data.review.map((r) => (
      <Tile key={`${r.dealId}-${r.since}`}>
        <Flex direction="column" gap="xs">
          <Text format={{ fontWeight: 'bold' }}>
            {nameOf(r) ?? 'Unnamed company'} (deal {r.dealId ?? 'unknown'})
          </Text>
          {r.message ? <Text>{r.message}</Text> : null}
          {r.candidates.map((c) => (
            <Flex key={c.id} direction="row" gap="sm" align="center">
              <Text>
                {c.displayName}
                {c.email ? ` <${c.email}>` : ''}: score {c.score.toFixed(2)}
              </Text>
              {mayDecide && r.dealId ? (
                <ButtonRow>
                  <Button size="sm" disabled={busy} onClick={() => decide(r.dealId!, { accept: c.id }, `${c.displayName} is now the customer for ${nameOf(r) ?? 'this company'}.`)}>
                    Accept
                  </Button>
                  <Button size="sm" variant="secondary" disabled={busy} onClick={() => decide(r.dealId!, { reject: c.id }, `${c.displayName} will not be proposed again for ${nameOf(r) ?? 'this company'}.`)}>
                    Reject
                  </Button>
                </ButtonRow>
              ) : null}
            </Flex>
          ))}
          {mayDecide && r.dealId ? (
            <ChooseAnother
              busy={busy}
              onChoose={(c) => decide(r.dealId!, { choose: c.id }, `${c.displayName} is now the customer for ${nameOf(r) ?? 'this company'}.`)}
              onCreate={() => decide(r.dealId!, { create: true }, `DealBooks will create a new QuickBooks customer for ${nameOf(r) ?? 'this company'}.`)}
            />
          ) : null}
        </Flex>
      </Tile>
    ));

  return (
    <Flex direction="column" gap="sm">
      <Heading>Customers to review</Heading>
      {body}
      {note ? <Alert title={note.variant === 'success' ? 'Done' : 'That did not work'} variant={note.variant}>{note.text}</Alert> : null}
    </Flex>
  );
}

/** Search QuickBooks customers by name and pick one, or ask for a new one. */
function ChooseAnother({ busy, onChoose, onCreate }: { busy: boolean; onChoose: (c: QboCustomer) => void; onCreate: () => void }) {
  const [search, setSearch] = useState('');
  // The answer with the words it answered: the field follows typing, so it may already hold words not yet searched.
  const [result, setResult] = useState<{ term: string; customers: QboCustomer[] } | null>(null);
  const found = result?.customers ?? null;
  const [picked, setPicked] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  async function find() {
    setProblem(null);
    try {
      const term = search;
      const answer = await callDealBooks<{ customers: QboCustomer[] }>(`/api/quickbooks/customers?search=${encodeURIComponent(term)}`);
      setResult({ term, customers: answer.body.customers });
    } catch (err) {
      setProblem(asDealBooksError(err).message);
    }
  }
  const choice = found?.find((c) => c.id === picked);
  return (
    <Flex direction="column" gap="xs">
      <Flex direction="row" gap="xs" align="end">
        {/* onInput: Search is offered as soon as something is typed, not only once the field is left. */}
        <Input label="Find another QuickBooks customer" name="customerSearch" value={search} onInput={(v) => setSearch(v)} onChange={(v) => setSearch(v)} />
        <Button size="sm" variant="secondary" disabled={busy || search.trim() === ''} onClick={() => find()}>
          Search
        </Button>
        <Button size="sm" variant="secondary" disabled={busy} onClick={() => onCreate()}>
          Create a new customer
        </Button>
      </Flex>
      {problem ? <Text>{problem}</Text> : null}
      {found && found.length === 0 ? <Text>No QuickBooks customer matches “{result?.term}”.</Text> : null}
      {found && found.length > 0 ? (
        <Flex direction="row" gap="xs" align="end">
          <Select
            label="Customer"
            name="customerChoice"
            value={picked}
            options={[{ label: 'Choose a customer', value: '' }, ...found.map((c) => ({ label: customerLabel(c), value: c.id }))]}
            onChange={(v) => setPicked(String(v))}
          />
          <Button size="sm" disabled={busy || !choice} onClick={() => choice && onChoose(choice)}>
            Use this customer
          </Button>
        </Flex>
      ) : null}
    </Flex>
  );
}

/** An inactive customer may be chosen: DealBooks makes it active again, and the label says so before it happens. */
function customerLabel(c: QboCustomer): string {
  const name = c.email ? `${c.displayName} <${c.email}>` : c.displayName;
  return c.active ? name : `${name} (inactive: choosing it makes it active again)`;
}

function nameOf(r: Review): string | null {
  return typeof r.name === 'string' ? r.name : null;
}
