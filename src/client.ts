// What calling services import (SPEC §4): a typed VideoService client over gRPC, gRPC-Web
// or Connect, with a bearer token attached to every call.
import { createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { VideoService } from './gen/video/v1/video_service_pb.ts';

export { Code, ConnectError } from '@connectrpc/connect';
export { create } from '@bufbuild/protobuf';
export { VideoSchema, VideoStatus, type Video } from './gen/video/v1/video_pb.ts';
export * from './gen/video/v1/video_service_pb.ts';

/** A token, or a function returning one; the function is called for every request (so it can refresh). */
export type TokenSource = string | (() => string | Promise<string>);

export interface VideoServiceClientOptions {
  /** The service's address, e.g. http://127.0.0.1:8080 (https:// with TLS). */
  readonly baseUrl: string;
  readonly token: TokenSource;
  /** Wire protocol; default 'grpc'. */
  readonly protocol?: 'connect' | 'grpc' | 'grpc-web';
  /** Default '2' for gRPC (it needs HTTP/2) and '1.1' for the others. */
  readonly httpVersion?: '1.1' | '2';
  /** More client interceptors, run inside the bearer-token one. */
  readonly interceptors?: readonly Interceptor[];
}

/** A client interceptor setting `authorization: Bearer <token>` on every request. */
export function bearerTokenInterceptor(token: TokenSource): Interceptor {
  return (next) => async (request) => {
    const value = typeof token === 'function' ? await token() : token;
    request.header.set('authorization', `Bearer ${value}`);
    return next(request);
  };
}

/** A typed VideoService client that authenticates every call with `token`. */
export function createVideoServiceClient(options: VideoServiceClientOptions): Client<typeof VideoService> {
  const protocol = options.protocol ?? 'grpc';
  const interceptors = [bearerTokenInterceptor(options.token), ...(options.interceptors ?? [])];
  const transport =
    protocol === 'grpc'
      ? createGrpcTransport({ baseUrl: options.baseUrl, interceptors })
      : (protocol === 'connect' ? createConnectTransport : createGrpcWebTransport)({
          baseUrl: options.baseUrl,
          httpVersion: options.httpVersion ?? '1.1',
          interceptors,
        });
  return createClient(VideoService, transport);
}
