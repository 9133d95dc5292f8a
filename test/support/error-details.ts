// Clients that read the error details of a failed VideoService call (SPEC §6, AIP-193) as
// real callers do: @grpc/grpc-js decoding grpc-status-details-bin as a google.rpc.Status,
// connect-es's ConnectError.findDetails, and fetch with connect's own error JSON reader. Each
// reduces what it read to one comparable shape, so a suite runs the same case through each.
import { create, fromBinary, toJsonString, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { ConnectError, createClient, type Client } from '@connectrpc/connect';
import { codeFromHttpStatus, errorFromJsonBytes } from '@connectrpc/connect/protocol-connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { bearerTokenInterceptor } from '../../src/client.ts';
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from '../../src/gen/google/rpc/error_details_pb.ts';
import { StatusSchema } from '../../src/gen/google/rpc/status_pb.ts';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';

/** What a client read from one failed call: code, message and the three detail kinds. */
export interface ReadError {
  code: number;
  message: string;
  errorInfo?: { reason: string; domain: string; metadata: Record<string, string> };
  fieldViolations?: { field: string; description: string }[];
  retryDelayMs?: number;
}

export type Request = Record<string, unknown>;
/** A way to call a VideoService method by name with a plain request, reading the error it fails with. */
export type Caller = (method: string, request: Request, token: string | undefined) => Promise<ReadError>;

/** The ErrorInfo, BadRequest and RetryInfo among a call's details, in plain values. */
function plainDetails(unpack: <D extends DescMessage>(schema: D) => MessageShape<D> | undefined): Omit<ReadError, 'code' | 'message'> {
  const info = unpack(ErrorInfoSchema);
  const badRequest = unpack(BadRequestSchema);
  const retry = unpack(RetryInfoSchema)?.retryDelay;
  return {
    errorInfo: info && { reason: info.reason, domain: info.domain, metadata: { ...info.metadata } },
    fieldViolations: badRequest?.fieldViolations.map(({ field, description }) => ({ field, description })),
    retryDelayMs: retry && Number(retry.seconds) * 1000 + retry.nanos / 1e6,
  };
}

/**
 * What grpc-js reports for a failed call, its details decoded from grpc-status-details-bin as a
 * google.rpc.Status with protobuf-es; throws when the Status contradicts the trailers it travels beside.
 */
function readGrpcJsError(error: grpc.ServiceError): ReadError {
  const [bin] = error.metadata.get('grpc-status-details-bin');
  if (!(bin instanceof Buffer)) return { code: error.code, message: error.details };
  const status = fromBinary(StatusSchema, bin);
  if (status.code !== error.code || status.message !== error.details) throw new Error(`grpc-status-details-bin says ${status.code} ${status.message}`);
  return { code: error.code, message: error.details, ...plainDetails((schema) => status.details.map((any) => anyUnpack(any, schema)).find((m) => m !== undefined)) };
}

/** Ends a grpc-js call's Promise: with what its error says, or rejected when it succeeded or its details do not decode. */
function settle(method: string, error: grpc.ServiceError | null, resolve: (read: ReadError) => void, reject: (error: Error) => void): void {
  try {
    if (error === null) throw new Error(`${method} succeeded`);
    resolve(readGrpcJsError(error));
  } catch (failure) {
    reject(failure as Error);
  }
}

// proto-loader resolves google/protobuf/*.proto from the copies protobufjs bundles.
const grpcJsService = (
  grpc.loadPackageDefinition(protoLoader.loadSync('video/v1/video_service.proto', { includeDirs: ['proto'], longs: String, enums: String, defaults: true })) as unknown as {
    video: { v1: { VideoService: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client } };
  }
).video.v1.VideoService;

/**
 * @grpc/grpc-js loading the .proto; the details decoded from grpc-status-details-bin as a
 * google.rpc.Status with protobuf-es. With gzip requests grpc-js's calls go to connect-node
 * (the lean path takes identity only), so both gRPC writers of trailers are covered.
 */
export function grpcJsCaller(url: string, gzip: boolean): { call: Caller; close(): void } {
  const options: grpc.ChannelOptions = gzip ? { 'grpc.default_compression_algorithm': 2 } : {};
  const client = new grpcJsService(new URL(url).host, grpc.credentials.createInsecure(), options) as grpc.Client &
    Record<string, (request: unknown, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null) => void) => void>;
  const call: Caller = (method, request, token) =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
      client[method]!(request, metadata, (error) => {
        settle(method, error, resolve, reject);
      });
    });
  return { call, close: () => client.close() };
}

