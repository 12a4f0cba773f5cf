-- Up Migration
--
-- The address QuickBooks emails an invoice to (its BillEmail), kept with DealBooks' copy so the card offers "Send"
-- only when there is somewhere to send it. NULL: not known (a copy made before this column; the next refresh of the
-- document fills it); '': QuickBooks has no address on the document.
ALTER TABLE qbo_documents ADD COLUMN bill_email text;

-- Down Migration
ALTER TABLE qbo_documents DROP COLUMN bill_email;
