import React, { useState } from 'react';
import { Button, Flex, Input, Modal, ModalBody, ModalFooter, Text } from '@hubspot/ui-extensions';
import type { DocumentView } from '../shared/types';
import { looksLikeEmail } from './format';

export const sendModalId = (invoiceId: string) => `dealbooks-send-${invoiceId}`;

/**
 * "Send invoice" asks to whom first: the address QuickBooks has for the invoice, which the person may change. The
 * address is checked here so a typo is caught before the press; DealBooks checks it again.
 */
export function SendInvoice(props: { invoice: DocumentView; busy: boolean; onSend: (invoiceId: string, sendTo: string) => Promise<boolean> }) {
  const { invoice } = props;
  const [to, setTo] = useState(invoice.billEmail ?? '');
  const [touched, setTouched] = useState(false);
  const valid = looksLikeEmail(to);
  const name = invoice.docNumber ?? invoice.id;
  const modal = (
    <Modal id={sendModalId(invoice.id)} title={`Send invoice ${name}`} width="sm">
      <ModalBody>
        <Flex direction="column" gap="sm">
          <Text>{`QuickBooks will email invoice ${name} (${invoice.balance ?? invoice.total} due) to this address.`}</Text>
          <Input
            label="Send to"
            name="sendTo"
            value={to}
            required
            // onInput fires while typing (onChange only when the value is committed, on blur), so Send follows the
            // address as it is typed; the message waits until the field was left once.
            onInput={(value) => setTo(value)}
            onChange={(value) => {
              setTo(value);
              setTouched(true);
            }}
            onBlur={() => setTouched(true)}
            error={touched && !valid}
            validationMessage={touched && !valid ? 'Enter an email address, like name@example.com.' : undefined}
          />
        </Flex>
      </ModalBody>
      <ModalFooter>
        <Button variant="primary" disabled={!valid || props.busy} onClick={() => void props.onSend(invoice.id, to.trim())}>
          Send
        </Button>
      </ModalFooter>
    </Modal>
  );
  return (
    <Button disabled={props.busy} overlay={modal}>
      Send invoice
    </Button>
  );
}
