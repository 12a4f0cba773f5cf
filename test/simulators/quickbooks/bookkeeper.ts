/**
 * The bookkeeper's actions on the simulated books, as control calls a person (or the sandbox demo, or a test) can
 * make without an OAuth token: record a payment, deposit payments in the bank, void or delete an invoice or a
 * payment, accept or reject an estimate. Unlike the plain object store of domain-control.ts, each goes through the same operations as the API
 * (operations.ts: the entity rules, balances recomputed, SyncToken and MetaData moved, the change announced), so
 * DealBooks sees exactly what it would see after a person did the same in QuickBooks: webhooks follow, CDC lists
 * the change, and reading the invoice shows the new Balance.
 *
 * Mounted at `/_sim/quickbooks/bookkeeper/:realmId`. Errors are the API's own faults, answered as QBO answers them.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SimClock } from '../common/clock';
import type { QboCompanies, QboCompany } from './company';
import type { QboObject } from './entity-names';
import { QboFault, objectNotFound } from './fault';
import { fromCents, toCents } from './money';
import { deleteEntity, readEntity, saveEntity, voidEntity } from './operations';

interface Deps {
  companies: QboCompanies;
  clock: SimClock;
}

const money = z.union([z.number(), z.string().regex(/^\d+(\.\d{1,2})?$/)]).transform((v) => toCents(Number(v)));

const paymentInput = z
  .object({
    /** The invoice paid; with `amount` absent, its whole open balance. */
    invoiceId: z.string().min(1).optional(),
    amount: money.optional(),
    /** Several invoices at once: one payment applied to each with its amount. */
    invoices: z.array(z.object({ id: z.string().min(1), amount: money })).min(1).optional(),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    /** Shown as PaymentMethodRef.name (the simulator keeps no PaymentMethod list). */
    method: z.string().min(1).max(31).optional(),
    reference: z.string().min(1).max(21).optional(),
  })
  .strict()
  .refine((v) => (v.invoiceId === undefined) !== (v.invoices === undefined), 'give invoiceId (with an optional amount) or invoices [{id, amount}]');

const idInput = z.object({ id: z.string().min(1) }).strict();

const depositInput = z
  .object({
    /** Payments received into Undeposited Funds; each is deposited whole. */
    paymentIds: z.array(z.string().min(1)).min(1),
    /** The bank account (default: the company's first active Bank account). */
    accountId: z.string().min(1).optional(),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  })
  .strict();

function current(company: QboCompany, entity: 'Invoice' | 'Payment' | 'Estimate', id: string): QboObject {
  return readEntity(company, entity, id)[entity] as QboObject;
}

export function recordPayment(company: QboCompany, input: z.output<typeof paymentInput>): Record<string, unknown> {
  const applied = input.invoices ?? [{ id: input.invoiceId!, amount: input.amount }];
  const lines = applied.map(({ id, amount }) => {
    const invoice = current(company, 'Invoice', id);
    const cents = amount ?? toCents(Number(invoice.Balance ?? 0));
    return { invoice, cents };
  });
  const customer = lines[0]!.invoice.CustomerRef as { value: string };
  const total = lines.reduce((sum, l) => sum + l.cents, 0);
  return saveEntity(company, 'Payment', {
    CustomerRef: { value: customer.value },
    TotalAmt: fromCents(total),
    ...(input.date ? { TxnDate: input.date } : {}),
    ...(input.method ? { PaymentMethodRef: { value: input.method, name: input.method } } : {}),
    ...(input.reference ? { PaymentRefNum: input.reference } : {}),
    Line: lines.map((l) => ({ Amount: fromCents(l.cents), LinkedTxn: [{ TxnId: String(l.invoice.Id), TxnType: 'Invoice' }] })),
  });
}

/** A bank deposit of whole payments, through the Deposit rules (entities/deposit.ts). */
export function depositPayments(company: QboCompany, input: z.output<typeof depositInput>): Record<string, unknown> {
  const accountId = input.accountId ?? (company.scan('Account').find(({ object: a }) => a.AccountType === 'Bank' && a.Active !== false)?.object.Id as string | undefined);
  return saveEntity(company, 'Deposit', {
    ...(accountId ? { DepositToAccountRef: { value: accountId } } : {}),
    ...(input.date ? { TxnDate: input.date } : {}),
    Line: input.paymentIds.map((id) => {
      const payment = current(company, 'Payment', id);
      return { Amount: payment.TotalAmt, LinkedTxn: [{ TxnId: String(payment.Id), TxnType: 'Payment', TxnLineId: '0' }] };
    }),
  });
}

export function quickbooksBookkeeperRouter(deps: Deps): express.Router {
  const router = express.Router({ mergeParams: true });
  router.use(express.json({ limit: '1mb' }));

  const companyOf = (req: Request): QboCompany => {
    const realmId = String(req.params.realmId);
    const company = deps.companies.get(realmId);
    if (!company) throw objectNotFound(`Company ${realmId}`, 'realmId');
    return company;
  };
  const act = (work: (company: QboCompany, body: unknown) => Record<string, unknown>) => (req: Request, res: Response, next: NextFunction) => {
    try {
      res.status(200).json(work(companyOf(req), req.body ?? {}));
    } catch (error) {
      next(error);
    }
  };
  const idOf = (body: unknown) => idInput.parse(body).id;

  /** POST /payments {invoiceId, amount?, date?, method?, reference?} | {invoices: [{id, amount}], ...} -> {Payment}. */
  router.post('/payments', act((company, body) => recordPayment(company, paymentInput.parse(body))));
  /** POST /payments/void {id}, POST /payments/delete {id}: the invoices it paid are open again. */
  router.post('/payments/void', act((company, body) => voidEntity(company, 'Payment', current(company, 'Payment', idOf(body)))));
  router.post('/payments/delete', act((company, body) => deleteEntity(company, 'Payment', current(company, 'Payment', idOf(body)))));
  /** POST /deposits {paymentIds, accountId?, date?} -> {Deposit}; POST /deposits/delete {id}: the payments are undeposited again. */
  router.post('/deposits', act((company, body) => depositPayments(company, depositInput.parse(body))));
  router.post('/deposits/delete', act((company, body) => deleteEntity(company, 'Deposit', readEntity(company, 'Deposit', idOf(body)).Deposit as QboObject)));
  /** POST /invoices/void {id} (QBO refuses while a payment is applied), POST /invoices/delete {id}. */
  router.post('/invoices/void', act((company, body) => voidEntity(company, 'Invoice', current(company, 'Invoice', idOf(body)))));
  router.post('/invoices/delete', act((company, body) => deleteEntity(company, 'Invoice', current(company, 'Invoice', idOf(body)))));
  /** POST /estimates/accept {id}, /estimates/reject {id}: the customer's answer, as a sparse update of TxnStatus. */
  for (const [verb, status] of [
    ['accept', 'Accepted'],
    ['reject', 'Rejected'],
  ] as const) {
    router.post(
      `/estimates/${verb}`,
      act((company, body) => {
        const estimate = current(company, 'Estimate', idOf(body));
        return saveEntity(company, 'Estimate', { Id: estimate.Id, SyncToken: estimate.SyncToken, sparse: true, TxnStatus: status });
      }),
    );
  }

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error instanceof z.ZodError) return void res.status(400).json({ error: z.prettifyError(error) });
    if (error instanceof QboFault) return void res.status(error.status).json(error.toBody(deps.clock));
    next(error);
  });
  return router;
}
