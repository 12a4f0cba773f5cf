import React from 'react';
import { Alert, Button, DescriptionList, DescriptionListItem, Flex, Heading, Link, Text, Tile } from '@hubspot/ui-extensions';
import type { AllowedAction, Candidate, DealSummary } from '../shared/types';
import { matchMethod, percent } from './format';

export type CustomerChoice = { customerId: string } | { create: true };

const REASON: Record<Candidate['reason'], string> = {
  email: 'same email',
  name: 'same name',
  fuzzy: 'similar name',
  inactive: 'inactive in QuickBooks; choosing it makes it active again',
};

/** Who the deal is billed to, how DealBooks knows, and how sure it is; or the question, when it is not sure. */
export function CustomerSection(props: { customer: DealSummary['customer']; allowed: AllowedAction[]; busy: boolean; onChoose: (choice: CustomerChoice) => void }) {
  const { customer, allowed, busy, onChoose } = props;
  if (customer.state === 'none') return null;
  if (customer.state === 'linked') {
    const how = matchMethod(customer.method);
    const sure = customer.confidence === null ? '' : `, ${percent(customer.confidence)} sure`;
    const merge = customer.partyMerge;
    return (
      <Flex direction="column" gap="sm">
        <DescriptionList direction="row">
          <DescriptionListItem label="QuickBooks customer">
            <Flex direction="column" gap="flush">
              {customer.url ? <Link href={{ url: customer.url, external: true }}>{customer.displayName}</Link> : <Text>{customer.displayName}</Text>}
              <Text variant="microcopy">{`${how.charAt(0).toUpperCase()}${how.slice(1)}${sure}`}</Text>
            </Flex>
          </DescriptionListItem>
        </DescriptionList>
        {merge ? (
          <Alert title="Merged in HubSpot" variant="info">
            <Flex direction="column" gap="sm">
              <Text>{merge.message}</Text>
              {allowed.includes('confirm_customer') ? (
                <Button size="sm" disabled={busy} onClick={() => onChoose({ customerId: merge.other.id })}>
                  {`Bill to ${merge.other.displayName} instead`}
                </Button>
              ) : null}
            </Flex>
          </Alert>
        ) : null}
      </Flex>
    );
  }
  const mayChoose = allowed.includes('confirm_customer');
  return (
    <Tile>
      <Flex direction="column" gap="sm">
        <Heading>Which QuickBooks customer is this deal billed to?</Heading>
        <Text>DealBooks found more than one possible customer and is not sure enough to choose.</Text>
        {customer.candidates.map((c) => (
          <Flex key={c.id} direction="row" justify="between" align="center" gap="sm">
            <Flex direction="column" gap="flush">
              <Text format={{ fontWeight: 'demibold' }}>{c.displayName}</Text>
              <Text variant="microcopy">{`${percent(c.score)} match, ${REASON[c.reason]}${c.email ? ` (${c.email})` : ''}`}</Text>
            </Flex>
            {mayChoose ? (
              <Button size="sm" disabled={busy} onClick={() => onChoose({ customerId: c.id })}>
                Use this customer
              </Button>
            ) : null}
          </Flex>
        ))}
        {mayChoose ? (
          <Button disabled={busy} onClick={() => onChoose({ create: true })}>
            Create a new customer
          </Button>
        ) : (
          <Text variant="microcopy">Someone allowed to create invoices can choose the customer.</Text>
        )}
      </Flex>
    </Tile>
  );
}
