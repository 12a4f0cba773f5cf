import { z } from 'zod';

/**
 * Row mappers parse what Postgres returns instead of casting it: a column renamed by a migration, or a type that
 * changed, fails loudly at the mapper with the table's name rather than as `undefined` far away. The schemas below
 * are the column shapes `pg` produces: int8 and numeric arrive as strings, timestamptz as Date, jsonb as parsed JSON.
 */
export const bigintColumn = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform(Number);
export const integerColumn = z.number().int();
export const timestampColumn = z.date();
/** A `date` column read with to_char(..., 'YYYY-MM-DD') or as a Date: always `YYYY-MM-DD`. */
export const dateColumn = z.union([z.date().transform((d) => d.toISOString().slice(0, 10)), z.string().transform((s) => s.slice(0, 10))]);
export const jsonObjectColumn = z.record(z.string(), z.unknown());

/** Parses one row with `schema`; a mismatch names the table and the columns that did not fit. */
export function parseRow<S extends z.ZodType>(table: string, schema: S, row: unknown): z.output<S> {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
    throw new Error(`unexpected ${table} row: ${problems}`);
  }
  return parsed.data;
}
