import { batchReadSchema, createdSchema, crmObjectSchema, v4AssociationsSchema } from './deal-schemas';
import { HubSpotApiError, type HubSpotRequester } from './request';

/**
 * Tasks on a deal (HubSpot's engagements API, https://developers.hubspot.com/docs/api/crm/tasks): create one for the
 * deal's owner, complete it, and find one again by a text DealBooks put in its body.
 *
 * - A task needs `hs_timestamp` (its due time); `hs_task_status` is NOT_STARTED or COMPLETED (HubSpot also has
 *   IN_PROGRESS, WAITING and DEFERRED, which a person may set); `hs_task_priority` LOW, MEDIUM or HIGH; `hs_task_type`
 *   TODO, CALL or EMAIL; `hubspot_owner_id` assigns it (left out: unassigned). `hs_task_body` is HTML.
 * - task -> deal is the HUBSPOT_DEFINED association type 216, sent with the create so the task is never without its
 *   deal (https://developers.hubspot.com/docs/api/crm/associations#association-type-id-values).
 * - Creating a task is not idempotent: HubSpot takes no idempotency key for it. A caller that lost an answer finds
 *   the task by its marker (findDealTaskByText) before creating again.
 */
export const TASK_TO_DEAL = 216;
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED';
/** Associations per v4 page (HubSpot's maximum) and tasks per batch read (HubSpot's batch limit). */
const V4_PAGE = 500;
const BATCH_SIZE = 100;

export interface NewDealTask {
  dealId: string;
  subject: string;
  /** Plain text; lines become <br>. */
  body: string;
  dueAt: Date;
  priority: 'LOW' | 'MEDIUM' | 'HIGH';
  /** The HubSpot owner who gets the task; null leaves it unassigned. */
  ownerId: string | null;
}

export interface FoundTask {
  id: string;
  status: string | null;
}

const enc = encodeURIComponent;

export class DealTasks {
  constructor(private readonly http: HubSpotRequester) {}

  /** The deal's owner id (null: nobody owns it), or null for the whole answer when HubSpot has no such deal. */
  async dealOwner(portalId: number, dealId: string): Promise<{ ownerId: string | null } | null> {
    const deal = await this.http.request(
      portalId,
      { method: 'GET', path: `/crm/v3/objects/deals/${enc(dealId)}`, qs: { properties: 'hubspot_owner_id' }, what: `reading the owner of deal ${dealId}` },
      crmObjectSchema,
      { notFound: 'null' },
    );
    if (!deal) return null;
    const owner = deal.properties.hubspot_owner_id?.trim();
    return { ownerId: owner ? owner : null };
  }

  async createTask(portalId: number, task: NewDealTask): Promise<{ id: string }> {
    const properties: Record<string, string> = {
      hs_task_subject: task.subject,
      hs_task_body: plainTextHtml(task.body),
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: task.priority,
      hs_task_type: 'TODO',
      hs_timestamp: task.dueAt.toISOString(),
    };
    if (task.ownerId !== null) properties.hubspot_owner_id = task.ownerId;
    const created = await this.http.request(
      portalId,
      {
        method: 'POST',
        path: '/crm/v3/objects/tasks',
        body: { properties, associations: [{ to: { id: task.dealId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: TASK_TO_DEAL }] }] },
        what: `adding a task to deal ${task.dealId}`,
      },
      createdSchema,
    );
    return { id: created.id };
  }

  /**
   * Sets the task COMPLETED. 'gone' when HubSpot no longer has it (a person deleted it): there is nothing left to
   * complete. Completing a task a person already completed changes nothing.
   */
  async completeTask(portalId: number, taskId: string): Promise<'completed' | 'gone'> {
    const answer = await this.http.request(
      portalId,
      { method: 'PATCH', path: `/crm/v3/objects/tasks/${enc(taskId)}`, body: { properties: { hs_task_status: 'COMPLETED' } }, what: `completing task ${taskId}` },
      createdSchema,
      { notFound: 'null' },
    );
    return answer === null ? 'gone' : 'completed';
  }

  /**
   * The deal's task whose body contains `text`, or null (also when the deal itself is gone). Reads the deal's task
   * associations (every v4 page) and the tasks' bodies in batches: the associations API answers from the record
   * itself, where search would lag a few seconds behind a create.
   */
  async findDealTaskByText(portalId: number, dealId: string, text: string): Promise<FoundTask | null> {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.http.request(
        portalId,
        {
          method: 'GET',
          path: `/crm/v4/objects/deals/${enc(dealId)}/associations/tasks`,
          qs: { limit: String(V4_PAGE), ...(after !== undefined ? { after } : {}) },
          what: `reading the tasks of deal ${dealId}`,
        },
        v4AssociationsSchema,
        { notFound: 'null' },
      );
      if (!page) return null;
      ids.push(...page.results.map((r) => r.toObjectId));
      after = page.paging?.next?.after;
    } while (after !== undefined);
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += BATCH_SIZE) {
      const answer = await this.http.request(
        portalId,
        {
          method: 'POST',
          path: '/crm/v3/objects/tasks/batch/read',
          body: { inputs: unique.slice(start, start + BATCH_SIZE).map((id) => ({ id })), properties: ['hs_task_body', 'hs_task_status'] },
          what: `reading the tasks of deal ${dealId}`,
        },
        batchReadSchema,
      );
      const found = answer.results.find((t) => (t.properties.hs_task_body ?? '').includes(text));
      if (found) return { id: found.id, status: found.properties.hs_task_status ?? null };
    }
    return null;
  }
}

/**
 * HubSpot refused the owner: the deal's owner was deactivated or removed since (a 400 naming hubspot_owner_id). A 400
 * means nothing was created, so the task may be created again without an owner.
 */
export function isRefusedOwner(err: unknown): boolean {
  return err instanceof HubSpotApiError && err.status === 400 && err.message.includes('hubspot_owner_id');
}

/** hs_task_body is HTML: the plain text is escaped (a customer named "A<B & Co" stays readable), lines become <br>. */
function plainTextHtml(plain: string): string {
  return plain
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r?\n/g, '<br>');
}
