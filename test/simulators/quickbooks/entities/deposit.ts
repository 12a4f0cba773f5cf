/**
 * Deposit (developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/deposit): money moved into a bank
 * (or Other Current Asset) account, `DepositToAccountRef`. Each line either deposits a transaction that funded
 * Undeposited Funds, `Line[{Amount, LinkedTxn:[{TxnId, TxnType: "Payment"|"SalesReceipt"}]}]`, or records a direct
 * deposit, `Line[{Amount, DetailType: "DepositLineDetail", DepositLineDetail: {AccountRef}}]`. The reference's
 * business rules: "There must be at least one line item included in a create request" and "Any transaction that
 * funds the Undeposited Funds account can be linked to a Deposit object with a Deposit.Line.LinkedTxn element".
 *
 * Which transactions a deposit holds is derived from the stored deposits (the `depositedTxn` index), so deleting a
 * deposit releases its payments by construction. A held payment or sales receipt cannot be voided (or, by default,
 * deleted): behaviour.ts has the rule, its source and the settings for the fault.
 */
import type { QboCompany } from '../company';
import type { QboObject } from '../entity-names';
import { QboFault, businessValidation, invalidValue, objectNotFound, requiredParamMissing } from '../fault';
import { fromCents, isMoney, toCents } from '../money';
import { isQboDate } from '../time';
import { assertPeriodOpen, compact, resolveRef, type EntityRules, type Ref } from './rules';

export const DEPOSITABLE = ['Payment', 'SalesReceipt'] as const;
export type Depositable = (typeof DEPOSITABLE)[number];

/** Account types a deposit, a sales receipt or a refund receipt may name (each entity's DepositToAccountRef). */
const BANK_LIKE = new Set(['Bank', 'Other Current Asset']);

export function undepositedFundsId(company: QboCompany): string | undefined {
  return company.scan('Account').find(({ object: a }) => a.AccountSubType === 'UndepositedFunds' && a.Active !== false)?.object.Id as string | undefined;
}

/**
 * DepositToAccountRef of a deposit or a receipt: an active account of type Bank or Other Current Asset.
 * "Select a bank account for this deposit" is QBO's own Business Validation text (quoted in
 * routablehq/python-quickbooks#391); that QBO sends it for an account of another type is our reading, unconfirmed.
 */
export function bankAccountRef(company: QboCompany, ref: unknown, element = 'DepositToAccountRef'): Ref {
  const account = resolveRef(company, 'Account', ref, element, 'Name');
  if (!BANK_LIKE.has(String(account.target.AccountType))) throw businessValidation('Select a bank account for this deposit', element);
  return account.ref;
}

/** The transactions a deposit's lines link, with the cents each line deposits. */
export function depositedLinks(deposit: QboObject): Array<{ type: Depositable; id: string; cents: number }> {
  const links: Array<{ type: Depositable; id: string; cents: number }> = [];
  for (const line of (deposit.Line ?? []) as QboObject[]) {
    for (const link of (line.LinkedTxn ?? []) as QboObject[]) {
      const type = DEPOSITABLE.find((t) => t === link.TxnType);
      if (type && isMoney(line.Amount)) links.push({ type, id: String(link.TxnId), cents: toCents(line.Amount) });
    }
  }
  return links;
}

/** The deposit holding a transaction, if any (optionally not counting one deposit, for its own update). */
export function depositHolding(company: QboCompany, type: Depositable, id: string, excludeDepositId?: string): Readonly<QboObject> | undefined {
  return company
    .lookup('depositedTxn', 'Deposit', `${type}:${id}`)
    .find((d) => d.Id !== excludeDepositId && depositedLinks(d).some((l) => l.type === type && l.id === id));
}

/** Refuses to void (or delete, per behaviour) a payment or sales receipt that a deposit holds. */
export function assertNotDeposited(company: QboCompany, type: Depositable, existing: QboObject, action: 'void' | 'delete'): void {
  const setting = company.behaviour().depositedTransaction;
  if (action === 'delete' && !setting.refuseDelete) return;
  const deposit = depositHolding(company, type, String(existing.Id));
  if (!deposit) return;
  const detail = setting.detail.replaceAll('{txnType}', type).replaceAll('{txnId}', String(existing.Id)).replaceAll('{depositId}', String(deposit.Id));
  throw new QboFault(400, 'ValidationFault', [{ Message: setting.message, Detail: detail, code: setting.code, element: 'Id' }]);
}

