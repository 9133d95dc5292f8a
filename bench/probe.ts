// One call with exactly the bytes and headers a load generator will send, checked for a
// correct answer before any timing. h2load counts a gRPC error (HTTP 200 with a non-zero
// grpc-status trailer) as a success, so without this a mistyped token would be timed as
// a fast GetVideo.
import http2 from 'node:http2';
import type { CallSpec } from './requests.ts';
import { firstMessage } from './grpc-frame.ts';

/** The request headers of a call (h2load's -H and the Node driver send the same). */
export function callHeaders(call: CallSpec, bearer: string): Record<string, string> {
  return call.protocol === 'grpc'
    ? { 'content-type': 'application/grpc', te: 'trailers', authorization: bearer }
    : { 'content-type': 'application/json', authorization: bearer };
}

interface Answer {
  readonly status: string;
  readonly message?: Uint8Array;
}

function grpcCall(url: string, call: CallSpec, bearer: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.once('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': call.procedure, ...callHeaders(call, bearer) });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let grpcMessage = '';
    const note = (headers: http2.IncomingHttpHeaders) => {
      status ??= headers['grpc-status'] as string | undefined;
      grpcMessage ||= String(headers['grpc-message'] ?? '');
    };
    stream.on('response', note);
    stream.on('trailers', note);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', reject);
    stream.once('close', () => {
      session.close();
      const body = Buffer.concat(chunks);
      resolve(status === '0' ? { status: 'grpc-status 0', message: firstMessage(body) } : { status: `grpc-status ${status} ${decodeURIComponent(grpcMessage)}` });
    });
    stream.end(call.body);
  });
}

async function connectJsonCall(url: string, call: CallSpec, bearer: string): Promise<Answer> {
  const response = await fetch(`${url}${call.procedure}`, { method: 'POST', headers: callHeaders(call, bearer), body: call.body });
  const body = new Uint8Array(await response.arrayBuffer());
  return response.status === 200 ? { status: 'http 200', message: body } : { status: `http ${response.status} ${Buffer.from(body).toString()}` };
}

/** Sends `call` once and returns the answer's message; throws naming the server and the call unless it is correct. */
export async function probe(server: string, url: string, call: CallSpec, bearer: string): Promise<Uint8Array> {
  const answer = call.protocol === 'grpc' ? await grpcCall(url, call, bearer) : await connectJsonCall(url, call, bearer);
  const wrong = answer.message === undefined ? answer.status : call.check(answer.message);
  if (wrong !== undefined) throw new Error(`probe of ${call.procedure} (${call.protocol}) on ${server} failed: ${wrong}`);
  return answer.message!;
}
