/**
 * QBO Fault bodies and the error codes the simulator raises. Shape (fixtures fault_*.json;
 * developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes):
 * `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type":"ValidationFault"},"time":"..."}`.
 * Domain code throws a QboFault; the HTTP layer renders it with the envelope time of the company clock.
 */
import type { SimClock } from '../common/clock';
import { qboEnvelopeTime } from './time';

export interface QboFaultError {
  Message: string;
  Detail?: string;
  code: string;
  element?: string;
}

export type QboFaultType = 'ValidationFault' | 'SystemFault' | 'AuthenticationFault' | 'AuthorizationFault' | 'SERVICE';

/** A Fault body with the envelope time (what a client sees). */
export function faultBody(type: string, errors: QboFaultError[], clock: SimClock): object {
  return { Fault: { Error: errors.map((e) => ({ ...e })), type }, time: qboEnvelopeTime(clock.nowMs()) };
}

/**
 * The lower-case envelope QBO's front door answers with (fixture fault_3200_authentication_401.json): every key
 * present, `fault.error[]` with `message/detail/code/element` (null when absent), epoch-millisecond `time`.
 */
export function lowercaseFaultBody(type: string, errors: QboFaultError[], clock: SimClock): object {
  return {
    warnings: null,
    intuitObject: null,
    fault: { error: errors.map((e) => ({ message: e.Message, detail: e.Detail ?? null, code: e.code, element: e.element ?? null })), type },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: clock.nowMs(),
    status: null,
    cdcresponse: [],
  };
}

export class QboFault extends Error {
  readonly status: number;
  readonly type: string;
  readonly errors: QboFaultError[];
  /** Rendered in the lower-case envelope (the gateway's 401/403 answers) instead of `{"Fault": ...}`. */
  readonly lowercase: boolean;

  constructor(status: number, type: string, errors: QboFaultError[], options: { lowercase?: boolean } = {}) {
    super(errors.map((e) => `${e.code} ${e.Message}${e.Detail ? `: ${e.Detail}` : ''}`).join('; '));
    this.name = 'QboFault';
    this.status = status;
    this.type = type;
    this.errors = errors;
    this.lowercase = options.lowercase === true;
  }

  /** The Fault body without `time` (add it with toBody or faultBody when answering). */
  get body(): object {
    return { Fault: { Error: this.errors.map((e) => ({ ...e })), type: this.type } };
  }

  toBody(clock: SimClock): object {
    return this.lowercase ? lowercaseFaultBody(this.type, this.errors, clock) : faultBody(this.type, this.errors, clock);
  }

  /** The first error's code, as clients (intuit-oauth) read it. */
  get code(): string {
    return this.errors[0]?.code ?? '';
  }
}

const validation = (error: QboFaultError): QboFault => new QboFault(400, 'ValidationFault', [error]);

/** 610: a referenced or requested object does not exist or is inactive/deleted. */
export function objectNotFound(detail: string, element?: string): QboFault {
  return validation({ Message: 'Object Not Found', Detail: `Object Not Found : ${detail}`, code: '610', ...(element ? { element } : {}) });
}

/** 2020: a required field is missing (fixture fault_2020_required_param_missing.json). */
export function requiredParamMissing(detail: string, element?: string): QboFault {
  return validation({
    Message: 'Required param missing, need to supply the required value for the API',
    Detail: detail,
    code: '2020',
    ...(element ? { element } : {}),
  });
}

/** 2050-ish generic bad value; QBO reports invalid field values with varying codes, the text names the field. */
export const INVALID_VALUE_CODE = '2050';
export function invalidValue(detail: string, element?: string): QboFault {
  return validation({ Message: 'Invalid value', Detail: detail, code: INVALID_VALUE_CODE, ...(element ? { element } : {}) });
}

/**
 * 2050: a string longer than the field allows. Text as QBO sends it (quoted in ruckus/quickbooks-ruby#436 and
 * consolibyte/quickbooks-php#79): the numbers are printed with thousands separators ("Max:4,000").
 */
export function stringTooLong(element: string, max: number, supplied: number): QboFault {
  const n = (value: number): string => value.toLocaleString('en-US');
  return validation({
    Message: 'String length is either shorter or longer than supported by specification',
    Detail: `String length specified does not match the supported length. Min:0 Max:${n(max)} supported. Supplied length: ${n(supplied)}`,
    code: INVALID_VALUE_CODE,
    element,
  });
}

