import type { ChangeOrigin, HubSpotAccount } from './account';
import { CrmError, badRequest } from './errors';
import type { ObjectTypeInfo } from './object-types';
import { checkHistoryCount } from './history';
import { objectToWire } from './wire';

/**
 * Inputs per batch call: 100, the figure usually given for HubSpot's CRM batch endpoints (not stated for all). The
 * refusal's category (VALIDATION_ERROR, 400) is HubSpot's; its words are not published, so the message is the simulator's.
 */
export const MAX_BATCH_INPUTS = 100;

export interface BatchOutcome {
  httpStatus: 200 | 201 | 204 | 207;
  body?: object;
}

interface Input {
  id?: unknown;
  idProperty?: unknown;
  properties?: unknown;
  associations?: unknown;
}

function inputsOf(body: unknown): Input[] {
  const inputs = (body as { inputs?: unknown } | undefined)?.inputs;
  if (!Array.isArray(inputs)) throw badRequest('inputs must be a list');
  if (inputs.length > MAX_BATCH_INPUTS) {
    throw badRequest(`Batch input size ${inputs.length} exceeds the limit of ${MAX_BATCH_INPUTS} inputs`);
  }
  return inputs.map((i: unknown) => (i ?? {}) as Input);
}

function idOf(input: Input): string {
  if (typeof input.id !== 'string' && typeof input.id !== 'number') throw badRequest('Each input needs an id');
  return String(input.id);
}

/**
 * `{status:"COMPLETE", results, startedAt, completedAt}`; when some ids were not found, HTTP 207 with `numErrors`
 * and `errors[{status, category, message, context}]`, as HubSpot's batch endpoints answer (message in HubSpot's words).
 */
function outcome(account: HubSpotAccount, type: ObjectTypeInfo, startedAtMs: number, okStatus: 200 | 201, results: object[], missing: string[]): BatchOutcome {
  const body = {
    status: 'COMPLETE',
    results,
    startedAt: new Date(startedAtMs).toISOString(),
    completedAt: new Date(account.nowMs()).toISOString(),
  };
  if (missing.length === 0) return { httpStatus: okStatus, body };
  const errors = [{
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${type.singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids: missing },
  }];
  return { httpStatus: 207, body: { ...body, numErrors: errors.length, errors } };
}

/**
 * `batch/read {inputs:[{id}], properties, propertiesWithHistory, idProperty}`: found objects in input order; missing
 * ids make a 207. With history asked for, at most 50 inputs (history.ts).
 */
export function batchRead(account: HubSpotAccount, type: ObjectTypeInfo, body: unknown): BatchOutcome {
  const started = account.nowMs();
  const request = (body ?? {}) as { properties?: unknown; propertiesWithHistory?: unknown; idProperty?: unknown };
  const properties = Array.isArray(request.properties) ? request.properties.map(String) : undefined;
  const propertiesWithHistory = Array.isArray(request.propertiesWithHistory) ? request.propertiesWithHistory.map(String) : undefined;
  const idProperty = typeof request.idProperty === 'string' ? request.idProperty : undefined;
  const inputs = inputsOf(body);
  checkHistoryCount(inputs.length, propertiesWithHistory);
  const results: object[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    const id = idOf(input);
    const object = idProperty && idProperty !== 'hs_object_id' ? account.findByUnique(type.name, idProperty, id) : account.find(type.name, id);
    if (object) results.push(objectToWire(account, type, object, { ...(properties ? { properties } : {}), ...(propertiesWithHistory ? { propertiesWithHistory } : {}) }));
    else missing.push(id);
  }
  return outcome(account, type, started, 200, results, missing);
}

/** `batch/create`: every input is validated before any is stored, so a bad input fails the whole call (400). */
export function batchCreate(account: HubSpotAccount, type: ObjectTypeInfo, body: unknown, origin: ChangeOrigin): BatchOutcome {
  const started = account.nowMs();
  const inputs = inputsOf(body);
  const created = atomically(account, type, () =>
    inputs.map((input) => account.create(type.name, input.properties, input.associations, origin)),
  );
  return outcome(account, type, started, 201, created.map((o) => objectToWire(account, type, o, { all: true })), []);
}

