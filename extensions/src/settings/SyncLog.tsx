import React, { useState } from 'react';
import { Alert, Button, Flex, Heading, Input, Select, StatusTag, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text } from '@hubspot/ui-extensions';
import { callDealBooks } from '../shared/api';
import { asDealBooksError, useDealBooks } from './load';
import { LoadFailed, Loading } from './parts';
import type { SyncLogEntry, SyncLogPage, SyncOutcome } from './types';

const OUTCOMES: Array<{ label: string; value: SyncOutcome | '' }> = [
  { label: 'Any outcome', value: '' },
  { label: 'Succeeded', value: 'succeeded' },
  { label: 'Failed', value: 'failed' },
  { label: 'Blocked', value: 'blocked' },
  { label: 'Retrying', value: 'retrying' },
  { label: 'Skipped', value: 'skipped' },
];
const TAG: Record<SyncOutcome, 'success' | 'danger' | 'warning' | 'info' | 'default'> = {
  succeeded: 'success',
  failed: 'danger',
  blocked: 'warning',
  retrying: 'info',
  skipped: 'default',
};
const PAGE = 25;

const retryable = (e: SyncLogEntry) => (e.outcome === 'failed' || e.outcome === 'blocked') && e.dealId !== null && e.dealActionId != null;

/**
 * What DealBooks did per deal, newest first, filtered by deal and outcome. A failed or blocked step of a deal's work
 * can be retried by those who may create documents (a retry creates, sends or converts again; DealBooks refuses
 * anyone else with 403 and an entry that is not about a deal's action with 409, so neither is offered).
 */
export function SyncLog({ mayRetry }: { mayRetry: boolean }) {
  const [dealInput, setDealInput] = useState('');
  const [filter, setFilter] = useState<{ dealId: string; outcome: SyncOutcome | ''; before: number | null }>({ dealId: '', outcome: '', before: null });
  const [note, setNote] = useState<{ variant: 'success' | 'error'; text: string } | null>(null);
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (filter.dealId) query.set('dealId', filter.dealId);
  if (filter.outcome) query.set('outcome', filter.outcome);
  if (filter.before !== null) query.set('before', String(filter.before));
  const { loaded, reload } = useDealBooks<SyncLogPage>(`/api/sync-log?${query.toString()}`);

  async function retry(entry: SyncLogEntry) {
    setNote(null);
    try {
      const answer = (await callDealBooks<{ alreadyQueued: boolean }>(`/api/sync-log/${entry.id}/retry`, { method: 'POST', body: {} })).body;
      setNote({ variant: 'success', text: answer.alreadyQueued ? 'That step was already queued to run again.' : 'Queued to run again; the log shows the outcome in a moment.' });
      reload();
    } catch (err) {
      setNote({ variant: 'error', text: asDealBooksError(err).message });
    }
  }

  let body: React.ReactNode;
  if (loaded.state === 'loading') body = <Loading what="the sync log" />;
  else if (loaded.state === 'error') body = <LoadFailed what="The sync log" error={loaded.error} onRetry={reload} />;
  else if (loaded.data.entries.length === 0) body = <Text>Nothing in the sync log{filter.dealId || filter.outcome ? ' matches these filters' : ' yet'}.</Text>;
  else {
    const next = loaded.data.next;
    body = (
      <>
        <Table bordered>
          <TableHead>
            <TableRow>
              <TableHeader>When</TableHeader>
              <TableHeader>Deal</TableHeader>
              <TableHeader>Outcome</TableHeader>
              <TableHeader>What happened</TableHeader>
              {mayRetry ? <TableHeader> </TableHeader> : null}
            </TableRow>
          </TableHead>
          <TableBody>
            {loaded.data.entries.map((e) => (
              <TableRow key={e.id}>
                <TableCell>{`${e.occurredAt.slice(0, 16).replace('T', ' ')} UTC`}</TableCell>
                <TableCell>{e.dealId ?? '—'}</TableCell>
                <TableCell>
                  <StatusTag variant={TAG[e.outcome]}>{e.outcome}</StatusTag>
                </TableCell>
                <TableCell>{e.message}</TableCell>
                {mayRetry ? (
                  <TableCell>
                    {retryable(e) ? (
                      <Button size="sm" onClick={() => retry(e)}>
                        Retry
                      </Button>
                    ) : null}
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {next ? (
          <Button size="sm" variant="secondary" onClick={() => setFilter((f) => ({ ...f, before: next.before }))}>
            Older entries
          </Button>
        ) : null}
      </>
    );
  }

  return (
    <Flex direction="column" gap="sm">
      <Heading>Sync log</Heading>
      <Flex direction="row" gap="sm" align="end">
        <Input label="Deal id" name="logDealId" value={dealInput} onChange={(v) => setDealInput(v)} />
        <Select label="Outcome" name="logOutcome" value={filter.outcome} options={OUTCOMES} onChange={(v) => setFilter((f) => ({ ...f, outcome: String(v) as SyncOutcome | '', before: null }))} />
        <Button size="sm" variant="secondary" onClick={() => setFilter((f) => ({ ...f, dealId: dealInput.trim(), before: null }))}>
          Filter
        </Button>
      </Flex>
      {body}
      {note ? <Alert title={note.variant === 'success' ? 'Retry queued' : 'Retry not queued'} variant={note.variant}>{note.text}</Alert> : null}
    </Flex>
  );
}
