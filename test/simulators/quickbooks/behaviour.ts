/**
 * QBO behaviour the simulator cannot confirm from a public source, as settings instead of guesses. Each company
 * reads the settings of the QboCompanies registry it belongs to, so a test (or `startQuickbooksSimulator`'s
 * `behaviour` option) can make the simulator answer the way a real company was seen to answer.
 */
import { z } from 'zod';

export const behaviourSchema = z
  .object({
    /**
     * Voiding (or deleting) a Payment or SalesReceipt that a Deposit holds. The rule is Intuit's: "If funds for the
     * payment have been deposited, you must delete the associated deposit object before voiding the payment object"
     * (developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment, "Void a payment"; the
     * salesreceipt page says the same of sales receipts). The fault QBO answers with is not published: the code,
     * the Detail text and whether a delete is refused too are settings. `{txnType}`, `{txnId}` and `{depositId}`
     * in `detail` are filled in.
     */
    depositedTransaction: z
      .object({
        code: z.string().min(1).optional(),
        message: z.string().min(1).optional(),
        detail: z.string().min(1).optional(),
        /** Refuse `?operation=delete` as well as void (the reference only speaks of voiding). */
        refuseDelete: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type QboBehaviourInput = z.input<typeof behaviourSchema>;

export interface QboBehaviour {
  depositedTransaction: { code: string; message: string; detail: string; refuseDelete: boolean };
}

/** The simulator's defaults: a 6000 business validation fault in the reference's own words, for void and delete. */
export const DEFAULT_BEHAVIOUR: Readonly<QboBehaviour> = {
  depositedTransaction: {
    code: '6000',
    message: 'A business validation error has occurred while processing your request',
    detail:
      'Business Validation Error: This {txnType} has been deposited (Deposit Id={depositId}). You must delete the associated deposit object before voiding or deleting the {txnType} object.',
    refuseDelete: true,
  },
};

export function mergeBehaviour(base: QboBehaviour, input: QboBehaviourInput | undefined): QboBehaviour {
  const parsed = behaviourSchema.parse(input ?? {});
  return { depositedTransaction: { ...base.depositedTransaction, ...parsed.depositedTransaction } };
}
