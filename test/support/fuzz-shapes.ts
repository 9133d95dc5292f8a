// The parts fuzzed requests are made of, shared by every protocol: procedure paths, header
// values, bearer tokens, and bodies of length-prefixed envelopes with fuzzed flags, lengths
// and compression.
import { gzipSync } from 'node:zlib';
import type { DescMessage, DescService } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { ServerReflection as ReflectionV1 } from '../../src/gen/grpc/reflection/v1/reflection_pb.ts';
import { ServerReflection as ReflectionV1alpha } from '../../src/gen/grpc/reflection/v1alpha/reflection_pb.ts';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';

/** The bearer values a fuzzed request may carry; `valid*` are filled in with minted tokens. */
export interface FuzzTokens {
  readonly alice: string;
  readonly bob: string;
  readonly admin: string;
  readonly expired: string;
}

export interface Procedure {
  readonly path: string;
  readonly input: DescMessage;
}

const services: readonly DescService[] = [VideoService, Health, ReflectionV1, ReflectionV1alpha];
const procedures: readonly Procedure[] = services.flatMap((service) =>
  service.methods.map((method) => ({ path: `/${service.typeName}/${method.name}`, input: method.input })),
);

const videoProcedures = procedures.filter((procedure) => procedure.path.startsWith(`/${VideoService.typeName}/`));

// Mostly the real procedures (VideoService first: it reaches the store), then paths near them
// (case, slashes, query, encoding) and plain nonsense.
export const pathArbitrary: fc.Arbitrary<Procedure> = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...videoProcedures) },
  { weight: 8, arbitrary: fc.constantFrom(...procedures) },
  fc.tuple(fc.constantFrom(...procedures), fc.constantFrom('/', '?', '?x=1', '//', '%2F', '#', '/..', ';a')).map(([procedure, tail]) => ({
    ...procedure,
    path: procedure.path + tail,
  })),
  fc.constantFrom(...procedures).map((procedure) => ({ ...procedure, path: procedure.path.toLowerCase() })),
  fc.tuple(fc.constantFrom(...procedures), fc.stringMatching(/^\/[A-Za-z0-9._~%/-]{0,40}$/)).map(([procedure, path]) => ({ ...procedure, path })),
  fc.constantFrom(...procedures).map((procedure) => ({ ...procedure, path: `/video.v1.VideoService/` })),
  fc.constantFrom(...procedures).map((procedure) => ({ ...procedure, path: '/healthz' })),
);

// Header values node:http2 and the HTTP/1.1 parser accept: printable ASCII.
export const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
export const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((name) => !reservedHeaders.has(name));
const reservedHeaders = new Set(['host', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'proxy-connection', 'te', 'content-length']);

export function optional<T>(value: fc.Arbitrary<T>, absentWeight = 4): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
}

export function authorization(tokens: FuzzTokens): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.constantFrom(`Bearer ${tokens.alice}`, `Bearer ${tokens.bob}`, `Bearer ${tokens.admin}`) },
    fc.constantFrom(`Bearer ${tokens.expired}`, 'Bearer', 'Bearer ', 'Bearer x.y.z', 'Basic YWxpY2U6eA==', `bearer ${tokens.alice}`, `Bearer ${tokens.alice}x`),
    headerValue,
  );
}

export const timeoutValue = fc.oneof(fc.constantFrom('1S', '100m', '1n', '0S', '5000u', '99999999H', '100000000S', '1x', '-1S', 'S', ''), headerValue);
export const encodingValue = fc.oneof(fc.constantFrom('gzip', 'identity', 'br', 'deflate', 'snappy', 'gzip, br', 'GZIP'), headerValue);

/** Gzip of 8 MiB of zeros (~8 KiB on the wire): its inflated size is far above the 1 MiB message limit. */
const gzipBomb = new Uint8Array(gzipSync(Buffer.alloc(8 * 1024 * 1024)));

interface Envelope {
  readonly flags: number;
  readonly payload: Uint8Array;
  /** What the length prefix claims; the payload's own length when exact. */
  readonly declaredLength: number;
}

function envelopeArbitrary(payload: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Envelope> {
  const body = fc.oneof(
    { weight: 6, arbitrary: payload.map((bytes) => ({ flags: 0, payload: bytes })) },
    { weight: 2, arbitrary: payload.map((bytes) => ({ flags: 1, payload: new Uint8Array(gzipSync(bytes)) })) },
    payload.map((bytes) => ({ flags: 1, payload: bytes })),
    fc.constant({ flags: 1, payload: gzipBomb }),
    fc.tuple(fc.integer({ min: 0, max: 255 }), payload).map(([flags, bytes]) => ({ flags, payload: bytes })),
    payload.map((bytes) => ({ flags: 0x80, payload: bytes })),
    payload.map((bytes) => ({ flags: 0x02, payload: bytes })),
  );
  // What the length prefix claims: the truth, a little off either way, or an absurd value.
  const length = fc.oneof(
    { weight: 12, arbitrary: fc.constant((actual: number) => actual) },
    fc.integer({ min: -8, max: 8 }).map((delta) => (actual: number) => Math.max(0, actual + delta)),
    fc.constantFrom(0, 0xffffffff, 0x7fffffff, 1024 * 1024 + 1, 2 ** 24).map((claimed) => () => claimed),
  );
  return fc.tuple(body, length).map(([{ flags, payload: bytes }, claim]) => ({ flags, payload: bytes, declaredLength: claim(bytes.length) }));
}

function joinEnvelopes(envelopes: readonly Envelope[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const envelope of envelopes) {
    const prefix = Buffer.alloc(5);
    prefix[0] = envelope.flags;
    prefix.writeUInt32BE(envelope.declaredLength >>> 0, 1);
    parts.push(prefix, Buffer.from(envelope.payload));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** A body of 0–3 envelopes of `payload`, sometimes cut short or followed by garbage. */
export function envelopedBody(payload: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 6, arbitrary: envelopeArbitrary(payload).map((envelope) => joinEnvelopes([envelope])) },
    fc.array(envelopeArbitrary(payload), { maxLength: 3 }).map(joinEnvelopes),
    fc.tuple(envelopeArbitrary(payload), fc.nat()).map(([envelope, cut]) => {
      const bytes = joinEnvelopes([envelope]);
      return bytes.subarray(0, cut % (bytes.length + 1));
    }),
    fc.uint8Array({ maxLength: 12 }),
  );
}

export function withExtraHeaders(headers: Record<string, string | undefined>, extra: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...extra, ...headers })) if (value !== undefined) all[name] = value;
  return all;
}

