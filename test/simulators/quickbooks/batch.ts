/**
 * `POST /batch`: `{"BatchItemRequest":[{bId, operation, <Entity>:{...}} | {bId, Query}]}`, at most 30 items (Intuit's
 * limits page recommends 30; its batch page says 10). Each item succeeds or faults on its own; the HTTP answer is 200
 * with one BatchItemResponse per item, carrying its bId and the entity, a QueryResponse or a Fault.
 */
import type { QboCompany } from './company';
import { ENTITY_NAMES, type EntityName, type QboObject } from './entity-names';
import { QboFault, invalidValue, malformedRequest } from './fault';
import { deleteEntity, saveEntity, voidEntity } from './operations';
import { queryResponse } from './query';

export const MAX_BATCH_ITEMS = 30;

function answerItem(company: QboCompany, item: QboObject): QboObject {
  if (typeof item.Query === 'string') return { QueryResponse: queryResponse(company, item.Query) };
  const entities = ENTITY_NAMES.filter((name) => item[name] !== undefined);
  if (entities.length !== 1) throw malformedRequest('A batch item needs exactly one entity object or a Query');
  const entity = entities[0] as EntityName;
  const operation = String(item.operation ?? '').toLowerCase();
  const body = item[entity] as unknown;
  if (operation === 'create') {
    if (typeof body === 'object' && body !== null && (body as QboObject).Id !== undefined) throw invalidValue('A create may not carry an Id', `${entity}.Id`);
    return saveEntity(company, entity, body);
  }
  if (operation === 'update') {
    if (typeof body !== 'object' || body === null || (body as QboObject).Id === undefined) throw invalidValue('An update needs the Id', `${entity}.Id`);
    return saveEntity(company, entity, body);
  }
  if (operation === 'delete') return deleteEntity(company, entity, body);
  if (operation === 'void') return voidEntity(company, entity, body);
  throw invalidValue(`Unsupported batch operation: ${String(item.operation)}`, 'operation');
}

/** The BatchItemResponse array for a batch body (throws a QboFault for the batch as a whole). */
export function runBatch(company: QboCompany, body: unknown): QboObject[] {
  const items = (body as QboObject | undefined)?.BatchItemRequest as unknown;
  if (!Array.isArray(items) || items.length === 0) throw malformedRequest('BatchItemRequest must be a non-empty array');
  if (items.length > MAX_BATCH_ITEMS) {
    throw invalidValue(`Batch size exceeded: ${items.length} BatchItemRequest items sent, at most ${MAX_BATCH_ITEMS} are allowed`, 'BatchItemRequest');
  }
  return items.map((raw: unknown) => {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as QboObject;
    const bId = item.bId;
    try {
      return { bId, ...answerItem(company, item) };
    } catch (error) {
      if (!(error instanceof QboFault)) throw error;
      return { bId, Fault: { Error: error.errors, type: error.type } };
    }
  });
}
