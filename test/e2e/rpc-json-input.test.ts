// Connect JSON bodies are read strictly (issue 9 item 5): invalid UTF-8 and an unknown
// enum name are INVALID_ARGUMENT, never stored as U+FFFD nor silently ignored. Sent as a
// raw HTTP/1.1 request (what curl sends) and through a real Connect client whose JSON
// text encoder is made to send the bad bytes.
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenInterceptor } from '../../src/client.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
let token: string;

beforeAll(async () => {
  service = await startTestService();
  token = await service.mint('alice');
});
afterAll(async () => {
  await service?.stop();
});

interface RawAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs `body` bytes as a Connect unary JSON request over HTTP/1.1, as curl would. */
function postJson(method: string, body: Buffer): Promise<RawAnswer> {
  const url = new URL(`/video.v1.VideoService/${method}`, service.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}`, 'connect-protocol-version': '1' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** JSON text with `\xff` where `@@` stands: a byte no UTF-8 text may contain. */
function withInvalidUtf8(json: string): Buffer {
  const [before, after] = json.split('@@') as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)]);
}

async function listedNames(): Promise<string[]> {
  const answer = await postJson('ListVideos', Buffer.from('{}'));
  expect(answer.status).toBe(200);
  return ((answer.body.videos ?? []) as Array<{ originalName: string }>).map((video) => video.originalName);
}

describe('Connect JSON request bodies over raw HTTP/1.1', () => {
  it('a body with invalid UTF-8 is INVALID_ARGUMENT and nothing is stored', async () => {
    const answer = await postJson('CreateVideo', withInvalidUtf8('{"video":{"originalName":"clip@@.mp4"}}'));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_argument');
    expect(await listedNames()).toEqual([]);
  });

  it('a lone surrogate written as a JSON escape is INVALID_ARGUMENT too (protobuf-es checks strings)', async () => {
    const answer = await postJson('CreateVideo', Buffer.from('{"video":{"originalName":"a\\ud800b.mp4"}}'));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_argument');
    expect(await listedNames()).toEqual([]);
  });

  it('valid UTF-8 beyond ASCII is stored exactly', async () => {
    const answer = await postJson('CreateVideo', Buffer.from('{"video":{"originalName":"café 🎬.mp4"}}', 'utf8'));
    expect(answer.status).toBe(200);
    expect(await listedNames()).toEqual(['café 🎬.mp4']);
  });

  it('an unknown status name in a ListVideos filter is INVALID_ARGUMENT, not a list of everything', async () => {
    const answer = await postJson('ListVideos', Buffer.from('{"status":"VIDEO_STATUS_BOGUS"}'));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_argument');
    expect(String(answer.body.message)).toContain('VIDEO_STATUS_BOGUS');
    // The known name still filters.
    const failed = await postJson('ListVideos', Buffer.from('{"status":"VIDEO_STATUS_FAILED"}'));
    expect(failed).toEqual({ status: 200, body: {} });
  });

  it('an unknown status name in a Video is INVALID_ARGUMENT, not the default status', async () => {
    const answer = await postJson('CreateVideo', Buffer.from('{"video":{"originalName":"b.mp4","status":"VIDEO_STATUS_BOGUS"}}'));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_argument');
    expect(await listedNames()).not.toContain('b.mp4');
  });

  it('a misspelt field name is INVALID_ARGUMENT too (the same option of protobuf-es governs both)', async () => {
    const answer = await postJson('ListVideos', Buffer.from('{"statsu":"VIDEO_STATUS_FAILED"}'));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_argument');
    expect(String(answer.body.message)).toContain('statsu');
  });
});

describe('Connect JSON request bodies from a Connect client', () => {
  /** A Connect JSON client whose encoded request text is rewritten by `tamper` before it is sent. */
  function tamperingClient(tamper: (json: string) => Uint8Array) {
    const transport = createConnectTransport({
      baseUrl: service.url,
      httpVersion: '1.1',
      useBinaryFormat: false,
      interceptors: [bearerTokenInterceptor(token)],
      jsonOptions: { textEncoder: { encode: (input = '') => tamper(input) as Uint8Array<ArrayBuffer> } } as never,
    });
    return createClient(VideoService, transport);
  }

  async function codeOf(call: Promise<unknown>): Promise<Code> {
    const error = await call.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectError);
    return (error as ConnectError).code;
  }

  it('invalid UTF-8 is refused with INVALID_ARGUMENT', async () => {
    const client = tamperingClient((json) => withInvalidUtf8(json.replace('MARK', '@@')));
    expect(await codeOf(client.createVideo({ video: { originalName: 'clipMARK.mp4' } }))).toBe(Code.InvalidArgument);
  });

  it('an unknown status name is refused with INVALID_ARGUMENT', async () => {
    const client = tamperingClient((json) => Buffer.from(json.replace('VIDEO_STATUS_FAILED', 'VIDEO_STATUS_BOGUS')));
    expect(await codeOf(client.listVideos({ status: VideoStatus.FAILED }))).toBe(Code.InvalidArgument);
    // Untampered, the same client is served.
    const honest = tamperingClient((json) => Buffer.from(json));
    expect((await honest.listVideos({ status: VideoStatus.FAILED })).videos).toEqual([]);
  });
});
