/**
 * `GET /cdc?entities=Invoice,Payment&changedSince=...` (Intuit ChangeDataCapture page): objects of the listed
 * entities changed since the time, full payloads, deleted ones as `{status:"Deleted", domain, Id,
 * MetaData:{LastUpdatedTime}}` after the live ones; at most 30 days back and 1000 objects in all.
 * Shape: `{"CDCResponse":[{"QueryResponse":[{"Invoice":[...],"startPosition":1,"maxResults":n,"totalCount":n}, ...]}]}`.
 */
import { copyOf, type QboCompany } from './company';
import { entityFromName, type EntityName, type QboObject } from './entity-names';
import { invalidValue, requiredParamMissing } from './fault';
import { parseQboInstant, qboDateTime } from './time';

export const CDC_MAX_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;
export const CDC_MAX_OBJECTS = 1000;
/** QBO does not track these in CDC. */
const NOT_TRACKED = new Set<EntityName>(['TaxCode', 'TaxRate']);

export function changeDataCapture(company: QboCompany, entitiesParam: unknown, changedSinceParam: unknown): QboObject {
  if (typeof entitiesParam !== 'string' || entitiesParam.trim() === '') throw requiredParamMissing('Required parameter entities is missing in the request', 'entities');
  if (typeof changedSinceParam !== 'string' || changedSinceParam.trim() === '') throw requiredParamMissing('Required parameter changedSince is missing in the request', 'changedSince');
  const entities = entitiesParam.split(',').map((name) => {
    const entity = entityFromName(name.trim());
    if (!entity || NOT_TRACKED.has(entity)) throw invalidValue(`Invalid entity for ChangeDataCapture: ${name.trim()}`, 'entities');
    return entity;
  });
  const sinceMs = parseQboInstant(changedSinceParam);
  if (Number.isNaN(sinceMs)) throw invalidValue(`Invalid changedSince: ${changedSinceParam}`, 'changedSince');
  if (sinceMs < company.nowMs() - CDC_MAX_LOOKBACK_MS) {
    throw invalidValue(`changedSince ${changedSinceParam} is more than 30 days in the past; ChangeDataCapture looks back at most 30 days`, 'changedSince');
  }
  let budget = CDC_MAX_OBJECTS;
  const groups = [...new Set(entities)].map((entity) => {
    // Stored objects are read in place; only the ones that fit in the answer are copied.
    const live = company
      .scan(entity)
      .filter((row) => row.updatedMs >= sinceMs)
      .sort((a, b) => a.updatedMs - b.updatedMs)
      .slice(0, Math.max(0, budget))
      .map((row) => copyOf(row.object));
    const deleted = company.deletedSince(entity, sinceMs).map((t) => ({ status: 'Deleted', domain: 'QBO', Id: t.id, MetaData: { LastUpdatedTime: qboDateTime(t.deletedMs) } }));
    const objects = [...live, ...deleted].slice(0, Math.max(0, budget));
    budget -= objects.length;
    if (objects.length === 0) return {};
    return { [entity]: objects, startPosition: 1, maxResults: objects.length, totalCount: objects.length };
  });
  return { CDCResponse: [{ QueryResponse: groups }] };
}
