// Connections that send nothing, send half of something, or trickle it a byte at a time must
// each be closed by the timeout of the stage they are stuck in, and must never lock a normal
// client out: the service (a child process, measured alone) holds them all while a real
// Connect and gRPC client keep getting answers in well under 100 ms.
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
import {
  clientPreface,
  closedWithin,
  dataFrame,
  grpcEnvelope,
  grpcRequestHeaders,
  headersFrame,
  rawConnect,
  settingsFrame,
} from '../support/h2-frames.ts';
import { spawnService, type SpawnedService } from '../support/spawned-service.ts';

const heavy = process.env.VIDEOSVC_ATTACK_HEAVY === '1';
const connectionCount = heavy ? 2_000 : 600;

const timeouts = { detect: 2_000, headers: 3_000, request: 6_000, body: 2_500, keepAlive: 2_000, http2Idle: 2_500 };
/** Slack for a loaded 2-core machine: timer checks, the socket linger, scheduling. */
const marginMs = 3_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Shape {
  readonly name: string;
  /** Latest acceptable close, in ms after the shape's start() resolved. */
  readonly limitMs: number;
  /** Opens one connection in this shape and keeps it stuck there; resolves the socket. */
  start(port: number): Promise<net.Socket>;
}

/** Writes `text` one byte every `everyMs` until the socket closes or the text runs out. */
function trickle(socket: net.Socket, text: string, everyMs: number): void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) return void clearInterval(timer);
    socket.write(text[index]!);
    index += 1;
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

const endlessHead = `POST /video.v1.VideoService/GetVideo HTTP/1.1\r\nHost: 127.0.0.1\r\n${'x-padding: trickle\r\n'.repeat(200)}`;
const http1BodyHead = 'POST /video.v1.VideoService/GetVideo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';

const shapes: Shape[] = [
  { name: 'idle TCP', limitMs: timeouts.detect, start: (port) => rawConnect(port) },
  {
    name: 'partial HTTP/2 preface',
    limitMs: timeouts.detect,
    async start(port) {
      const socket = await rawConnect(port);
      socket.write(clientPreface.subarray(0, 10));
      return socket;
    },
  },
  {
    name: 'HTTP/1.1 head trickled a byte at a time',
    limitMs: timeouts.headers,
    async start(port) {
      const socket = await rawConnect(port);
      socket.write('P');
      trickle(socket, endlessHead.slice(1), 300);
      return socket;
    },
  },
  {
    name: 'HTTP/1.1 body trickled a byte at a time',
    limitMs: timeouts.request,
    async start(port) {
      const socket = await rawConnect(port);
      socket.write(http1BodyHead);
      trickle(socket, '{'.repeat(100_000), 300);
      return socket;
    },
  },
  {
    name: 'HTTP/1.1 body that stops arriving',
    limitMs: timeouts.body,
    async start(port) {
      const socket = await rawConnect(port);
      socket.write(`${http1BodyHead}{"owner`);
      return socket;
    },
  },
  {
    name: 'idle HTTP/1.1 keep-alive connection',
    // Node closes at keepAliveTimeout plus its own 1 s of slack.
    limitMs: timeouts.keepAlive + 1_000,
    async start(port) {
      const socket = await rawConnect(port);
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
      // At the connection cap this connection may be closed (as the oldest idle) before its
      // answer arrives; then there is nothing left to wait for.
      await new Promise((resolve) => {
        socket.once('data', resolve);
        socket.once('close', resolve);
      });
      return socket;
    },
  },
  {
    name: 'idle HTTP/2 session',
    limitMs: timeouts.http2Idle,
    async start(port) {
      const socket = await rawConnect(port);
      socket.write(Buffer.concat([clientPreface, settingsFrame(), settingsFrame(true)]));
      return socket;
    },
  },
  {
    name: 'HTTP/2 stream never ended',
    // The stalled stream is reset at the body timeout, then the session is idle.
    limitMs: timeouts.body + timeouts.http2Idle,
    async start(port) {
      const socket = await rawConnect(port);
      const partial = grpcEnvelope(Buffer.alloc(20)).subarray(0, 12);
      socket.write(Buffer.concat([clientPreface, settingsFrame(), settingsFrame(true), headersFrame(1, grpcRequestHeaders('/video.v1.VideoService/GetVideo'), false), dataFrame(1, partial, false)]));
      return socket;
    },
  },
];

