import React, { useState } from 'react';
import { Alert, Flex, Heading, Input, List, LoadingButton, Text } from '@hubspot/ui-extensions';
import { callDealBooks } from '../shared/api';
import { asDealBooksError } from './load';
import type { LeaveResult } from './types';

/**
 * Deleting every DealBooks record of this account, confirmed by typing the account id (DealBooks checks the same
 * confirmation): a deletion that cannot be undone should take more than one click.
 */
export function DeleteData({ portalId }: { portalId: number }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<LeaveResult | null>(null);
  const confirmed = typed.trim() === String(portalId);

  async function remove() {
    setBusy(true);
    setProblem(null);
    try {
      setDone((await callDealBooks<LeaveResult>('/api/account/delete', { method: 'POST', body: { confirm: typed.trim() } })).body);
    } catch (err) {
      setProblem(asDealBooksError(err).message);
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <Flex direction="column" gap="sm">
        <Heading>Delete my data</Heading>
        <Alert title="DealBooks data deleted" variant="success">
          <Text>DealBooks deleted this account's data and disconnected QuickBooks and HubSpot.</Text>
          {done.todo.length > 0 ? (
            <List variant="unordered">
              {done.todo.map((t) => (
                <Text key={t}>{t}</Text>
              ))}
            </List>
          ) : null}
        </Alert>
      </Flex>
    );
  }
  return (
    <Flex direction="column" gap="sm">
      <Heading>Delete my data</Heading>
      <Text>
        This deletes everything DealBooks keeps for this account (settings, links between deals and QuickBooks documents, the sync log), disconnects
        QuickBooks and uninstalls DealBooks. It cannot be undone. Invoices already in QuickBooks stay there.
      </Text>
      {/* onInput: the button follows what is typed, not only what was committed on leaving the field. */}
      <Input label={`Type the account id ${portalId} to confirm`} name="deleteConfirm" value={typed} onInput={(v) => setTyped(v)} onChange={(v) => setTyped(v)} />
      <LoadingButton variant="destructive" loading={busy} disabled={!confirmed || busy} onClick={() => remove()}>
        Delete all DealBooks data
      </LoadingButton>
      {problem ? (
        <Alert title="Deleting did not finish" variant="error">
          {problem}
        </Alert>
      ) : null}
    </Flex>
  );
}
