import React from 'react';
import { Alert, Button, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import type { DealBooksError } from '../shared/api';

/** A section still waiting for DealBooks. */
export function Loading({ what }: { what: string }) {
  return <LoadingSpinner label={`Loading ${what}…`} showLabel />;
}

/** A read that failed, in DealBooks' words, with the one thing a person can do about it: try again. */
export function LoadFailed({ what, error, onRetry }: { what: string; error: DealBooksError; onRetry: () => void }) {
  return (
    <Alert title={`${what} could not be loaded`} variant="error">
      <Text>{error.message}</Text>
      <Button size="sm" onClick={() => onRetry()}>
        Try again
      </Button>
    </Alert>
  );
}

/** What a person without the admin role reads where the controls would be. */
export function ReadOnlyNote({ admins }: { admins: string[] }) {
  const who = admins.length > 0 ? `DealBooks admins (${admins.join(', ')})` : 'DealBooks admins';
  return <Text variant="microcopy">Read only: only {who} can change this.</Text>;
}
