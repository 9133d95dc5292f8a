// A compile-time proof that a mapping names every field (issue 11): a Video field added to
// the entity but forgotten in a mapping must be a type error, not a silent drop.

/**
 * Compiles only when `Missing` is `never`. Call it at module level with the keys a mapping
 * leaves out, e.g. `mapsEveryField<Exclude<keyof VideoFields, MappedKey>>()`: the compiler
 * then names any key that is missing. Does nothing at run time.
 */
export function mapsEveryField<Missing extends never>(): void {
  return undefined as Missing;
}
