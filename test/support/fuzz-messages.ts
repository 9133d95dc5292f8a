// fast-check arbitraries for the request bodies of the wire fuzzer: protobuf messages built
// from the real schemas with hostile field values (so validation, page tokens and the store
// are reached, not only the parser), then mutated bytes, raw garbage and JSON variants.
import { create, toBinary, toJsonString, ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';

/** Owners the fuzzer's valid tokens are minted for, so fuzzed ids sometimes hit real rows. */
export const fuzzOwners = ['alice', 'bob'] as const;

const hostileStrings = fc.constantFrom(
  '',
  ' ',
  'alice',
  'bob',
  '*',
  '%',
  '../../etc/passwd',
  'a'.repeat(301),
  // Astral characters (two UTF-16 units) where a message or a limit might cut a string.
  `${'k'.repeat(79)}🎬tail`,
  `${'a'.repeat(299)}🎬`,
  '🎬'.repeat(200),
  'x'.repeat(4_000),
  '\u0000',
  '\uD800',
  '\uFFFF',
  'ñandú 🎬',
  'VIDEO_STATUS_READY',
  'uploaded',
  'null',
  'eyJ2IjoxfQ.AAAA',
  'eyJ2IjoxLCJvIjoiYWxpY2UiLCJzIjoiIiwidCI6OTk5OTk5OTk5OTk5OTk5OTksImkiOiJ4In0.AAAAAAAAAAAA',
  '01a21073-e94b-7791-9ee6-4b3bf8727f1d',
  'title,labels,status',
  'create_time',
  'v1',
  'v0',
  'v99999999999999999999',
);

const fuzzString = fc.oneof({ weight: 3, arbitrary: hostileStrings }, { weight: 2, arbitrary: fc.string({ maxLength: 40 }) }, fc.string({ unit: 'grapheme', maxLength: 12 }));

function scalarArbitrary(scalar: ScalarType): fc.Arbitrary<unknown> {
  switch (scalar) {
    case ScalarType.STRING:
      return fuzzString;
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 32 });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.oneof(fc.double(), fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e308));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 8_640_000_000_000n));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, 2n ** 64n - 1n));
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 32 - 1));
    default:
      return fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31)));
  }
}

function fieldArbitrary(field: DescField, depth: number): fc.Arbitrary<unknown> {
  const enumValue = (values: readonly { number: number }[]) =>
    fc.oneof(fc.constantFrom(...values.map((value) => value.number)), fc.integer({ min: -5, max: 1_000 }));
  switch (field.fieldKind) {
    case 'scalar':
      return scalarArbitrary(field.scalar);
    case 'enum':
      return enumValue(field.enum.values);
    case 'message':
      return depth < 3 ? messageValue(field.message, depth + 1) : fc.constant(undefined);
    case 'list': {
      const element =
        field.listKind === 'scalar'
          ? scalarArbitrary(field.scalar)
          : field.listKind === 'enum'
            ? enumValue(field.enum.values)
            : depth < 3
              ? messageValue(field.message, depth + 1)
              : fc.constant(undefined);
      return fc.array(element, { maxLength: 4 }).map((items) => items.filter((item) => item !== undefined));
    }
    case 'map': {
      const value =
        field.mapKind === 'scalar'
          ? scalarArbitrary(field.scalar)
          : field.mapKind === 'enum'
            ? enumValue(field.enum.values)
            : depth < 3
              ? messageValue(field.message, depth + 1)
              : fc.constant(undefined);
      return fc
        .dictionary(fuzzString.filter((key) => key !== '__proto__'), value, { maxKeys: 4 })
        .map((entries) => Object.fromEntries(Object.entries(entries).filter(([, item]) => item !== undefined)));
    }
  }
}

