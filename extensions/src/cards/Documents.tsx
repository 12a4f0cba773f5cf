import React from 'react';
import { Alert, Button, DescriptionList, DescriptionListItem, Flex, Link, StatusTag, Text, Tile } from '@hubspot/ui-extensions';
import type { AllowedAction, DocumentView, PaymentView } from '../shared/types';
import { statusTag } from './format';
import { SendInvoice } from './SendInvoice';

/** "Invoice 1042" (or its QuickBooks id when it has no number), linking into QuickBooks. */
function DocumentTitle({ doc }: { doc: DocumentView }) {
  const name = `${doc.kind === 'invoice' ? 'Invoice' : 'Estimate'} ${doc.docNumber ?? doc.id}`;
  const tag = statusTag(doc.status);
  return (
    <Flex direction="row" justify="between" align="center" gap="sm">
      <Link href={{ url: doc.url, external: true }}>{name}</Link>
      <StatusTag variant={tag.variant}>{tag.label}</StatusTag>
    </Flex>
  );
}

function paymentLine(p: PaymentView): string {
  const parts = [p.date ?? 'No date', p.amount];
  if (p.method) parts.push(p.method);
  if (p.reference) parts.push(`ref ${p.reference}`);
  if (p.credit) parts.push(`${p.credit} of it credit`);
  const state = p.state === 'active' ? '' : ` (${p.state} in QuickBooks)`;
  return `${parts.join(' · ')}${state}`;
}

/** Send is for an invoice that still asks for money (not paid, credited, voided or deleted). */
const asksForMoney = (status: string) => status === 'open' || status === 'overdue' || status === 'partially_paid';

export function InvoiceTile(props: { invoice: DocumentView; allowed: AllowedAction[]; busy: boolean; onSend: (invoiceId: string, sendTo: string) => Promise<boolean> }) {
  const { invoice, allowed, busy } = props;
  return (
    <Tile compact>
      <Flex direction="column" gap="xs">
        <DocumentTitle doc={invoice} />
        <DescriptionList direction="row">
          <DescriptionListItem label="Total">
            <Text>{invoice.total}</Text>
          </DescriptionListItem>
          <DescriptionListItem label="Balance">
            <Text>{invoice.balance ?? '—'}</Text>
          </DescriptionListItem>
          <DescriptionListItem label="Amount paid">
            <Text>{invoice.amountPaid ?? '—'}</Text>
          </DescriptionListItem>
          <DescriptionListItem label="Due date">
            <Text>{invoice.dueDate ?? 'None'}</Text>
          </DescriptionListItem>
        </DescriptionList>
        {invoice.daysOverdue !== null && invoice.daysOverdue > 0 ? (
          <Text format={{ fontWeight: 'demibold' }}>{`${invoice.daysOverdue} ${invoice.daysOverdue === 1 ? 'day' : 'days'} overdue`}</Text>
        ) : null}
        {invoice.totalMismatch ? (
          <Alert title="Changed in QuickBooks" variant="warning">
            {invoice.totalMismatch}
          </Alert>
        ) : null}
        {invoice.payments.length > 0 ? (
          <Flex direction="column" gap="flush">
            <Text format={{ fontWeight: 'demibold' }}>Payments</Text>
            {invoice.payments.map((p) => (
              <Text key={p.id} variant="microcopy">
                {paymentLine(p)}
              </Text>
            ))}
          </Flex>
        ) : null}
        {allowed.includes('send_invoice') && asksForMoney(invoice.status) ? <SendInvoice invoice={invoice} busy={busy} onSend={props.onSend} /> : null}
      </Flex>
    </Tile>
  );
}

export function EstimateTile(props: { estimate: DocumentView; allowed: AllowedAction[]; busy: boolean; onConvert: (estimateId: string) => void }) {
  const { estimate, allowed, busy } = props;
  const convertible = estimate.status === 'pending' || estimate.status === 'accepted';
  return (
    <Tile compact>
      <Flex direction="column" gap="xs">
        <DocumentTitle doc={estimate} />
        <DescriptionList direction="row">
          <DescriptionListItem label="Total">
            <Text>{estimate.total}</Text>
          </DescriptionListItem>
          <DescriptionListItem label="Date">
            <Text>{estimate.txnDate}</Text>
          </DescriptionListItem>
        </DescriptionList>
        {estimate.convertedInvoice ? <Text variant="microcopy">{`Converted to invoice ${estimate.convertedInvoice.docNumber ?? estimate.convertedInvoice.id}`}</Text> : null}
        {estimate.totalMismatch ? (
          <Alert title="Changed in QuickBooks" variant="warning">
            {estimate.totalMismatch}
          </Alert>
        ) : null}
        {allowed.includes('convert_estimate') && convertible ? (
          <Button disabled={busy} onClick={() => props.onConvert(estimate.id)}>
            Convert to invoice
          </Button>
        ) : null}
      </Flex>
    </Tile>
  );
}
