// Errors the transport raises itself, before or around the domain (SPEC §6): a request that
// does not decode, one over 1 MiB, a health check of an unknown service. They carry an
// ErrorInfo too, over the lean path and over connect-node, where connect encodes the answer
// before any interceptor and encoded-answers.ts adds it.
import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { errorFromJsonBytes } from '@connectrpc/connect/protocol-connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.ts';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { CreateVideoRequestSchema, VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { connectCaller, rawGrpcJs } from '../support/error-details.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.stop();
});

describe('errors the transport raises itself carry a reason too', () => {
  let token: string;
  beforeAll(async () => {
    token = await service.mint('transport-errors');
  });

  // Field 1 (video) says 10 bytes follow; none do.
  const undecodable = Buffer.from([0x0a, 0x0a]);
  const tooLarge = Buffer.from(toBinary(CreateVideoRequestSchema, create(CreateVideoRequestSchema, { video: { originalName: 'a.mp4', title: 'x'.repeat(1024 * 1024 + 1) } })));

  it.each([
    ['the lean path', false],
    ['connect-node (gzip requests)', true],
  ])('a request that does not decode is INVALID_ARGUMENT with MALFORMED_REQUEST, over %s', async (_path, gzip) => {
    const refused = await rawGrpcJs(service.url, gzip, 'CreateVideo', undecodable, token);
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(refused.errorInfo).toEqual({ reason: 'MALFORMED_REQUEST', domain: 'videosvc', metadata: {} });
  });

  it.each([
    ['the lean path', false],
    ['connect-node (gzip requests)', true],
  ])('a request over 1 MiB is RESOURCE_EXHAUSTED with REQUEST_TOO_LARGE, over %s', async (_path, gzip) => {
    const refused = await rawGrpcJs(service.url, gzip, 'CreateVideo', tooLarge, token);
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.errorInfo?.reason).toBe('REQUEST_TOO_LARGE');
  });

  it('a Connect binary body that does not decode is INVALID_ARGUMENT with MALFORMED_REQUEST (connect-node)', async () => {
    const response = await fetch(`${service.url}/${VideoService.typeName}/CreateVideo`, {
      method: 'POST',
      headers: { 'content-type': 'application/proto', authorization: `Bearer ${token}` },
      body: undecodable,
    });
    expect(response.status).toBe(400);
    const error = errorFromJsonBytes(new Uint8Array(await response.arrayBuffer()), undefined, new ConnectError('not a Connect error'));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.findDetails(ErrorInfoSchema).map(({ reason, domain }) => ({ reason, domain }))).toEqual([{ reason: 'MALFORMED_REQUEST', domain: 'videosvc' }]);
  });

  it('a gRPC-Web request over 1 MiB is RESOURCE_EXHAUSTED with REQUEST_TOO_LARGE (connect-node)', async () => {
    const refused = await connectCaller(service.url, 'grpc-web')('CreateVideo', { video: { originalName: 'a.mp4', title: 'x'.repeat(1024 * 1024 + 1) } }, token);
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.errorInfo?.reason).toBe('REQUEST_TOO_LARGE');
  });

  it('a health check of an unknown service is NOT_FOUND with SERVICE_NOT_FOUND', async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: service.url }));
    const error = await health.check({ service: 'no.such.Service' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectError);
    const { code, rawMessage } = error as ConnectError;
    expect({ code, rawMessage }).toEqual({ code: Code.NotFound, rawMessage: 'unknown service no.such.Service' });
    expect((error as ConnectError).findDetails(ErrorInfoSchema)[0]).toMatchObject({ reason: 'SERVICE_NOT_FOUND', domain: 'videosvc', metadata: { service: 'no.such.Service' } });
  });
});
