// Baseline: a bare @grpc/grpc-js server, the proto loaded from disk by
// @grpc/proto-loader as a grpc-js user would, whose GetVideo answers a constant
// response (serialized per call, as grpc-js always does). Prints
// {"msg":"listening","url":…}; SIGTERM stops it.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { constantGetVideoObject } from './constant-video.ts';

const definition = protoLoader.loadSync('video/v1/video_service.proto', {
  includeDirs: [new URL('../../proto', import.meta.url).pathname],
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  video: { v1: { VideoService: { service: grpc.ServiceDefinition } } };
};
const response = constantGetVideoObject();

const server = new grpc.Server();
server.addService(loaded.video.v1.VideoService.service, {
  GetVideo: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => callback(null, response),
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
