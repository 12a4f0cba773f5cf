import React from 'react';
import { Alert, Flex, Text } from '@hubspot/ui-extensions';
import type { AllowedAction, Problem } from '../shared/types';
import { ConnectQuickBooks } from './ConnectionSection';

/**
 * Every problem as an Alert with DealBooks' own words (they say what is wrong and how to fix it), and a button where
 * DealBooks can do the fix itself and the person is allowed to: connect or reconnect QuickBooks; choosing the customer
 * is pointed to the card's customer section, which lists the candidates. The rest, a missing customer among them, are
 * fixed in QuickBooks, HubSpot or DealBooks settings, as the message says: DealBooks offers choosing a customer only
 * when it has candidates to confirm, and creating one here would override finance's "Create customers" setting.
 */
export function ProblemList(props: { problems: Problem[]; allowed: AllowedAction[]; title?: string }) {
  const { problems, allowed } = props;
  return (
    <>
      {problems.map((p, i) => (
        <Alert key={`${p.code}-${i}`} title={props.title ?? problemTitle(p.code)} variant={waitsForRetry(p.code) ? 'warning' : 'danger'}>
          <Flex direction="column" gap="xs">
            <Text>{p.message}</Text>
            {fix(p, allowed)}
          </Flex>
        </Alert>
      ))}
    </>
  );
}

function fix(p: Problem, allowed: AllowedAction[]) {
  if (p.code === 'quickbooks_not_connected' && allowed.includes('connect_quickbooks')) return <ConnectQuickBooks label="Connect QuickBooks" />;
  if (p.code === 'quickbooks_needs_reconnect' && allowed.includes('reconnect_quickbooks')) return <ConnectQuickBooks label="Reconnect QuickBooks" />;
  if (p.code === 'customer_needs_confirmation' && allowed.includes('confirm_customer')) return <Text variant="microcopy">Choose one of the customers listed on the card.</Text>;
  return null;
}

export function waitsForRetry(code: string): boolean {
  return code === 'quickbooks_unavailable' || code === 'hubspot_unavailable' || code === 'temporarily_failed';
}

function problemTitle(code: string): string {
  switch (code) {
    case 'quickbooks_not_connected':
      return 'QuickBooks is not connected';
    case 'quickbooks_needs_reconnect':
      return 'QuickBooks needs to be reconnected';
    case 'customer_needs_confirmation':
      return 'Choose the customer';
    case 'customer_missing':
      return 'No customer to bill';
    case 'unmapped_product':
      return 'A product has no QuickBooks item';
    case 'closed_period':
      return 'The books are closed for that date';
    case 'quickbooks_unavailable':
    case 'hubspot_unavailable':
    case 'temporarily_failed':
      return 'Waiting to try again';
    default:
      return 'Needs attention';
  }
}
