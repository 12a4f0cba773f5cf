/**
 * `?requestid=` replay memory of one company: the first answer to a request id is kept (status + body) and a
 * repeat gets it back without a second write (blogs.intuit.com/2015/04/06/15346/). Bounded: the oldest
 * ids are forgotten first, since how long QBO remembers them is unconfirmed.
 */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export const MAX_REQUEST_ID_LENGTH = 50;
/** A batch request's requestid is shorter: at most 36 characters, against 50 elsewhere (same Intuit post). */
export const MAX_BATCH_REQUEST_ID_LENGTH = 36;
export const DEFAULT_REMEMBERED_REQUEST_IDS = 10_000;

export class RequestIdMemory {
  private readonly answers = new Map<string, StoredResponse>();

  constructor(private readonly capacity = DEFAULT_REMEMBERED_REQUEST_IDS) {}

  get(requestId: string): StoredResponse | undefined {
    return this.answers.get(requestId);
  }

  remember(requestId: string, response: StoredResponse): void {
    this.answers.delete(requestId);
    this.answers.set(requestId, response);
    while (this.answers.size > this.capacity) {
      const oldest = this.answers.keys().next().value;
      if (oldest === undefined) break;
      this.answers.delete(oldest);
    }
  }

  get size(): number {
    return this.answers.size;
  }

  /** Every remembered answer, oldest first (the sandbox's saved state). */
  exportState(): Array<[string, StoredResponse]> {
    return [...this.answers];
  }

  importState(entries: Array<[string, StoredResponse]>): void {
    this.answers.clear();
    for (const [id, response] of entries) this.remember(id, response);
  }
}
