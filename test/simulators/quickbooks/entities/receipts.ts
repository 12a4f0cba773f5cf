/**
 * SalesReceipt and RefundReceipt: sales forms paid (or refunded) on the spot, so they never leave a Balance
 * (Intuit's samples show `Balance: 0`) and need no customer. Lines, tax, numbering and dates are the sales forms'
 * (sales-forms.ts, sales-lines.ts).
 *
 * SalesReceipt (developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/salesreceipt): "must have at
 * least one line that describes an item and an amount"; DepositToAccountRef is optional: "If you do not specify this
 * account, payment is applied to the Undeposited Funds account". Create, read, query, full/sparse update, delete and
 * void (`?operation=update&include=void`: amounts zeroed, "Voided" in PrivateNote); "If a sales receipt is paid and
 * funds have been deposited, you must delete the associated deposit object before voiding" (deposit.ts).
 *
 * RefundReceipt (developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/refundreceipt): "must have
 * at least one line that describes an item" and "must have a DepositToAccountRef", the account the money is
 * refunded from, of type Bank or Other Current Asset. The reference lists create, read, query, update, delete, PDF
 * and send, but no void operation, so the simulator refuses to void one.
 */
import type { QboObject } from '../entity-names';
import { requiredParamMissing } from '../fault';
import { assertNotDeposited, bankAccountRef, undepositedFundsId } from './deposit';
import { assertPeriodOpen, compact, type EntityRules } from './rules';
import { buildSalesForm, zeroedSalesForm } from './sales-forms';

/** At least one SalesItemLine: a receipt of descriptions or discounts only sells nothing. */
function requireItemLine(form: QboObject): void {
  if (!((form.Line ?? []) as QboObject[]).some((line) => line.DetailType === 'SalesItemLineDetail')) {
    throw requiredParamMissing('Required parameter Line is missing in the request', 'Line');
  }
}

export const salesReceiptRules: EntityRules = {
  entity: 'SalesReceipt',
  deletable: true,
  build(company, input, existing) {
    const form = buildSalesForm(company, 'SalesReceipt', input, existing, { customerOptional: true });
    requireItemLine(form);
    const sent = input.DepositToAccountRef ?? (undepositedFundsId(company) ? { value: undepositedFundsId(company) } : undefined);
    const account = sent === undefined ? undefined : bankAccountRef(company, sent);
    return compact({ ...form, DepositToAccountRef: account, Balance: 0 });
  },
  voided(company, existing) {
    assertPeriodOpen(company, existing.TxnDate);
    assertNotDeposited(company, 'SalesReceipt', existing, 'void');
    return { ...zeroedSalesForm(existing), Balance: 0 };
  },
  beforeDelete(company, existing) {
    assertPeriodOpen(company, existing.TxnDate);
    assertNotDeposited(company, 'SalesReceipt', existing, 'delete');
  },
};

export const refundReceiptRules: EntityRules = {
  entity: 'RefundReceipt',
  deletable: true,
  build(company, input, existing) {
    // Checked first: it is the field a refund cannot do without (2020 in the words of fixture
    // fault_2020_required_param_missing.json).
    const account = bankAccountRef(company, input.DepositToAccountRef);
    const form = buildSalesForm(company, 'RefundReceipt', input, existing, { customerOptional: true });
    requireItemLine(form);
    return compact({ ...form, DepositToAccountRef: account, Balance: 0 });
  },
  beforeDelete(company, existing) {
    assertPeriodOpen(company, existing.TxnDate);
  },
};
