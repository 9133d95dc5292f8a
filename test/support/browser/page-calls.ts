// The script the browser test's page runs in Chromium (bundled by esbuild at test time): calls
// VideoService from another origin with @connectrpc/connect-web, over Connect (a POST, then a
// Connect GET for a read) and over gRPC-Web, with a bearer token, and reports what it got as
// plain values for the test to read through page.evaluate.
import { Code, ConnectError, createClient, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { VideoService } from '../../../src/gen/video/v1/video_service_pb.ts';

/** A failed call as the page saw it. */
export interface PageFailure {
  readonly code: string;
  readonly message: string;
}

export interface PageResults {
  readonly created: { readonly ownerId: string; readonly videoId: string; readonly title: string };
  /** GetVideo over Connect GET. */
  readonly got: { readonly videoId: string; readonly originalName: string; readonly etag: string };
  /** ListVideos over gRPC-Web: the ids on the first page. */
  readonly listedOverGrpcWeb: readonly string[];
  /** GetVideo of an absent id over gRPC-Web: the status the page could read (grpc-status exposed). */
  readonly missingOverGrpcWeb: PageFailure | undefined;
  /** The same over Connect GET. */
  readonly missingOverConnectGet: PageFailure | undefined;
  /**
   * The x-request-id answer header of each successful call as the page could read it, by
   * method (e.g. `GetVideo`); null where the browser withheld it.
   */
  readonly requestIds: Readonly<Record<string, string | null>>;
}

export type PageOutcome = { readonly ok: PageResults } | { readonly failed: PageFailure };

export interface PageApi {
  runCalls(baseUrl: string, token: string, originalName: string): Promise<PageOutcome>;
}

function failureOf(error: unknown): PageFailure {
  const connectError = ConnectError.from(error);
  return { code: Code[connectError.code], message: connectError.rawMessage };
}

async function failure(call: Promise<unknown>): Promise<PageFailure | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return failureOf(error);
  }
}

async function runCalls(baseUrl: string, token: string, originalName: string): Promise<PageOutcome> {
  const bearer: Interceptor = (next) => (request) => {
    request.header.set('authorization', `Bearer ${token}`);
    return next(request);
  };
  const requestIds: Record<string, string | null> = {};
  // A cross-origin page reads only the answer headers the server exposes.
  const noteRequestId: Interceptor = (next) => async (request) => {
    const response = await next(request);
    requestIds[request.method.name] = response.header.get('x-request-id');
    return response;
  };
  const interceptors = [bearer, noteRequestId];
  const overConnect = createClient(VideoService, createConnectTransport({ baseUrl, useHttpGet: true, interceptors }));
  const overGrpcWeb = createClient(VideoService, createGrpcWebTransport({ baseUrl, interceptors }));
  try {
    const { video: created } = await overConnect.createVideo({ video: { originalName, title: `${originalName} (from a page)` } });
    const { video: got } = await overConnect.getVideo({ videoId: created!.videoId });
    const { videos } = await overGrpcWeb.listVideos({});
    const absent = '01900000-0000-7000-8000-000000000000';
    return {
      ok: {
        created: { ownerId: created!.ownerId, videoId: created!.videoId, title: created!.title },
        got: { videoId: got!.videoId, originalName: got!.originalName, etag: got!.etag },
        listedOverGrpcWeb: videos.map((video) => video.videoId),
        missingOverGrpcWeb: await failure(overGrpcWeb.getVideo({ videoId: absent })),
        missingOverConnectGet: await failure(overConnect.getVideo({ videoId: absent })),
        requestIds,
      },
    };
  } catch (error) {
    return { failed: failureOf(error) };
  }
}

(globalThis as unknown as { videosvcPage: PageApi }).videosvcPage = { runCalls };
