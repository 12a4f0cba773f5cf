import React, { useState } from 'react';
import { Button, Flex, Heading, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text } from '@hubspot/ui-extensions';
import { calendarDay } from '../shared/time';
import { callDealBooks, type DealBooksError } from '../shared/api';
import { asDealBooksError, formatCents } from './load';
import { LoadFailed, Loading } from './parts';
import type { DryRunDeal } from './types';

/**
 * What the last won deals (closed on the day it was in the account's time zone) would have produced under the current settings, with their problems, without writing
 * anything: read on demand, since it asks both HubSpot and QuickBooks about 20 deals.
 */
export function DryRun({ timeZone }: { timeZone: string | undefined }) {
  const [state, setState] = useState<{ state: 'idle' } | { state: 'loading' } | { state: 'error'; error: DealBooksError } | { state: 'ready'; deals: DryRunDeal[] }>({ state: 'idle' });

  async function run() {
    setState({ state: 'loading' });
    try {
      setState({ state: 'ready', deals: (await callDealBooks<{ deals: DryRunDeal[] }>('/api/dry-run', { timeout: 15_000 })).body.deals });
    } catch (err) {
      setState({ state: 'error', error: asDealBooksError(err) });
    }
  }

  let body: React.ReactNode = null;
  if (state.state === 'loading') body = <Loading what="the dry run" />;
  else if (state.state === 'error') body = <LoadFailed what="The dry run" error={state.error} onRetry={() => run()} />;
  else if (state.state === 'ready' && state.deals.length === 0) body = <Text>No won deals to try.</Text>;
  else if (state.state === 'ready')
    body = (
      <Table bordered>
        <TableHead>
          <TableRow>
            <TableHeader>Deal</TableHeader>
            <TableHeader>Closed</TableHeader>
            <TableHeader>Document</TableHeader>
            <TableHeader>Problems</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {state.deals.map((d) => {
            const doc = d.document;
            return (
              <TableRow key={d.dealId}>
                <TableCell>{d.dealName ?? `Deal ${d.dealId}`}</TableCell>
                <TableCell>{(d.closeDate && calendarDay(new Date(d.closeDate), timeZone)) || '—'}</TableCell>
                <TableCell>
                  {doc ? `${doc.kind === 'estimate' ? 'Estimate' : 'Invoice'} for ${doc.customer.displayName}, ${formatCents(doc.totalCents, doc.currency)}` : 'No document'}
                </TableCell>
                <TableCell>{d.problems.length === 0 ? 'None' : d.problems.map((p) => p.message).join(' ')}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    );

  return (
    <Flex direction="column" gap="sm">
      <Heading>Dry run</Heading>
      <Text>See the documents the last 20 won deals would produce with the settings as saved. Nothing is written to QuickBooks.</Text>
      <Button variant="secondary" disabled={state.state === 'loading'} onClick={() => run()}>
        Run the dry run
      </Button>
      {body}
    </Flex>
  );
}
