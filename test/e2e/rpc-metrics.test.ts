// GET /metrics (SPEC §6, issue 12): after real calls over real sockets, through both the lean
// gRPC path and connect-node, the Prometheus text counts each call once by procedure and
// code, times it, shows calls in flight, measures the store requests start() wrapped, and
// carries prom-client's process defaults; each server counts only its own calls.
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { parseSamples, sampleValue, type Sample } from '../support/prometheus-text.ts';
import { startService, type StartedService } from '../support/started-service.ts';

const getVideo = '/video.v1.VideoService/GetVideo';
const claimVideo = '/video.v1.VideoService/ClaimVideo';
const absentId = '01a21073-e94b-7791-9ee6-4b3bf8727f1d';

let first: StartedService;
let second: StartedService;
beforeAll(async () => {
  [first, second] = await Promise.all([startService(), startService()]);
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

/** A VideoService client over gRPC (the lean path) or gRPC-Web (connect-node). */
function videos(service: StartedService, token: string, protocol: 'grpc' | 'grpc-web') {
  const options = { baseUrl: service.url, interceptors: [bearer(token)] };
  return createClient(VideoService, protocol === 'grpc' ? createGrpcTransport(options) : createGrpcWebTransport({ ...options, httpVersion: '1.1' }));
}

function bearer(token: string) {
  return (next: Parameters<import('@connectrpc/connect').Interceptor>[0]) => (request: Parameters<typeof next>[0]) => {
    request.header.set('authorization', `Bearer ${token}`);
    return next(request);
  };
}

async function scrape(service: StartedService): Promise<Sample[]> {
  return parseSamples(await service.metrics());
}

describe('GET /metrics', () => {
  it('counts calls by procedure and code exactly, on both paths, with their latency and the store requests they made', async () => {
    const token = await first.mint('alice');
    const created = await videos(first, token, 'grpc').createVideo({ video: { originalName: 'a.mp4' } });
    const videoId = created.video!.videoId;
    await first.linesAfter(0, 1);

    const skip = first.logs.length;
    const before = await scrape(first);
    const okCalls = 5;
    const notFoundCalls = 3;
    for (let call = 0; call < okCalls; call++) await videos(first, token, 'grpc').getVideo({ videoId });
    for (let call = 0; call < notFoundCalls; call++) {
      const failure = await videos(first, token, 'grpc-web').getVideo({ videoId: absentId }).catch((error: unknown) => ConnectError.from(error));
      expect((failure as ConnectError).code).toBe(Code.NotFound);
    }
    // A call's line and its counts are written together as its stream closes.
    expect(await first.linesAfter(skip, okCalls + notFoundCalls)).toHaveLength(okCalls + notFoundCalls);
    const after = await scrape(first);
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);

    expect(delta('videosvc_rpc_calls_total', { procedure: getVideo, code: 'ok' })).toBe(okCalls);
    expect(delta('videosvc_rpc_calls_total', { procedure: getVideo, code: 'not_found' })).toBe(notFoundCalls);
    expect(delta('videosvc_rpc_call_duration_seconds_count', { procedure: getVideo })).toBe(okCalls + notFoundCalls);
    expect(delta('videosvc_rpc_call_duration_seconds_bucket', { procedure: getVideo, le: '+Inf' })).toBe(okCalls + notFoundCalls);
    expect(delta('videosvc_rpc_call_duration_seconds_sum', { procedure: getVideo })).toBeGreaterThan(0);
    // Every GetVideo made exactly one store read; nothing failed.
    expect(delta('videosvc_store_request_duration_seconds_count', { operation: 'get' })).toBe(okCalls + notFoundCalls);
    expect(sampleValue(after, 'videosvc_store_request_duration_seconds_count', { operation: 'create' })).toBe(1);
    expect(after.filter((sample) => sample.name === 'videosvc_store_errors_total')).toEqual([]);
    expect(sampleValue(after, 'videosvc_rpc_calls_in_flight')).toBe(0);
  });

  it('carries the process defaults, in the Prometheus text format, without a token', async () => {
    const answer = await fetch(`${first.url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseSamples(await answer.text());
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(samples.some((sample) => sample.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(samples.find((sample) => sample.name === 'nodejs_version_info')?.labels.version).toBe(process.version);
  });

  it('is GET or HEAD only', async () => {
    expect((await fetch(`${first.url}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${first.url}/metrics`, { method: 'HEAD' })).status).toBe(200);
  });

  it('shows a call in flight while it waits (a ClaimVideo long poll), on its own server only', async () => {
    const worker = videos(second, await second.mint('worker', { admin: true }), 'grpc');
    const skip = second.logs.length;
    const waiting = worker.claimVideo({ workerId: 'w1', waitDuration: { seconds: 10n } });
    let inFlight = 0;
    for (let attempt = 0; attempt < 100 && inFlight === 0; attempt++) {
      inFlight = sampleValue(await scrape(second), 'videosvc_rpc_calls_in_flight');
      if (inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(inFlight).toBe(1);
    expect(sampleValue(await scrape(first), 'videosvc_rpc_calls_in_flight')).toBe(0);

    // A video created through the same server wakes the waiting call at once.
    await videos(second, await second.mint('bob'), 'grpc').createVideo({ video: { originalName: 'b.mp4' } });
    expect((await waiting).video?.ownerId).toBe('bob');
    await second.linesAfter(skip, 2);
    const samples = await scrape(second);
    expect(sampleValue(samples, 'videosvc_rpc_calls_in_flight')).toBe(0);
    expect(sampleValue(samples, 'videosvc_rpc_calls_total', { procedure: claimVideo, code: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'videosvc_store_request_duration_seconds_count', { operation: 'claimNext' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(await scrape(first), 'videosvc_rpc_calls_total', { procedure: claimVideo, code: 'ok' })).toBe(0);
  });
});
