-- Up Migration
--
-- Money back: what happens in QuickBooks after DealBooks made a document (payments, credits, voids, deletions,
-- edits, an estimate accepted) is kept here, so the card and the deal properties answer from DealBooks' copy.

-- QBO's own stamp of each copy. A change is applied only when it is newer than the copy (MetaData.LastUpdatedTime,
-- then SyncToken), so a late, re-delivered or reordered notification never rolls a copy back.
ALTER TABLE qbo_documents ADD COLUMN qbo_updated_at timestamptz;
-- What a person did to the document in QuickBooks: 'voided' (amounts zeroed, PrivateNote starting "Voided") or
-- 'deleted' (a Deleted notification, a CDC tombstone, or QBO answering 610 to DealBooks), and when DealBooks saw it.
ALTER TABLE qbo_documents ADD COLUMN qbo_state text NOT NULL DEFAULT 'active' CHECK (qbo_state IN ('active', 'voided', 'deleted'));
ALTER TABLE qbo_documents ADD COLUMN state_changed_at timestamptz;
-- The total DealBooks built the document with (the deal's line items at the time): a total edited in QBO is
-- flagged against it on the card, never silently "fixed" in either system. Null for documents made before.
ALTER TABLE qbo_documents ADD COLUMN built_total_cents bigint;
CREATE INDEX qbo_documents_open_invoices ON qbo_documents (portal_id, due_date) WHERE kind = 'invoice' AND qbo_state = 'active' AND balance_cents > 0;

-- Payments (and the zero-amount payments that apply a credit memo) of the customers DealBooks bills, as QBO has them
-- now. 'voided' and 'deleted' payments stay, so the card can say what happened; they apply nothing.
CREATE TABLE qbo_payments (
  portal_id         bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  connection_id     bigint NOT NULL,
  qbo_id            text NOT NULL,
  customer_id       text,
  txn_date          date,
  currency          char(3),
  total_cents       bigint NOT NULL DEFAULT 0,
  method            text,
  reference         text,
  qbo_state         text NOT NULL DEFAULT 'active' CHECK (qbo_state IN ('active', 'voided', 'deleted')),
  sync_token        text,
  qbo_updated_at    timestamptz,
  refreshed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, qbo_id),
  FOREIGN KEY (portal_id, connection_id) REFERENCES qbo_connections (portal_id, id) ON DELETE CASCADE
);

-- How much of a payment went to each invoice (Payment.Line[].LinkedTxn of TxnType Invoice), and how much of that
-- came from a credit memo applied through the same payment. Replaced as a whole whenever the payment changes.
CREATE TABLE qbo_payment_applications (
  connection_id     bigint NOT NULL,
  payment_id        text NOT NULL,
  invoice_id        text NOT NULL,
  amount_cents      bigint NOT NULL,
  credit_cents      bigint NOT NULL DEFAULT 0 CHECK (credit_cents BETWEEN 0 AND amount_cents),
  PRIMARY KEY (connection_id, payment_id, invoice_id),
  FOREIGN KEY (connection_id, payment_id) REFERENCES qbo_payments (connection_id, qbo_id) ON DELETE CASCADE
);
CREATE INDEX qbo_payment_applications_invoice ON qbo_payment_applications (connection_id, invoice_id);

-- Per QBO connection: how far change data capture has looked (the backstop for missed notifications), and what
-- DealBooks last heard from QuickBooks and when (shown on the card).
CREATE TABLE qbo_change_checkpoints (
  connection_id      bigint PRIMARY KEY,
  portal_id          bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  checked_through    timestamptz,
  last_run_at        timestamptz,
  last_repaired      integer NOT NULL DEFAULT 0,
  last_heard_at      timestamptz,
  last_heard_what    text,
  FOREIGN KEY (portal_id, connection_id) REFERENCES qbo_connections (portal_id, id) ON DELETE CASCADE
);

-- The deal properties DealBooks last wrote, so it writes only values that changed: a write that changes nothing
-- would still fire HubSpot's property-change webhooks and workflows, and could loop.
CREATE TABLE deal_written_properties (
  portal_id    bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  deal_id      text NOT NULL,
  properties   jsonb NOT NULL,
  written_at   timestamptz NOT NULL,
  PRIMARY KEY (portal_id, deal_id)
);

-- Timeline notes DealBooks posted on deals, one per event (a payment received, an invoice voided or deleted in
-- QBO), keyed so a re-delivered or replayed change never posts the same note twice.
CREATE TABLE deal_notes (
  portal_id        bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  note_key         text NOT NULL,
  deal_id          text NOT NULL,
  body             text NOT NULL,
  hubspot_note_id  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (portal_id, note_key)
);
CREATE INDEX deal_notes_deal ON deal_notes (portal_id, deal_id, created_at DESC);

-- Follow-up tasks for overdue invoices: one per invoice and threshold (days overdue), for the deal owner. Completed by
-- DealBooks when the invoice is paid, voided or deleted.
CREATE TABLE overdue_tasks (
  portal_id        bigint NOT NULL REFERENCES portals (portal_id) ON DELETE CASCADE,
  connection_id    bigint NOT NULL,
  invoice_id       text NOT NULL,
  threshold_days   integer NOT NULL CHECK (threshold_days > 0),
  deal_id          text NOT NULL,
  hubspot_task_id  text,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'open', 'completed')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz,
  PRIMARY KEY (connection_id, invoice_id, threshold_days),
  FOREIGN KEY (portal_id, connection_id) REFERENCES qbo_connections (portal_id, id) ON DELETE CASCADE
);
CREATE INDEX overdue_tasks_open ON overdue_tasks (portal_id, invoice_id) WHERE status <> 'completed';

-- Down Migration
DROP TABLE overdue_tasks;
DROP TABLE deal_notes;
DROP TABLE deal_written_properties;
DROP TABLE qbo_change_checkpoints;
DROP TABLE qbo_payment_applications;
DROP TABLE qbo_payments;
DROP INDEX qbo_documents_open_invoices;
ALTER TABLE qbo_documents DROP COLUMN built_total_cents;
ALTER TABLE qbo_documents DROP COLUMN state_changed_at;
ALTER TABLE qbo_documents DROP COLUMN qbo_state;
ALTER TABLE qbo_documents DROP COLUMN qbo_updated_at;
