// Baseline: a bare connect-node server whose GetVideo answers a constant response built
// once — no store, no token, no interceptors: what the transport alone costs. gRPC on an
// HTTP/2 listener (http2.createServer, as the measurement), and the same handler
// on an HTTP/1.1 listener for the Connect JSON scenario (a plaintext http2 server cannot
// also speak HTTP/1.1). Prints {"msg":"listening","url":…,"http1Url":…}; SIGTERM stops it.
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { constantGetVideoResponse } from './constant-video.ts';

const response = constantGetVideoResponse();
const handler = connectNodeAdapter({
  routes(router) {
    router.service(VideoService, { getVideo: () => response });
  },
});

function listening(server: http.Server | http2.Http2Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

const http2Server = http2.createServer(handler);
const http1Server = http.createServer(handler);
const [url, http1Url] = await Promise.all([listening(http2Server), listening(http1Server)]);
process.stdout.write(`${JSON.stringify({ msg: 'listening', url, http1Url })}\n`);
process.on('SIGTERM', () => process.exit(0));
