import React, { useState } from 'react';
import { Alert, Button, Flex, Heading, Select, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text } from '@hubspot/ui-extensions';
import { callDealBooks } from '../shared/api';
import { asDealBooksError, useDealBooks } from './load';
import { LoadFailed, Loading } from './parts';
import type { QboLists } from './qbo-lists';
import type { ProductMapping } from './types';

const REASON: Record<'sku' | 'name', string> = { sku: 'same SKU', name: 'similar name' };

/** Which QuickBooks item each HubSpot product becomes, with DealBooks' suggestion to accept or another item to pick. */
export function ProductMappings({ isAdmin, lists }: { isAdmin: boolean; lists: QboLists }) {
  const { loaded, reload } = useDealBooks<{ mappings: ProductMapping[] }>('/api/mappings/products');
  const [picked, setPicked] = useState<Record<string, string>>({});
  const [note, setNote] = useState<{ variant: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const items = lists.items.state === 'ready' ? lists.items.data.items.filter((i) => i.active) : [];
  const itemName = (id: string | null) => (id === null ? null : (items.find((i) => i.id === id)?.name ?? `Item ${id}`));

  async function map(m: ProductMapping, itemId: string) {
    setBusy(m.productId);
    setNote(null);
    try {
      const answer = (await callDealBooks<{ itemName: string }>(`/api/mappings/products/${encodeURIComponent(m.productId)}`, { method: 'PUT', body: { itemId } })).body;
      setNote({ variant: 'success', text: `${m.productName ?? `Product ${m.productId}`} now becomes ${answer.itemName} in QuickBooks.` });
      reload();
    } catch (err) {
      setNote({ variant: 'error', text: asDealBooksError(err).message });
    } finally {
      setBusy(null);
    }
  }

  let body: React.ReactNode;
  if (loaded.state === 'loading') body = <Loading what="the product mapping" />;
  else if (loaded.state === 'error') body = <LoadFailed what="The product mapping" error={loaded.error} onRetry={reload} />;
  else if (loaded.data.mappings.length === 0) body = <Text>No products to map yet.</Text>;
  else
    body = (
      <Table bordered>
        <TableHead>
          <TableRow>
            <TableHeader>HubSpot product</TableHeader>
            <TableHeader>QuickBooks item</TableHeader>
            <TableHeader>Suggestion</TableHeader>
            {isAdmin ? <TableHeader>Another item</TableHeader> : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {loaded.data.mappings.map((m) => (
            <TableRow key={m.productId}>
              <TableCell>{m.productName ?? `Product ${m.productId}`}</TableCell>
              <TableCell>{m.itemId === null ? 'Not mapped' : (m.itemName ?? itemName(m.itemId))}</TableCell>
              <TableCell>
                {m.suggestion && m.suggestion.itemId !== m.itemId ? (
                  <Flex direction="column" gap="xs">
                    <Text>
                      {m.suggestion.itemName} ({REASON[m.suggestion.reason]}, score {m.suggestion.score.toFixed(2)})
                    </Text>
                    {isAdmin ? (
                      <Button size="sm" disabled={busy !== null} onClick={() => map(m, m.suggestion!.itemId)}>
                        Accept {m.suggestion.itemName}
                      </Button>
                    ) : null}
                  </Flex>
                ) : (
                  <Text>—</Text>
                )}
              </TableCell>
              {isAdmin ? (
                <TableCell>
                  <Flex direction="row" gap="xs">
                    <Select
                      label={`Item for ${m.productName ?? `product ${m.productId}`}`}
                      name={`item-${m.productId}`}
                      value={picked[m.productId] ?? ''}
                      options={[{ label: 'Choose an item', value: '' }, ...items.map((i) => ({ label: i.name, value: i.id }))]}
                      onChange={(v) => setPicked((p) => ({ ...p, [m.productId]: String(v) }))}
                    />
                    <Button size="sm" disabled={busy !== null || !picked[m.productId]} onClick={() => map(m, picked[m.productId]!)}>
                      Use this item
                    </Button>
                  </Flex>
                </TableCell>
              ) : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );

  return (
    <Flex direction="column" gap="sm">
      <Heading>Products and QuickBooks items</Heading>
      {body}
      {note ? <Alert title={note.variant === 'success' ? 'Mapping saved' : 'Mapping not saved'} variant={note.variant}>{note.text}</Alert> : null}
    </Flex>
  );
}
