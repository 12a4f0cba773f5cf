import { CrmError, badRequest, invalidPropertyValues, propertyValueError, type PropertyValueError } from './errors';
import { formatDecimal, parseDecimal } from './decimal';
import { lineItemAmounts, lineItemProblems } from './line-items';
import type { ObjectTypeInfo } from './object-types';
import type { Owner } from './owners';
import type { DealPipelines } from './pipelines';
import type { PropertySchema } from './properties';
import { normalizeValue } from './values';

/** What a write needs to know about the account it lands in. */
export interface WriteContext {
  type: ObjectTypeInfo;
  schema: PropertySchema;
  pipelines: DealPipelines;
  owners: readonly Owner[];
  /** The id of the object being updated (undefined on create). */
  objectId?: string;
  /** Another live object of the same type holding `value` in unique property `name`, if any. */
  holderOf(name: string, value: string): string | undefined;
}

export interface WriteResult {
  /** The object's user-visible properties after the write (system ones are the account's business). */
  properties: Record<string, string>;
  /** Names whose value HubSpot computes (their changes are reported with changeSource CALCULATED). */
  calculated: string[];
}

/**
 * Checks and applies a property write the way HubSpot does: unknown, read-only and malformed values are reported
 * together in one 400; then the object type's own rules (deal stage within its pipeline, line-item amounts,
 * engagements' hs_timestamp, unique values) run on the merged result. Nothing is stored here.
 */
export function applyWrite(ctx: WriteContext, current: Record<string, string>, input: unknown): WriteResult {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw badRequest('properties must be an object of property values');
  const next = { ...current };
  const problems: PropertyValueError[] = [];
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    const def = ctx.schema.find(ctx.type.name, name);
    if (!def) {
      problems.push(propertyValueError(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`));
      continue;
    }
    if (def.readOnlyValue) {
      problems.push(propertyValueError(name, 'READ_ONLY_VALUE', `"${name}" is a read only property; its value cannot be set.`));
      continue;
    }
    const normalized = normalizeValue(def, raw);
    if (!normalized.ok) problems.push(normalized.problem);
    else if (normalized.value === null) delete next[name];
    else next[name] = normalized.value;
  }
  if (problems.length === 0) problems.push(...typeRules(ctx, next));
  if (problems.length > 0) throw invalidPropertyValues(problems);
  checkUnique(ctx, current, next);
  const derived = ctx.type.name === 'line_items' ? lineItemAmounts(next) : ctx.type.name === 'deals' ? dealStageFacts(ctx, next) : {};
  for (const [name, value] of Object.entries(derived)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return { properties: next, calculated: Object.keys(derived) };
}

/**
 * HubSpot's calculated deal properties that follow the stage: `hs_is_closed`, `hs_is_closed_won` ("true" when
 * the stage is closed with probability 1.0) and `hs_deal_stage_probability`. They let a search find won deals
 * across pipelines without knowing stage ids.
 */
function dealStageFacts(ctx: WriteContext, next: Record<string, string>): Record<string, string | null> {
  const stage = ctx.pipelines.find(next.pipeline ?? 'default')?.stages.find((s) => s.id === next.dealstage);
  if (!stage) return { hs_is_closed: null, hs_is_closed_won: null, hs_deal_stage_probability: null };
  return {
    hs_is_closed: String(stage.isClosed),
    hs_is_closed_won: String(stage.isClosed && Number(stage.probability) === 1),
    hs_deal_stage_probability: formatDecimal(parseDecimal(stage.probability) ?? { units: 0n, scale: 0 }),
  };
}

function typeRules(ctx: WriteContext, next: Record<string, string>): PropertyValueError[] {
  const problems: PropertyValueError[] = [];
  const owner = next.hubspot_owner_id;
  if (owner !== undefined && !ctx.owners.some((o) => o.id === owner)) {
    problems.push(propertyValueError('hubspot_owner_id', 'INVALID_OPTION', `${owner} was not one of the allowed options: [${ctx.owners.map((o) => o.id).join(', ')}]`));
  }
  switch (ctx.type.name) {
    case 'deals':
      problems.push(...dealStageRules(ctx, next));
      break;
    case 'line_items':
      problems.push(...lineItemProblems(next));
      break;
    case 'tasks':
    case 'notes':
      // Engagements need their time: HubSpot requires hs_timestamp on tasks and notes.
      if (next.hs_timestamp === undefined) {
        problems.push(propertyValueError('hs_timestamp', 'REQUIRED_PROPERTY', 'hs_timestamp is required'));
      }
      break;
    default:
      break;
  }
  return problems;
}

/**
 * A deal's stage must be one of its pipeline's stages (stage ids are unique within a pipeline only). A deal
 * written without a pipeline goes to `default`, and one created without a stage starts in the pipeline's first
 * stage (simulator choice; HubSpot's UI does the same).
 */
function dealStageRules(ctx: WriteContext, next: Record<string, string>): PropertyValueError[] {
  const pipelineId = next.pipeline ?? 'default';
  const pipeline = ctx.pipelines.find(pipelineId);
  if (!pipeline) {
    const ids = ctx.pipelines.list().map((p) => p.id);
    return [propertyValueError('pipeline', 'INVALID_OPTION', `${pipelineId} was not one of the allowed options: [${ids.join(', ')}]`)];
  }
  next.pipeline = pipeline.id;
  const stageId = next.dealstage ?? pipeline.stages[0]?.id;
  if (stageId === undefined) return [];
  if (!pipeline.stages.some((s) => s.id === stageId)) {
    const ids = pipeline.stages.map((s) => s.id);
    return [propertyValueError('dealstage', 'INVALID_OPTION', `${stageId} was not one of the allowed options: [${ids.join(', ')}] for pipeline ${pipeline.id}`)];
  }
  next.dealstage = stageId;
  return [];
}

/** A unique property (contact email, custom unique properties) may not hold another object's value: 409. */
function checkUnique(ctx: WriteContext, current: Record<string, string>, next: Record<string, string>): void {
  for (const def of ctx.schema.list(ctx.type.name)) {
    if (!def.hasUniqueValue || def.name === 'hs_object_id') continue;
    const value = next[def.name];
    if (value === undefined || value === current[def.name]) continue;
    const holder = ctx.holderOf(def.name, value);
    if (holder === undefined || holder === ctx.objectId) continue;
    // HubSpot's words for contacts (seen in real 409s): "Contact already exists. Existing ID: 123".
    const message = ctx.type.name === 'contacts'
      ? `Contact already exists. Existing ID: ${holder}`
      : `${ctx.type.singular} with ${def.name} ${value} already exists. Existing ID: ${holder}`;
    throw new CrmError(409, 'CONFLICT', message);
  }
}
