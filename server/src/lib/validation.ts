import { z } from 'zod';
import { BadRequestError } from '../errors';

/**
 * Input from outside (a request body, a query, a stored choice a person made) is parsed with zod, never cast. A
 * failure is a 400 `validation_failed` whose details name each field, so a form can show every message beside its
 * field; `message` is the sentence for a person (default: zod's own summary of the problems).
 */
export function fieldIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, message?: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new BadRequestError(message ?? z.prettifyError(parsed.error), { code: 'validation_failed', details: fieldIssues(parsed.error) });
  return parsed.data;
}