/** Refuses the first string field of `object` (dotted paths, e.g. `BillAddr.Line1`) longer than its limit. */
export function checkMaxLengths(object: Record<string, unknown>, limits: Readonly<Record<string, number>>): void {
  for (const [path, max] of Object.entries(limits)) {
    let value: unknown = object;
    for (const part of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    if (typeof value === 'string' && value.length > max) throw stringTooLong(path, max, value.length);
  }
}

/** 5010: the SyncToken sent is not the current one. */
export function staleObject(id: string, syncToken: unknown): QboFault {
  return validation({
    Message: 'Stale Object Error',
    Detail: `Stale Object Error : You and another user were working on the same thing. Please try again. (Id=${id}, SyncToken=${String(syncToken)})`,
    code: '5010',
  });
}

/** 6000: a business rule refused the write. */
export function businessValidation(detail: string, element?: string): QboFault {
  return validation({ Message: 'A business validation error has occurred while processing your request', Detail: `Business Validation Error: ${detail}`, code: '6000', ...(element ? { element } : {}) });
}

/**
 * A write dated on or before Preferences.AccountingInfoPrefs.BookCloseDate. The real code is unconfirmed
 * (one public report shows "Account Period Closed" with 5010), so it lives in this one constant.
 */
export const CLOSED_PERIOD_CODE = '6000';
export function accountPeriodClosed(txnDate: string, bookCloseDate: string): QboFault {
  return validation({
    Message: 'Account Period Closed',
    Detail: `Account Period Closed, Cannot Update Through Services API: TxnDate=${txnDate} is on or before the closing date ${bookCloseDate}`,
    code: CLOSED_PERIOD_CODE,
  });
}

/** 6140 (fixture fault_6140_duplicate_doc_number.json). */
export function duplicateDocNumber(docNumber: string, txnType: string, txnId: string): QboFault {
  return validation({
    Message: 'Duplicate Document Number Error',
    Detail: `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${docNumber} is assigned to TxnType=${txnType} with TxnId=${txnId}`,
    code: '6140',
    element: '',
  });
}

/**
 * 6240 (fixture fault_6240_duplicate_name.json). For the name list the Detail is the text QBO sends today
 * (intuit/QuickBooks-V3-PHP-SDK issue #241: "...: Another customer, vendor or employee is already using this
 * name. Please use a different name."); QBO does not say which object holds the name. No `element`: the JSON
 * fixture has none (the XML form in that issue shows element="").
 */
export function duplicateName(listKind = 'customer, vendor or employee'): QboFault {
  return validation({
    Message: 'Duplicate Name Exists Error',
    Detail: `The name supplied already exists. : Another ${listKind} is already using this name. Please use a different name.`,
    code: '6240',
  });
}

/** 4000: the query text does not parse (text seen in real answers: "Error parsing query" + QueryParserError detail). */
export function queryParseError(detail: string): QboFault {
  return validation({ Message: 'Error parsing query', Detail: `QueryParserError: ${detail}`, code: '4000' });
}

/** A request QBO refuses outright (unknown entity path, unsupported operation, bad JSON). */
export function unsupportedOperation(detail: string): QboFault {
  return validation({ Message: 'Unsupported Operation', Detail: `Operation ${detail} is not supported.`, code: '500' });
}

export function malformedRequest(detail: string): QboFault {
  return validation({ Message: 'Request has invalid or unsupported property', Detail: detail, code: '2010' });
}

export const APPLICATION_AUTHORIZATION_FAILED = 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403';

/**
 * 3100 (403): the company is not reachable with these credentials. The body QBO sends (quoted in
 * frappe/erpnext#29161) is the lower-case envelope with `detail: null` and `type: "SERVICE"`; the shell's 403
 * (auth-faults.ts) renders this same fault, so the two halves of the simulator cannot drift apart.
 */
export function authorizationFault(): QboFault {
  return new QboFault(403, 'SERVICE', [{ Message: APPLICATION_AUTHORIZATION_FAILED, code: '3100' }], { lowercase: true });
}
