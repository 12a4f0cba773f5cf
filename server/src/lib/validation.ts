import { z } from 'zod';
import { BadRequestError, UnprocessableError } from '../errors';

/**
 * Input from outside (a request body, a query, a stored choice a person made) is parsed with zod, never cast. A
 * failure is a 400 `validation_failed` whose details name each field, so a form can show every message beside its
 * field; `message` is the sentence for a person (default: zod's own summary of the problems).
 */
export function fieldIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/**
 * The same issues, with an unknown key named as its own field (`settings.autoInvoise`) rather than as its parent's
 * ("unrecognized key(s) in object" on the parent), so a form can show the message beside the field that is wrong.
 */
export function perFieldIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') return i.keys.map((key) => ({ path: [...i.path, key].join('.'), message: `unknown setting “${key}”` }));
    return [{ path: i.path.join('.'), message: i.message }];
  });
}

export type FieldIssue = { path: string; message: string };

/**
 * The one shape of per-field details in an error: `fields` maps each dotted field path to its message (several
 * messages of one field joined), `issues` lists them one by one, in order. A form shows `fields` beside its inputs.
 */
export function fieldDetails(issues: ReadonlyArray<FieldIssue>): { fields: Record<string, string>; issues: FieldIssue[] } {
  const fields: Record<string, string> = {};
  for (const issue of issues) fields[issue.path] = fields[issue.path] === undefined ? issue.message : `${fields[issue.path]}; ${issue.message}`;
  return { fields, issues: issues.map((i) => ({ path: i.path, message: i.message })) };
}

/**
 * Values that are wrong (422, `validation_failed` unless a more precise `code` names the refusal), with
 * `fieldDetails` as its details.
 */
export function invalidFields(message: string, issues: ReadonlyArray<FieldIssue>, code = 'validation_failed'): UnprocessableError {
  return new UnprocessableError(message, { code, details: fieldDetails(issues) });
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, message?: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new BadRequestError(message ?? z.prettifyError(parsed.error), { code: 'validation_failed', details: fieldIssues(parsed.error) });
  return parsed.data;
}
