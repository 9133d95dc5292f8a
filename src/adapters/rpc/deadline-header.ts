// connect-es arms a call's deadline with one setTimeout, and Node cuts any delay above
// 2^31-1 ms (24.8 days) to 1 ms: a client asking for a very long deadline (grpc-timeout
// 99999999H, connect-timeout-ms 9999999999) got DEADLINE_EXCEEDED at once. Such a deadline
// is shortened to the longest a timer can wait before connect reads the header.
import type { NodeRequest } from './listener.ts';

/** The longest delay setTimeout honours. */
export const maxTimerMs = 2 ** 31 - 1;

// The gRPC wire format: up to 8 digits and a unit (hours down to nanoseconds).
const grpcTimeout = /^(\d{1,8})([HMSmun])$/;
const unitMs: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000001 };

/** Rewrites grpc-timeout and connect-timeout-ms headers above maxTimerMs to maxTimerMs. */
export function clampDeadlineHeaders(request: NodeRequest): void {
  const headers = request.headers;
  const grpc = headers['grpc-timeout'];
  const parsed = typeof grpc === 'string' ? grpcTimeout.exec(grpc) : null;
  if (parsed !== null && Number(parsed[1]) * unitMs[parsed[2]!]! > maxTimerMs) {
    headers['grpc-timeout'] = `${Math.floor(maxTimerMs / 1_000)}S`;
  }
  const connect = headers['connect-timeout-ms'];
  if (typeof connect === 'string' && /^\d{1,10}$/.test(connect) && Number(connect) > maxTimerMs) {
    headers['connect-timeout-ms'] = String(maxTimerMs);
  }
}
