import { propertyValueError, type PropertyValueError } from './errors';
import { formatDecimal, parseDecimal } from './decimal';
import type { PropertyDefinition } from './property-definitions';

/** A written value after HubSpot's normalisation: a string, or `null` when the write clears the property. */
export type Normalized = { ok: true; value: string | null } | { ok: false; problem: PropertyValueError };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Normalises one written value the way HubSpot stores it. Values arrive as strings, numbers or booleans (clients
 * send all three); "" and null clear the property. Numbers are kept as canonical decimals, datetimes as ISO
 * instants with ms (written as epoch ms or ISO), dates as YYYY-MM-DD (HubSpot rejects a date that is not
 * midnight UTC), booleans as "true"/"false". Options are checked here unless they live outside the definition.
 */
export function normalizeValue(def: PropertyDefinition, raw: unknown): Normalized {
  if (raw === null || raw === '') return { ok: true, value: null };
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    return fail(def, 'INVALID_PROPERTY_VALUE', `${JSON.stringify(raw)} is not a valid value for ${def.name}`);
  }
  const text = String(raw);
  switch (def.type) {
    case 'number': {
      const d = parseDecimal(typeof raw === 'number' ? raw : text);
      return d ? { ok: true, value: formatDecimal(d) } : fail(def, 'INVALID_FLOAT', `${text} is not a valid number`);
    }
    case 'datetime': {
      const ms = parseInstant(text);
      return ms === undefined ? fail(def, 'INVALID_DATE', `${text} is not a valid date`) : { ok: true, value: new Date(ms).toISOString() };
    }
    case 'date': {
      const ms = parseInstant(text);
      if (ms === undefined) return fail(def, 'INVALID_DATE', `${text} is not a valid date`);
      if (ms % 86_400_000 !== 0) return fail(def, 'INVALID_DATE', `${text} is not at midnight UTC`);
      return { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
    }
    case 'bool': {
      const lower = text.toLowerCase();
      return lower === 'true' || lower === 'false' ? { ok: true, value: lower } : fail(def, 'INVALID_BOOLEAN', `${text} is not a valid boolean`);
    }
    case 'enumeration':
      return normalizeOption(def, text);
    default:
      if (def.name === 'email' && !/^[^@\s]+@[^@\s]+$/.test(text)) {
        return fail(def, 'INVALID_EMAIL', `Email address ${text} is invalid`);
      }
      return { ok: true, value: text };
  }
}

/** Epoch ms from "1700000000000", an ISO date or an ISO datetime; undefined if none of these. */
export function parseInstant(text: string): number | undefined {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (ISO_DATE.test(text) || ISO_DATETIME.test(text)) {
    const ms = Date.parse(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function normalizeOption(def: PropertyDefinition, text: string): Normalized {
  if (def.externalOptions) return { ok: true, value: text };
  const allowed = def.options.map((o) => o.value);
  // A checkbox enumeration holds several options separated by ';'.
  const chosen = def.fieldType === 'checkbox' ? text.split(';') : [text];
  const bad = chosen.find((v) => !allowed.includes(v));
  if (bad !== undefined) return fail(def, 'INVALID_OPTION', `${bad} was not one of the allowed options: [${allowed.join(', ')}]`);
  return { ok: true, value: text };
}

function fail(def: PropertyDefinition, code: string, message: string): Normalized {
  return { ok: false, problem: propertyValueError(def.name, code, message) };
}
