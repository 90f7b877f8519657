/**
 * Lookups in constant tables by a name that comes from input (an SSML element or attribute, an entity, a field):
 * own entries only, so "constructor" or "toString" find nothing instead of Object's members.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