function messageValue(desc: DescMessage, depth: number): fc.Arbitrary<Record<string, unknown>> {
  // A oneof is one property holding { case, value }; plain fields are set directly.
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const member of desc.members) {
    if (member.kind === 'oneof') {
      shape[member.localName] = fc.oneof(
        ...member.fields.map((field) => fieldArbitrary(field, depth).map((value) => ({ case: field.localName, value }))),
      );
    } else {
      shape[member.localName] = fieldArbitrary(member, depth);
    }
  }
  return fc.record(shape, { requiredKeys: [] }).map((value) => {
    // create() expects nested messages as init objects; undefined means "not set".
    return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
  });
}

/** A valid binary encoding of `desc` with hostile field values. */
export function protobufOf(desc: DescMessage): fc.Arbitrary<Uint8Array> {
  return messageValue(desc, 0).map((value) => {
    try {
      return toBinary(desc, create(desc, value as never));
    } catch {
      return new Uint8Array(0);
    }
  });
}

/** The canonical JSON of `desc` with hostile field values ("{}" when a value has no JSON form). */
export function jsonOf(desc: DescMessage): fc.Arbitrary<string> {
  return messageValue(desc, 0).map((value) => {
    try {
      return toJsonString(desc, create(desc, value as never));
    } catch {
      return '{}';
    }
  });
}

/** Bytes near a valid message: truncated, with bytes flipped or garbage appended, or garbage alone. */
export function mutatedBytes(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    fc.tuple(valid, fc.nat()).map(([bytes, cut]) => bytes.subarray(0, bytes.length === 0 ? 0 : cut % bytes.length)),
    fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([bytes, flips]) => {
      const copy = Uint8Array.from(bytes);
      for (const [at, value] of flips) if (copy.length > 0) copy[at % copy.length] = value;
      return copy;
    }),
    fc.tuple(valid, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([bytes, tail]) => Buffer.concat([bytes, tail])),
    fc.uint8Array({ maxLength: 64 }),
    // Hand-made wire shapes: a huge length prefix, a group, an invalid wire type, deep nesting.
    fc.constantFrom(
      Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f),
      Uint8Array.of(0x0b, 0x0c),
      Uint8Array.of(0x0f),
      Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
      Uint8Array.from(Array.from({ length: 400 }, (_, index) => (index % 2 === 0 ? 0x0a : 0x00))),
      Buffer.concat(Array.from({ length: 200 }, () => Uint8Array.of(0x12, 0x7f))),
    ),
  );
}

/** JSON bodies near a valid one: wrong types, unknown fields, deep nesting, invalid UTF-8, garbage. */
export function mutatedJson(valid: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> {
  const text = fc.oneof(
    { weight: 4, arbitrary: valid },
    fc.constantFrom(
      '',
      'null',
      '[]',
      '"x"',
      '{',
      '{"videoId": 1}',
      '{"pageSize": "many"}',
      '{"pageSize": 1e400}',
      '{"pageSize": -1}',
      '{"status": "NOT_A_STATUS"}',
      '{"statusFilter": ["VIDEO_STATUS_NOPE"]}',
      '{"video": {"createTime": "99999-01-01T00:00:00Z"}}',
      '{"video": {"sizeBytes": "18446744073709551616"}}',
      '{"updateMask": "a,b,,c"}',
      '{"__proto__": {"polluted": true}}',
      '{"constructor": {"prototype": {"x": 1}}}',
      '['.repeat(5_000) + ']'.repeat(5_000),
      '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_000),
    ),
    fc.json({ maxDepth: 3 }),
    fc.string({ maxLength: 60 }),
  );
  return fc.oneof(
    { weight: 5, arbitrary: text.map((value) => new Uint8Array(Buffer.from(value, 'utf8'))) },
    // A JSON string holding bytes that are not UTF-8.
    fc.constantFrom(
      Buffer.concat([Buffer.from('{"videoId":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
      Buffer.concat([Buffer.from('{"video":{"originalName":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')]),
    ).map((bytes) => new Uint8Array(bytes)),
  );
}
