// A query shape compiled by Kysely once, then bound per call without Kysely. Building and
// compiling a Kysely query costs about as much as running the statement itself (the
// issue-10 profile: 30–35 µs per read through Kysely against 7.5–8 µs prepared once), so
// the hot paths build each shape once with named slots in place of the values, keep the
// SQL text, and per call only fill an array in the slots' order.
//
// Kysely passes values through to the parameter list untouched, so a slot is a string
// no caller could send (it starts with a NUL); constants in the shape (the `+ 1` of a
// version bump) stay as they are.
import type { Compilable } from 'kysely';

const slotPrefix = '\u0000slot:';

/** A placeholder for the value named `name`, to build a shape with; typed as whatever the builder wants. */
export function slot<T = never>(name: string): T {
  return `${slotPrefix}${name}` as T;
}

/** The SQL of one shape and how to fill its parameters from named values. */
export interface StatementShape {
  readonly sql: string;
  bind(values: object): unknown[];
}

/** Compiles `query` (built with slot() values) once; bind() then costs one small loop per call. */
export function shapeOf(query: Compilable): StatementShape {
  const { sql, parameters } = query.compile();
  const names = parameters.map((value) =>
    typeof value === 'string' && value.startsWith(slotPrefix) ? value.slice(slotPrefix.length) : undefined,
  );
  const constants = [...parameters];
  return {
    sql,
    bind(given) {
      const values = given as Readonly<Record<string, unknown>>;
      const bound = new Array<unknown>(names.length);
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (name === undefined) {
          bound[i] = constants[i];
          continue;
        }
        if (!(name in values)) throw new Error(`sqlite statement shape: no value for slot ${name}`);
        bound[i] = values[name];
      }
      return bound;
    },
  };
}