function linkedLine(company: QboCompany, line: QboObject, index: number, depositId: string | undefined, seen: Set<string>): QboObject {
  const links = line.LinkedTxn as unknown;
  if (!Array.isArray(links) || links.length !== 1) throw invalidValue('A deposit line links exactly one transaction', `Line[${index}].LinkedTxn`);
  const link = links[0] as QboObject;
  const type = DEPOSITABLE.find((t) => t === link.TxnType);
  if (!type) throw invalidValue(`Deposits can link payments and sales receipts only in this simulator, not ${String(link.TxnType)}`, `Line[${index}].LinkedTxn`);
  const id = String(link.TxnId);
  const target = company.view(type, id);
  if (!target) throw objectNotFound(`${type} Id=${id}`, `Line[${index}].LinkedTxn`);
  if (seen.has(`${type}:${id}`)) throw businessValidation(`${type} ${id} is linked twice in this deposit`, `Line[${index}].LinkedTxn`);
  seen.add(`${type}:${id}`);
  // The reference: only a transaction that funds Undeposited Funds can be linked.
  if (String(target.DepositToAccountRef?.value) !== undepositedFundsId(company)) {
    throw businessValidation(`${type} ${id} was not received into Undeposited Funds and cannot be deposited`, `Line[${index}].LinkedTxn`);
  }
  const other = depositHolding(company, type, id, depositId);
  if (other) throw businessValidation(`${type} ${id} is already in deposit ${String(other.Id)}`, `Line[${index}].LinkedTxn`);
  // Our choice, unconfirmed: a linked line deposits the whole transaction, as QBO's deposit screen does.
  const cents = toCents(line.Amount as number);
  const whole = toCents(Number(target.TotalAmt ?? 0));
  if (cents !== whole) throw businessValidation(`The line amount ${fromCents(cents)} differs from the ${type} total ${fromCents(whole)}`, `Line[${index}].Amount`);
  return compact({ ...line, Amount: fromCents(cents), LinkedTxn: [compact({ TxnId: id, TxnType: type, TxnLineId: link.TxnLineId })] });
}

function directLine(company: QboCompany, line: QboObject, index: number): QboObject {
  const detail = (line.DepositLineDetail ?? {}) as QboObject;
  // Text as QBO sends it (routablehq/python-quickbooks#329, a 2020 for a line without AccountRef or LinkedTxn).
  if (detail.AccountRef === undefined || detail.AccountRef === null) {
    throw requiredParamMissing('Required parameter Line.DepositLineDetail.AccountRef is missing in the request', `Line[${index}].DepositLineDetail.AccountRef`);
  }
  const account = resolveRef(company, 'Account', detail.AccountRef, `Line[${index}].DepositLineDetail.AccountRef`, 'Name');
  return compact({ ...line, Amount: fromCents(toCents(line.Amount as number)), DetailType: 'DepositLineDetail', DepositLineDetail: { ...detail, AccountRef: account.ref } });
}

export const depositRules: EntityRules = {
  entity: 'Deposit',
  deletable: true,
  // QBO ignores `sparse` for deposits and wants the whole object: a sparse update without DepositToAccountRef and
  // Line fails with "DepositToAccountRef missing" (intuit/quickbooks-online-mcp-server#124).
  sparseUpdate: false,
  build(company, input, existing) {
    const account = bankAccountRef(company, input.DepositToAccountRef);
    const txnDate = (input.TxnDate as string | undefined) ?? existing?.TxnDate ?? company.today();
    if (!isQboDate(txnDate)) throw invalidValue(`TxnDate must be YYYY-MM-DD: ${String(txnDate)}`, 'TxnDate');
    if (existing) assertPeriodOpen(company, existing.TxnDate);
    assertPeriodOpen(company, txnDate);
    const raw = input.Line as unknown;
    if (!Array.isArray(raw) || raw.length === 0) throw requiredParamMissing('Required parameter Line is missing in the request', 'Line');
    const seen = new Set<string>();
    let total = 0;
    const lines = raw.map((entry: unknown, index) => {
      if (typeof entry !== 'object' || entry === null) throw invalidValue(`Line[${index}] must be an object`, `Line[${index}]`);
      const line = entry as QboObject;
      if (!isMoney(line.Amount)) throw requiredParamMissing('Required parameter Line.Amount is missing in the request', `Line[${index}].Amount`);
      if (toCents(line.Amount) <= 0) throw invalidValue('A deposit line amount must be positive', `Line[${index}].Amount`);
      const built = line.LinkedTxn !== undefined ? linkedLine(company, line, index, existing?.Id as string | undefined, seen) : directLine(company, line, index);
      total += toCents(built.Amount as number);
      return built;
    });
    return compact({ ...input, DepositToAccountRef: account, TxnDate: txnDate, Line: lines, TotalAmt: fromCents(total) });
  },
  beforeDelete(company, existing) {
    assertPeriodOpen(company, existing.TxnDate);
  },
};
