/**
 * Row mappers return camelCase objects; this renames a parsed row's snake_case columns (portal_id -> portalId), in
 * the type as well, so a mapper is its zod schema plus this call instead of a hand-written list of fields.
 */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

export type CamelKeys<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] };

export function camelKeys<T extends Record<string, unknown>>(row: T): CamelKeys<T> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), value])) as CamelKeys<T>;
}
