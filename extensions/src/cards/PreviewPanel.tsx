import React, { useState } from 'react';
import {
  Alert,
  Button,
  DescriptionList,
  DescriptionListItem,
  ErrorState,
  Flex,
  Heading,
  LoadingSpinner,
  Panel,
  PanelBody,
  PanelFooter,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { callDealBooks, DealBooksError, UNREACHABLE } from '../shared/api';
import type { AllowedAction, Preview } from '../shared/types';
import { formatCents, matchMethod, percent } from './format';
import { ProblemList } from './Problems';

export type DocumentKind = 'invoice' | 'estimate';
export const previewPanelId = (kind: DocumentKind) => `dealbooks-preview-${kind}`;

function customerLine(customer: Preview['customer']): string {
  if (!customer) return 'Not decided yet';
  switch (customer.state) {
    case 'linked':
    case 'matched':
      return `${customer.displayName} (${matchMethod(customer.method)}${customer.confidence === null ? '' : `, ${percent(customer.confidence)} sure`})`;
    case 'will_reactivate':
      return `${customer.displayName}: ${customer.message}`;
    case 'will_create':
      return `New customer “${customer.displayName}”${customer.email ? ` (${customer.email})` : ''}`;
    case 'needs_confirmation':
      return 'Not sure which customer: choose one on the card first';
    case 'missing':
      return 'No customer to bill';
  }
}

/**
 * "Create invoice" / "Create estimate": the press opens this panel, which shows exactly what DealBooks would write
 * (the preview writes nothing) and every problem; the document is created only when the person confirms here.
 */
export function PreviewPanel(props: {
  kind: DocumentKind;
  dealId: string;
  allowed: AllowedAction[];
  busy: boolean;
  onConfirm: (kind: DocumentKind) => Promise<void>;
}) {
  const { kind, dealId } = props;
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      const { body } = await callDealBooks<Preview>(`/api/deals/${dealId}/preview?kind=${kind}`);
      setPreview(body);
    } catch (err) {
      setError(err instanceof DealBooksError ? err.message : UNREACHABLE);
    } finally {
      setLoading(false);
    }
  };
  const noun = kind === 'invoice' ? 'invoice' : 'estimate';
  const doc = preview?.document ?? null;
  const blocked = !preview || !doc || preview.problems.length > 0;
  return (
    <Panel id={previewPanelId(kind)} title={`Create ${noun}: preview`} width="md" onOpen={() => void load()} onClose={() => setPreview(null)}>
      <PanelBody>
        {loading ? <LoadingSpinner label={`Preparing the ${noun} preview…`} showLabel /> : null}
        {error ? (
          <ErrorState title="The preview could not be made">
            <Text>{error}</Text>
            <Button onClick={() => void load()}>Retry</Button>
          </ErrorState>
        ) : null}
        {preview && !loading ? (
          <Flex direction="column" gap="sm">
            <ProblemList problems={preview.problems} allowed={props.allowed} />
            <DescriptionList direction="row">
              <DescriptionListItem label="Customer">
                <Text>{customerLine(preview.customer)}</Text>
              </DescriptionListItem>
              {doc ? (
                <DescriptionListItem label="Date">
                  <Text>{doc.txnDate}</Text>
                </DescriptionListItem>
              ) : null}
              {doc && kind === 'invoice' ? (
                <DescriptionListItem label="Terms">
                  <Text>{doc.terms?.name ?? 'QuickBooks default'}</Text>
                </DescriptionListItem>
              ) : null}
              {doc && kind === 'invoice' ? (
                <DescriptionListItem label="Due date">
                  <Text>{doc.dueDate ?? 'Set by QuickBooks'}</Text>
                </DescriptionListItem>
              ) : null}
            </DescriptionList>
            {preview.customer?.state === 'will_create' && preview.customer.message ? <Alert title="New customer's name" variant="info">{preview.customer.message}</Alert> : null}
            {doc ? (
              <>
                <Heading>Lines</Heading>
                <Table bordered density="compact">
                  <TableHead>
                    <TableRow>
                      <TableHeader>Item</TableHeader>
                      <TableHeader>Qty</TableHeader>
                      <TableHeader>Price</TableHeader>
                      <TableHeader>Amount</TableHeader>
                      <TableHeader>Tax code</TableHeader>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {doc.lines.map((line) => (
                      <TableRow key={line.lineItemId}>
                        <TableCell>{`${line.itemName}: ${line.description}${line.usesDefaultItem ? ' (default item)' : ''}`}</TableCell>
                        <TableCell>{line.quantity}</TableCell>
                        <TableCell>{line.unitPrice}</TableCell>
                        <TableCell>{`${formatCents(line.amountCents, doc.currency)}${line.discountCents > 0 ? ` (after ${formatCents(line.discountCents, doc.currency)} off)` : ''}`}</TableCell>
                        <TableCell>{line.taxCode ?? 'QuickBooks decides'}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
                <DescriptionList direction="row">
                  <DescriptionListItem label="Subtotal">
                    <Text>{formatCents(doc.subtotalCents, doc.currency)}</Text>
                  </DescriptionListItem>
                  {doc.discountCents > 0 ? (
                    <DescriptionListItem label="Discount">
                      <Text>{formatCents(doc.discountCents, doc.currency)}</Text>
                    </DescriptionListItem>
                  ) : null}
                  <DescriptionListItem label="Total before tax">
                    <Text>{formatCents(doc.totalCents, doc.currency)}</Text>
                  </DescriptionListItem>
                </DescriptionList>
                <Heading>What QuickBooks adds</Heading>
                <Text>{doc.tax.message}</Text>
                <Text>{`QuickBooks gives the ${noun} its number when it is created.`}</Text>
                {kind === 'invoice' ? (
                  <Text>
                    {preview.delivery === 'send'
                      ? `QuickBooks will email the invoice at once${preview.billEmail.address ? ` to ${preview.billEmail.address}` : ''}.`
                      : `The invoice is not emailed until someone presses Send${preview.billEmail.address ? ` (it will go to ${preview.billEmail.address})` : ''}.`}
                  </Text>
                ) : null}
                {doc.warnings.map((w) => (
                  <Alert key={w} title="Worth knowing" variant="info">
                    {w}
                  </Alert>
                ))}
              </>
            ) : null}
          </Flex>
        ) : null}
      </PanelBody>
      <PanelFooter>
        <Flex direction="row" gap="sm" align="center">
          <Button variant="primary" disabled={blocked || props.busy} onClick={() => void props.onConfirm(kind)}>
            {`Create ${noun} in QuickBooks`}
          </Button>
          {preview && blocked ? <Text variant="microcopy">Fix the problems above first.</Text> : null}
        </Flex>
      </PanelFooter>
    </Panel>
  );
}
