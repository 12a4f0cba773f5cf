import { z } from 'zod';

/**
 * What the (simulated) HubSpot user does on the consent screen of the next authorizations: pick a portal and
 * connect, or cancel. Tests queue decisions with `POST /_sim/oauth/consent`; with nothing queued the user connects
 * the first account (the simulator creates a demo account when there is none).
 */
export const consentSchema = z.object({
  /** The portal the user picks; created (with demo data) if it does not exist. Default: the first account. */
  portalId: z.number().int().positive().optional(),
  /** The user cancels: the app gets `error=access_denied`. */
  deny: z.boolean().default(false),
  /** How many of the next authorizations this decision covers. */
  times: z.number().int().positive().default(1),
  userId: z.number().int().positive().optional(),
  userEmail: z.email().optional(),
});
export type ConsentInput = z.input<typeof consentSchema>;
export type ConsentDecision = Omit<z.infer<typeof consentSchema>, 'times'>;

export class ConsentPlan {
  private queue: Array<z.infer<typeof consentSchema> & { remaining: number }> = [];

  plan(input: ConsentInput): void {
    const parsed = consentSchema.parse(input);
    this.queue.push({ ...parsed, remaining: parsed.times });
  }

  /** The decision for the authorization happening now (consumes one use of the queued plan), if one was planned. */
  next(): ConsentDecision | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.queue.shift();
    const { times: _times, remaining: _remaining, ...decision } = head;
    return decision;
  }

  pending(): ConsentInput[] {
    return this.queue.map(({ remaining, ...d }) => ({ ...d, times: remaining }));
  }

  clear(): void {
    this.queue = [];
  }
}
