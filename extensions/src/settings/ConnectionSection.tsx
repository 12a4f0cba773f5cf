import React, { useState } from 'react';
import { Alert, Button, ButtonRow, DescriptionList, DescriptionListItem, Flex, Heading, LoadingButton, StatusTag, Text } from '@hubspot/ui-extensions';
import { callDealBooks } from '../shared/api';
import { asDealBooksError, type Loaded } from './load';
import { LoadFailed, Loading, ReadOnlyNote } from './parts';
import type { ConnectUrl, DisconnectAnswer, QuickbooksStatus, TestAnswer } from './types';

const STATUS_WORDS: Record<QuickbooksStatus['status'], { label: string; variant: 'success' | 'warning' | 'danger' | 'default' }> = {
  connected: { label: 'Connected', variant: 'success' },
  needs_reconnect: { label: 'Needs reconnecting', variant: 'danger' },
  disconnected: { label: 'Disconnected', variant: 'warning' },
  not_connected: { label: 'Not connected', variant: 'default' },
};

type Busy = null | 'connect' | 'test' | 'disconnect' | 'check';
type Note = { variant: 'success' | 'error' | 'info'; title: string; text: string } | null;

/**
 * The QuickBooks connection: which company, its state, and the actions on it. Intuit's sign-in page refuses to be
 * shown inside another site's frame, so `openIframeModal` cannot host it, and an extension has no `window.open`: the
 * connect URL is offered as a Button whose `href` is external, which HubSpot opens in a new browser tab. DealBooks
 * finishes the connection on its own callback; back on this page, "Refresh status" reads the result.
 */
export function ConnectionSection({
  status: loaded,
  reload,
  isAdmin,
  admins,
}: {
  status: Loaded<QuickbooksStatus>;
  reload: () => void;
  isAdmin: boolean;
  admins: string[];
}) {
  const [busy, setBusy] = useState<Busy>(null);
  const [note, setNote] = useState<Note>(null);
  const [connectUrl, setConnectUrl] = useState<string | null>(null);
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);

  async function run<T>(which: Exclude<Busy, null>, path: string, done: (body: T) => void) {
    setBusy(which);
    setNote(null);
    try {
      done((await callDealBooks<T>(path, { method: 'POST', body: {} })).body);
    } catch (err) {
      setNote({ variant: 'error', title: 'That did not work', text: asDealBooksError(err).message });
    } finally {
      setBusy(null);
    }
  }

  const connect = () =>
    run<ConnectUrl>('connect', '/api/quickbooks/connect-url', (body) => {
      setConnectUrl(body.url);
    });
  const test = () =>
    run<TestAnswer>('test', '/api/quickbooks/test', (body) =>
      setNote({ variant: 'success', title: 'Connection works', text: `QuickBooks answered for ${body.company.name ?? `company ${body.company.realmId}`}.` }),
    );
  const disconnect = () =>
    run<DisconnectAnswer>('disconnect', '/api/quickbooks/disconnect', (body) => {
      setConfirmDisconnect(false);
      setNote({ variant: 'info', title: 'Disconnected', text: body.message });
      reload();
    });
  const checkChanges = () =>
    run<unknown>('check', '/api/quickbooks/check-changes', () =>
      setNote({ variant: 'info', title: 'Checking QuickBooks', text: 'DealBooks is looking for changes made in QuickBooks and will update the deals it finds in a few minutes.' }),
    );

  let body: React.ReactNode;
  if (loaded.state === 'loading') body = <Loading what="the QuickBooks connection" />;
  else if (loaded.state === 'error') body = <LoadFailed what="The QuickBooks connection" error={loaded.error} onRetry={reload} />;
  else {
    const s = loaded.data;
    const words = STATUS_WORDS[s.status];
    const connected = s.status === 'connected';
    body = (
      <Flex direction="column" gap="sm">
        <DescriptionList direction="row">
          <DescriptionListItem label="Company">
            <Text>{s.company?.name ?? (s.company ? `Company ${s.company.realmId}` : 'None')}</Text>
          </DescriptionListItem>
          <DescriptionListItem label="Status">
            <StatusTag variant={words.variant}>{words.label}</StatusTag>
          </DescriptionListItem>
          {s.connectedBy ? (
            <DescriptionListItem label="Connected by">
              <Text>{s.connectedBy}</Text>
            </DescriptionListItem>
          ) : null}
        </DescriptionList>
        {s.problem ? <Text>{s.problem}</Text> : null}
        <ButtonRow>
          {isAdmin ? (
            <LoadingButton variant={connected && !s.action ? 'secondary' : 'primary'} loading={busy === 'connect'} disabled={busy !== null} onClick={() => connect()}>
              {s.action?.label ?? (connected ? 'Reconnect QuickBooks' : 'Connect QuickBooks')}
            </LoadingButton>
          ) : null}
          {connected ? (
            <LoadingButton variant="secondary" loading={busy === 'test'} disabled={busy !== null} onClick={() => test()}>
              Test connection
            </LoadingButton>
          ) : null}
          {connected && isAdmin ? (
            <LoadingButton variant="secondary" loading={busy === 'check'} disabled={busy !== null} onClick={() => checkChanges()}>
              Check for changes now
            </LoadingButton>
          ) : null}
          {connected && isAdmin && !confirmDisconnect ? (
            <Button variant="destructive" disabled={busy !== null} onClick={() => setConfirmDisconnect(true)}>
              Disconnect
            </Button>
          ) : null}
        </ButtonRow>
        {confirmDisconnect ? (
          <Alert title="Disconnect QuickBooks?" variant="warning">
            <Text>
              DealBooks will forget its QuickBooks access for {s.company?.name ?? 'this company'} and stop creating invoices and reading payments until
              someone connects again.
            </Text>
            <ButtonRow>
              <LoadingButton variant="destructive" loading={busy === 'disconnect'} onClick={() => disconnect()}>
                Yes, disconnect
              </LoadingButton>
              <Button variant="secondary" onClick={() => setConfirmDisconnect(false)}>
                Cancel
              </Button>
            </ButtonRow>
          </Alert>
        ) : null}
        {connectUrl ? (
          <Alert title="Sign in to QuickBooks" variant="info">
            <Text>
              QuickBooks opens in a new browser tab. Choose the company there, then come back and refresh the status. The link works for a short
              while; if it has expired, press Connect again.
            </Text>
            <ButtonRow>
              <Button variant="primary" href={{ url: connectUrl, external: true }}>
                Open QuickBooks sign-in
              </Button>
              <Button
                variant="secondary"
                onClick={() => {
                  setConnectUrl(null);
                  reload();
                }}
              >
                Refresh status
              </Button>
            </ButtonRow>
          </Alert>
        ) : null}
        {!isAdmin ? <ReadOnlyNote admins={admins} /> : null}
      </Flex>
    );
  }

  return (
    <Flex direction="column" gap="sm">
      <Heading>QuickBooks connection</Heading>
      {body}
      {note ? (
        <Alert title={note.title} variant={note.variant}>
          {note.text}
        </Alert>
      ) : null}
    </Flex>
  );
}