describe(`${connectionCount} idle or trickling connections`, () => {
  let service: SpawnedService;
  beforeAll(async () => {
    service = await spawnService({
      DETECT_TIMEOUT_MS: String(timeouts.detect),
      HEADERS_TIMEOUT_MS: String(timeouts.headers),
      REQUEST_TIMEOUT_MS: String(timeouts.request),
      BODY_TIMEOUT_MS: String(timeouts.body),
      KEEPALIVE_TIMEOUT_MS: String(timeouts.keepAlive),
      HTTP2_IDLE_TIMEOUT_MS: String(timeouts.http2Idle),
    });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it(`are each closed within their stage's timeout while normal calls answer in < 100 ms (${connectionCount} connections)`, async () => {
    const fdsBefore = service.openFds();
    const rssBefore = service.rssMb();
    const token = await service.mint('alice');
    const clients = [
      createVideoServiceClient({ baseUrl: service.url, token, protocol: 'connect' }),
      createVideoServiceClient({ baseUrl: service.url, token, protocol: 'grpc' }),
    ];
    // Warm both clients (their own connections and the service's code paths) before the flood.
    for (const client of clients) expect((await client.listVideos({})).videos).toEqual([]);

    const held = await Promise.all(
      Array.from({ length: connectionCount }, async (_, index) => {
        const shape = shapes[index % shapes.length]!;
        const socket = await shape.start(service.port);
        return { shape, closed: closedWithin(socket) };
      }),
    );
    await pause(300);
    const fdsHeld = service.openFds();

    const latenciesMs: number[] = [];
    for (let round = 0; round < 10; round += 1) {
      for (const client of clients) {
        const started = performance.now();
        expect((await client.listVideos({})).videos).toEqual([]);
        latenciesMs.push(performance.now() - started);
      }
    }
    latenciesMs.sort((a, b) => a - b);
    const median = latenciesMs[Math.floor(latenciesMs.length / 2)]!;

    // A connection still open long after every limit counts as never closed (Infinity).
    const giveUpMs = Math.max(...shapes.map((shape) => shape.limitMs)) + 2 * marginMs;
    const never = new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), giveUpMs).unref());
    const closeMs = await Promise.all(held.map(async ({ shape, closed }) => ({ shape, ms: await Promise.race([closed, never]) })));
    const worstByShape = new Map<string, { worst: number; limit: number }>();
    for (const { shape, ms } of closeMs) {
      const entry = worstByShape.get(shape.name) ?? { worst: 0, limit: shape.limitMs };
      entry.worst = Math.max(entry.worst, ms);
      worstByShape.set(shape.name, entry);
    }
    await pause(500);
    const fdsAfter = service.openFds();
    const summary = [...worstByShape].map(([name, { worst, limit }]) => `${name} ${Math.round(worst)}/${limit} ms`).join('; ');
    console.log(
      `connections: ${connectionCount} held (fds ${fdsBefore} → ${fdsHeld} → ${fdsAfter}, RSS ${rssBefore.toFixed(0)} → ${service.rssMb().toFixed(0)} MB); ` +
        `normal call median ${median.toFixed(1)} ms, max ${latenciesMs.at(-1)!.toFixed(1)} ms; worst close per shape: ${summary}`,
    );

    expect(median).toBeLessThan(100);
    for (const [name, { worst, limit }] of worstByShape) expect({ name, closedInTime: worst <= limit + marginMs }).toEqual({ name, closedInTime: true });
    expect(fdsAfter).toBeLessThan(fdsBefore + 20);
    for (const client of clients) expect((await client.listVideos({})).videos).toEqual([]);
  }, heavy ? 300_000 : 60_000);
});
