import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { QboObject, quickbooksOf } from './sim';
import { money } from './format';

type Tab = 'Invoice' | 'Estimate' | 'Payment' | 'Customer';
const TABS: Array<[Tab, string]> = [
  ['Invoice', 'Invoices'],
  ['Estimate', 'Estimates'],
  ['Payment', 'Payments'],
  ['Customer', 'Customers'],
];

/**
 * The demo QuickBooks company as its bookkeeper sees it, with the bookkeeper's actions: record a payment (part or
 * all of an invoice's balance), void or delete an invoice or a payment, accept or reject an estimate, and close the
 * books up to a date. Each goes through QuickBooks' own rules in the simulator, which then tells DealBooks by webhook.
 */
export function QuickbooksCompany({ quickbooks, tick, onChanged }: { quickbooks: ReturnType<typeof quickbooksOf>; tick: number; onChanged(): void }) {
  const [tab, setTab] = useState<Tab>('Invoice');
  const [rows, setRows] = useState<Record<Tab, QboObject[]>>({ Invoice: [], Estimate: [], Payment: [], Customer: [] });
  const [closeDate, setCloseDate] = useState<string>('');
  const [savedCloseDate, setSavedCloseDate] = useState<string | null>(null);
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();

  // Reads are not cancelled by the next round: a slow one still shows unless a newer one already has.
  const started = useRef(0);
  const shown = useRef(0);
  useEffect(() => {
    const read = ++started.current;
    Promise.all([...TABS.map(([entity]) => quickbooks.list(entity)), quickbooks.preferences()]).then(
      ([invoices, estimates, payments, customers, preferences]) => {
        if (read < shown.current) return;
        shown.current = read;
        setRows({ Invoice: newestFirst(invoices as QboObject[]), Estimate: newestFirst(estimates as QboObject[]), Payment: newestFirst(payments as QboObject[]), Customer: customers as QboObject[] });
        const prefs = Array.isArray(preferences) ? preferences[0] : preferences;
        setSavedCloseDate(prefs?.AccountingInfoPrefs?.BookCloseDate ?? null);
      },
      () => undefined,
    );
  }, [quickbooks, tick]);

  /** Runs a bookkeeper's action; true when QuickBooks took it. */
  const act = async (label: string, run: () => Promise<unknown>): Promise<boolean> => {
    setBusy(label);
    setOutcome(undefined);
    try {
      await run();
      setOutcome({ ok: true, text: `${label}: done.` });
      onChanged();
      return true;
    } catch (err) {
      setOutcome({ ok: false, text: `${label}: QuickBooks refused: ${err instanceof Error ? err.message : String(err)}` });
      return false;
    } finally {
      setBusy(undefined);
    }
  };
  const customerName = (ref: { name?: string; value?: string } | undefined) => ref?.name ?? rows.Customer.find((c) => c.Id === ref?.value)?.DisplayName ?? ref?.value ?? '';

  return (
    <div className="wb-qbo">
      <div className="wb-books" role="group" aria-label="Books">
        <label>
          Book close date
          <input type="date" value={closeDate} onChange={(e) => setCloseDate(e.target.value)} />
        </label>
        <button disabled={!closeDate || busy !== undefined} onClick={() => act(`Close the books up to ${closeDate}`, () => quickbooks.setBookCloseDate(closeDate))}>
          Close the books
        </button>
        <button disabled={!savedCloseDate || busy !== undefined} onClick={() => act('Reopen the books', () => quickbooks.setBookCloseDate(null))}>
          Reopen
        </button>
        <span className="wb-hint" data-testid="book-close-date">
          {savedCloseDate ? `Books closed up to ${savedCloseDate}` : 'Books open'}
        </span>
      </div>
      {outcome ? (
        <p className={outcome.ok ? 'wb-outcome' : 'wb-problem'} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
        </p>
      ) : null}
      <nav className="wb-tabs" aria-label="QuickBooks lists">
        {TABS.map(([entity, label]) => (
          <button key={entity} className={tab === entity ? 'wb-tab wb-tab-on' : 'wb-tab'} aria-pressed={tab === entity} onClick={() => setTab(entity)}>
            {label} ({rows[entity].length})
          </button>
        ))}
      </nav>
      {tab === 'Invoice' ? <Invoices rows={rows.Invoice} customerName={customerName} busy={busy} act={act} quickbooks={quickbooks} /> : null}
      {tab === 'Estimate' ? (
        <ListTable label="Estimates" headers={['No.', 'Customer', 'Date', 'Total', 'Status', '']}>
          {rows.Estimate.map((estimate) => (
            <tr key={estimate.Id} data-estimate={estimate.DocNumber ?? estimate.Id}>
              <td>{estimate.DocNumber ?? estimate.Id}</td>
              <td>{customerName(estimate.CustomerRef)}</td>
              <td>{estimate.TxnDate}</td>
              <td>{money(estimate.TotalAmt)}</td>
              <td>{estimate.TxnStatus ?? ''}</td>
              <td className="wb-actions">
                <button disabled={busy !== undefined || estimate.TxnStatus === 'Accepted'} onClick={() => act(`Accept estimate ${estimate.DocNumber ?? estimate.Id}`, () => quickbooks.acceptEstimate(estimate.Id))}>
                  Accept
                </button>
                <button disabled={busy !== undefined || estimate.TxnStatus === 'Rejected'} onClick={() => act(`Reject estimate ${estimate.DocNumber ?? estimate.Id}`, () => quickbooks.rejectEstimate(estimate.Id))}>
                  Reject
                </button>
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
      {tab === 'Payment' ? (
        <ListTable label="Payments" headers={['Id', 'Customer', 'Date', 'Amount', 'Invoices', '']}>
          {rows.Payment.map((payment) => (
            <tr key={payment.Id} data-payment={payment.Id}>
              <td>{payment.Id}</td>
              <td>{customerName(payment.CustomerRef)}</td>
              <td>{payment.TxnDate}</td>
              <td>{money(payment.TotalAmt)}</td>
              <td>{appliedTo(payment)}</td>
              <td className="wb-actions">
                <button disabled={busy !== undefined} onClick={() => act(`Void payment ${payment.Id}`, () => quickbooks.voidPayment(payment.Id))}>
                  Void
                </button>
                <button disabled={busy !== undefined} onClick={() => act(`Delete payment ${payment.Id}`, () => quickbooks.deletePayment(payment.Id))}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
      {tab === 'Customer' ? (
        <ListTable label="Customers" headers={['Name', 'Email', 'Open balance', 'Active']}>
          {rows.Customer.map((customer) => (
            <tr key={customer.Id}>
              <td>{customer.DisplayName}</td>
              <td>{customer.PrimaryEmailAddr?.Address ?? ''}</td>
              <td>{money(customer.Balance)}</td>
              <td>{customer.Active === false ? 'no' : 'yes'}</td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </div>
  );
}

function Invoices({ rows, customerName, busy, act, quickbooks }: { rows: QboObject[]; customerName(ref: unknown): string; busy?: string; act(label: string, run: () => Promise<unknown>): Promise<boolean>; quickbooks: ReturnType<typeof quickbooksOf> }) {
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  return (
    <ListTable label="Invoices" headers={['No.', 'Customer', 'Due', 'Total', 'Balance', 'Record a payment', '']}>
      {rows.map((invoice) => {
        const number = invoice.DocNumber ?? invoice.Id;
        const amount = amounts[invoice.Id] ?? '';
        const open = Number(invoice.Balance ?? 0) > 0;
        return (
          <tr key={invoice.Id} data-invoice={number}>
            <td>{number}</td>
            <td>{customerName(invoice.CustomerRef)}</td>
            <td>{invoice.DueDate}</td>
            <td>{money(invoice.TotalAmt)}</td>
            <td>{money(invoice.Balance)}</td>
            <td className="wb-actions">
              <input
                aria-label={`Payment amount for invoice ${number}`}
                placeholder="all"
                inputMode="decimal"
                size={8}
                value={amount}
                onChange={(e) => setAmounts((all) => ({ ...all, [invoice.Id]: e.target.value }))}
              />
              <button
                aria-label={`Record payment on invoice ${number}`}
                disabled={busy !== undefined || !open}
                onClick={async () => {
                  const recorded = await act(`Payment of ${amount ? money(amount) : 'the balance'} on invoice ${number}`, () => quickbooks.recordPayment(invoice.Id, amount || undefined));
                  // The amount was paid: the field is emptied so the next press does not pay it again.
                  if (recorded) setAmounts((all) => ({ ...all, [invoice.Id]: '' }));
                }}
              >
                Record
              </button>
            </td>
            <td className="wb-actions">
              <button aria-label={`Void invoice ${number}`} disabled={busy !== undefined} onClick={() => act(`Void invoice ${number}`, () => quickbooks.voidInvoice(invoice.Id))}>
                Void
              </button>
              <button aria-label={`Delete invoice ${number}`} disabled={busy !== undefined} onClick={() => act(`Delete invoice ${number}`, () => quickbooks.deleteInvoice(invoice.Id))}>
                Delete
              </button>
            </td>
          </tr>
        );
      })}
    </ListTable>
  );
}

function appliedTo(payment: QboObject): string {
  const linked = (payment.Line ?? []).flatMap((line: { LinkedTxn?: Array<{ TxnId: string; TxnType: string }> }) => line.LinkedTxn ?? []);
  return linked.map((l: { TxnId: string; TxnType: string }) => `${l.TxnType} ${l.TxnId}`).join(', ');
}

function newestFirst(rows: QboObject[]): QboObject[] {
  return [...rows].sort((a, b) => Number(b.Id) - Number(a.Id));
}

/** A list of the company's records: a labelled table with its column headers, rows given as children. */
function ListTable({ label, headers, children }: { label: string; headers: string[]; children: ReactNode }) {
  return (
    <table className="wb-table" aria-label={label}>
      <thead>
        <tr>
          {headers.map((header, i) => (
            <th key={i}>{header}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