/**
 * `batch/update {inputs:[{id, properties}]}`: ids that do not exist are reported (207) while the others are
 * written; an invalid property value fails the whole call before anything is written (400).
 */
export function batchUpdate(account: HubSpotAccount, type: ObjectTypeInfo, body: unknown, origin: ChangeOrigin): BatchOutcome {
  const started = account.nowMs();
  const inputs = inputsOf(body).map((input) => ({ id: idOf(input), properties: input.properties, idProperty: typeof input.idProperty === 'string' ? input.idProperty : undefined }));
  const missing: string[] = [];
  const present = inputs.filter((input) => {
    const exists = input.idProperty && input.idProperty !== 'hs_object_id'
      ? account.findByUnique(type.name, input.idProperty, input.id) !== undefined
      : account.find(type.name, input.id) !== undefined;
    if (!exists) missing.push(input.id);
    return exists;
  });
  for (const input of present) account.checkUpdate(type.name, input.id, input.properties, input.idProperty);
  const results = present.map((input) => objectToWire(account, type, account.update(type.name, input.id, input.properties, origin, input.idProperty), { all: true }));
  return outcome(account, type, started, 200, results, missing);
}

/**
 * `batch/upsert {inputs:[{id, idProperty, properties}]}`: `id` is the value of the unique `idProperty` (e.g. a
 * contact's email). A match is updated (`new: false`), otherwise an object is created holding that value
 * (`new: true`).
 */
export function batchUpsert(account: HubSpotAccount, type: ObjectTypeInfo, body: unknown, origin: ChangeOrigin): BatchOutcome {
  const started = account.nowMs();
  const inputs = inputsOf(body);
  const results = atomically(account, type, () =>
    inputs.map((input) => {
      const id = idOf(input);
      const idProperty = typeof input.idProperty === 'string' ? input.idProperty : 'hs_object_id';
      const existing = idProperty === 'hs_object_id' ? account.find(type.name, id) : account.findByUnique(type.name, idProperty, id);
      if (existing) {
        const updated = account.update(type.name, existing.id, input.properties, origin);
        return { ...objectToWire(account, type, updated, { all: true }), new: false };
      }
      if (idProperty === 'hs_object_id') throw new CrmError(404, 'OBJECT_NOT_FOUND', `No ${type.singular} with id ${id} exists to update`);
      const props = { ...((input.properties ?? {}) as Record<string, unknown>), [idProperty]: id };
      return { ...objectToWire(account, type, account.create(type.name, props, [], origin), { all: true }), new: true };
    }),
  );
  return outcome(account, type, started, 200, results, []);
}

/** `batch/archive {inputs:[{id}]}`: 204 whatever the ids (HubSpot does not report unknown ones here). */
export function batchArchive(account: HubSpotAccount, type: ObjectTypeInfo, body: unknown, origin: ChangeOrigin): BatchOutcome {
  for (const input of inputsOf(body)) {
    const id = idOf(input);
    if (account.find(type.name, id)) account.archive(type.name, id, origin);
  }
  return { httpStatus: 204 };
}

/**
 * Runs a batch's writes so that a failing input leaves nothing behind: objects created before the failure are
 * discarded with their associations, and their creation and property events are never reported. (Updates inside
 * an upsert that fails later are not rolled back, and their events go out; HubSpot's own batch writes are not
 * transactional either.)
 */
function atomically<T>(account: HubSpotAccount, type: ObjectTypeInfo, run: () => T[]): T[] {
  return account.reportAfter(() => {
    const before = new Set(account.list(type.name).map((o) => o.id));
    try {
      return run();
    } catch (err) {
      for (const o of account.list(type.name)) if (!before.has(o.id)) account.discard(type.name, o.id);
      throw err;
    }
  });
}
