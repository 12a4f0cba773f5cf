import React, { useState } from 'react';
import { Alert, Flex, Heading, Input, LoadingButton, Text } from '@hubspot/ui-extensions';
import { callDealBooks } from '../shared/api';
import { asDealBooksError } from './load';
import type { Access } from './types';

/** Who may change DealBooks' settings: HubSpot user ids. Only an admin sees the control; everyone reads the list. */
export function AdminsSection({ access, onSaved }: { access: Access; onSaved: () => void }) {
  const [text, setText] = useState(access.admins.join(', '));
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ variant: 'success' | 'error'; text: string } | null>(null);

  async function save() {
    setBusy(true);
    setNote(null);
    const admins = text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    try {
      await callDealBooks('/api/settings/admins', { method: 'PUT', body: { admins } });
      setNote({ variant: 'success', text: 'The admins are saved.' });
      onSaved();
    } catch (err) {
      setNote({ variant: 'error', text: asDealBooksError(err).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Flex direction="column" gap="sm">
      <Heading>Who can change these settings</Heading>
      {access.isAdmin ? (
        <>
          <Input label="DealBooks admins (HubSpot user ids, separated by commas)" name="admins" value={text} onChange={(v) => setText(v)} />
          <LoadingButton variant="secondary" loading={busy} onClick={() => save()}>
            Save admins
          </LoadingButton>
        </>
      ) : (
        <Text>DealBooks admins: {access.admins.length > 0 ? access.admins.join(', ') : 'none named yet'}.</Text>
      )}
      {note ? <Alert title={note.variant === 'success' ? 'Saved' : 'Not saved'} variant={note.variant}>{note.text}</Alert> : null}
    </Flex>
  );
}