/** A connect-es client: ConnectError.findDetails reads the details. */
export function connectCaller(url: string, protocol: 'connect-json' | 'connect-binary' | 'grpc-web'): Caller {
  const clients = new Map<string | undefined, Client<typeof VideoService>>();
  const clientFor = (token: string | undefined) => {
    let client = clients.get(token);
    if (client === undefined) {
      const interceptors = token === undefined ? [] : [bearerTokenInterceptor(token)];
      const transport =
        protocol === 'grpc-web'
          ? createGrpcWebTransport({ baseUrl: url, httpVersion: '1.1', interceptors })
          : createConnectTransport({ baseUrl: url, httpVersion: '1.1', useBinaryFormat: protocol === 'connect-binary', interceptors });
      clients.set(token, (client = createClient(VideoService, transport)));
    }
    return client;
  };
  return async (method, request, token) => {
    const localName = method[0]!.toLowerCase() + method.slice(1);
    const rpc = (clientFor(token) as unknown as Record<string, (request: Request) => Promise<unknown>>)[localName]!;
    const error = await rpc(request).then(
      () => {
        throw new Error(`${method} succeeded`);
      },
      (caught: unknown) => caught,
    );
    if (!(error instanceof ConnectError)) throw error;
    return { code: error.code, message: error.rawMessage, ...plainDetails((schema) => error.findDetails(schema)[0]) };
  };
}

/**
 * Connect JSON by fetch, which sends a content-length, so the lean path serves it (connect-es's
 * Node transport does not, and goes to connect-node); the error body read by connect's own
 * errorFromJsonBytes, then ConnectError.findDetails as a Connect client does.
 */
export function fetchCaller(url: string): Caller {
  return async (method, request, token) => {
    const schema = VideoService.method[(method[0]!.toLowerCase() + method.slice(1)) as keyof typeof VideoService.method].input;
    const response = await fetch(`${url}/${VideoService.typeName}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: toJsonString(schema, create(schema, request as never)),
    });
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.ok) throw new Error(`${method} succeeded`);
    const error = errorFromJsonBytes(body, undefined, new ConnectError('not a Connect error', codeFromHttpStatus(response.status)));
    return { code: error.code, message: error.rawMessage, ...plainDetails((detail) => error.findDetails(detail)[0]) };
  };
}

/** The client kinds, each with the path of the server that serves it. */
export const kinds = [
  ['@grpc/grpc-js (lean gRPC path)', 'grpc-js'],
  ['@grpc/grpc-js with gzip requests (connect-node)', 'grpc-js-gzip'],
  ['fetch with Connect JSON (lean Connect path)', 'fetch-json'],
  ['connect-es Connect JSON (connect-node)', 'connect-json'],
  ['Connect binary (connect-node)', 'connect-binary'],
  ['gRPC-Web (connect-node)', 'grpc-web'],
] as const;

export type ClientKind = (typeof kinds)[number][1];

/** A caller of `kind` for `url`; `closers` collects what must be closed after the suite. */
export function callerOf(kind: ClientKind, url: string, closers: (() => void)[]): Caller {
  if (kind === 'grpc-js' || kind === 'grpc-js-gzip') {
    const { call, close } = grpcJsCaller(url, kind === 'grpc-js-gzip');
    closers.push(close);
    return call;
  }
  if (kind === 'fetch-json') return fetchCaller(url);
  return connectCaller(url, kind);
}

/** A raw gRPC call by @grpc/grpc-js: `body` sent as the request message's bytes, whatever they hold. */
export function rawGrpcJs(url: string, gzip: boolean, method: string, body: Buffer, token: string | undefined): Promise<ReadError> {
  const options: grpc.ChannelOptions = gzip ? { 'grpc.default_compression_algorithm': 2 } : {};
  const client = new grpc.Client(new URL(url).host, grpc.credentials.createInsecure(), options);
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return new Promise<ReadError>((resolve, reject) => {
    const identity = (bytes: Buffer) => bytes;
    client.makeUnaryRequest(`/${VideoService.typeName}/${method}`, identity, identity, body, metadata, (error) => {
      settle(method, error, resolve, reject);
    });
  }).finally(() => client.close());
}
