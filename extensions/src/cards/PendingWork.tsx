import React from 'react';
import { Alert, LoadingSpinner } from '@hubspot/ui-extensions';
import type { PendingWork } from '../shared/types';
import { formatTime } from '../shared/time';
import { workLabel } from './format';

/**
 * Work under way: a spinner while it runs; while it waits out an outage, what it waits for and when the next try
 * is, in the HubSpot account's time zone (named, since the account and the user may be in different places).
 */
export function PendingWorkSection({ pending, timeZone, locale }: { pending: PendingWork[]; timeZone: string | undefined; locale: string | undefined }) {
  return (
    <>
      {pending.map((work) =>
        work.waitingFor ? (
          <Alert key={work.actionId} title={`${workLabel(work.kind)}: waiting`} variant="warning">
            {work.nextAttemptAt ? `${work.waitingFor} Next try at ${formatTime(work.nextAttemptAt, timeZone, locale)}.` : work.waitingFor}
          </Alert>
        ) : (
          <LoadingSpinner key={work.actionId} label={`${workLabel(work.kind)}…`} showLabel />
        ),
      )}
    </>
  );
}
