import { randomUUID } from 'node:crypto';

/**
 * HubSpot's CRM error body: `{status:"error", message, correlationId, category, errors?, context?, links?}`
 * (reference "Error body"; the OpenAPI `Error` example is test/fixtures/hubspot/payloads.json#crm_error_body).
 * `status` (the HTTP status) is not echoed in the body: HubSpot's body always says `status: "error"`; it is taken
 * so that callers build the body and choose the HTTP status in one place.
 */
export function hubspotError(status: number, category: string, message: string, extra: object = {}): object {
  void status;
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

/** Thrown by the CRM rules; the router turns it into the HTTP status and HubSpot's error body. */
export class CrmError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly category: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CrmError';
  }

  body(): object {
    return hubspotError(this.httpStatus, this.category, this.message, this.extra);
  }
}

/** One rejected property value, in the form HubSpot embeds in "Property values were not valid: [...]". */
export interface PropertyValueError {
  isValid: false;
  message: string;
  error: string; // PROPERTY_DOESNT_EXIST, INVALID_OPTION, INVALID_FLOAT, READ_ONLY_VALUE, ...
  name: string;
  localizedErrorMessage: string;
}

export function propertyValueError(name: string, error: string, message: string): PropertyValueError {
  return { isValid: false, message, error, name, localizedErrorMessage: message };
}

/**
 * HubSpot reports invalid property values as one 400 whose message embeds the JSON list of problems, e.g.
 * `Property values were not valid: [{"isValid":false,"message":"Property \"foo\" does not exist",
 * "error":"PROPERTY_DOESNT_EXIST","name":"foo",...}]` (seen in real responses quoted in public issue trackers).
 * The same problems are also given structured in `errors[]`, each with its `context.propertyName`.
 */
export function invalidPropertyValues(problems: PropertyValueError[]): CrmError {
  return new CrmError(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(problems)}`, {
    errors: problems.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
  });
}

export function badRequest(message: string, extra: Record<string, unknown> = {}): CrmError {
  return new CrmError(400, 'VALIDATION_ERROR', message, extra);
}

export function notFound(message = 'resource not found', extra: Record<string, unknown> = {}): CrmError {
  return new CrmError(404, 'OBJECT_NOT_FOUND', message, extra);
}
