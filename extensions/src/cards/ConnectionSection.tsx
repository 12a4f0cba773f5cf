import React, { useState } from 'react';
import { Alert, Button, Flex, Link, Text } from '@hubspot/ui-extensions';
import { callDealBooks, DealBooksError, UNREACHABLE } from '../shared/api';
import type { AllowedAction, ConnectUrl, DealSummary } from '../shared/types';

/**
 * Connecting QuickBooks from the card. The press asks DealBooks for a connect URL (it is made for this user and
 * expires, so it is fetched at the press, not at every render), then offers it as an external Link: Intuit's sign-in
 * and consent pages are a top-level page of their own (an OAuth consent page must not run framed inside another
 * site), so `openIframeModal` is not used; the Link opens a new tab and the card refreshes when the person comes back.
 */
export function ConnectQuickBooks({ label }: { label: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const ask = async () => {
    setAsking(true);
    setError(null);
    try {
      const { body } = await callDealBooks<ConnectUrl>('/api/quickbooks/connect-url', { method: 'POST', body: {} });
      setUrl(body.url);
    } catch (err) {
      setError(err instanceof DealBooksError ? err.message : UNREACHABLE);
    } finally {
      setAsking(false);
    }
  };
  if (url) {
    return (
      <Flex direction="column" gap="xs">
        <Link href={{ url, external: true }}>Open QuickBooks to connect</Link>
        <Text variant="microcopy">Sign in to QuickBooks in the new tab and choose the company; then come back to this deal.</Text>
      </Flex>
    );
  }
  return (
    <Flex direction="column" gap="xs">
      <Button variant="primary" onClick={() => void ask()} disabled={asking}>
        {label}
      </Button>
      {error ? (
        <Alert title="QuickBooks could not be connected" variant="danger">
          {error}
        </Alert>
      ) : null}
    </Flex>
  );
}

/** The connection, when it is not usable: what is wrong and, for those allowed to, the way out. */
export function ConnectionSection({ connection, allowed }: { connection: DealSummary['connection']; allowed: AllowedAction[] }) {
  if (connection.state === 'connected') return null;
  if (connection.state === 'needs_reconnect') {
    return (
      <Alert title="QuickBooks needs to be reconnected" variant="warning">
        <Flex direction="column" gap="xs">
          <Text>
            {connection.companyName ? `DealBooks can no longer reach ${connection.companyName} in QuickBooks. ` : ''}
            {connection.message ?? 'Reconnect it in DealBooks settings.'}
          </Text>
          {allowed.includes('reconnect_quickbooks') ? <ConnectQuickBooks label="Reconnect QuickBooks" /> : <Text variant="microcopy">Ask a DealBooks admin to reconnect it.</Text>}
        </Flex>
      </Alert>
    );
  }
  return (
    <Flex direction="column" gap="sm">
      <Text>{connection.message ?? 'QuickBooks is not connected.'}</Text>
      {allowed.includes('connect_quickbooks') ? <ConnectQuickBooks label="Connect QuickBooks" /> : <Text variant="microcopy">Ask a DealBooks admin to connect it.</Text>}
    </Flex>
  );
}
