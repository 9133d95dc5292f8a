// The cap on calls in flight, counted from the request's arrival to its response's close and
// checked before connect parses anything: past the cap a call is refused at once with
// RESOURCE_EXHAUSTED instead of queueing memory, and the server keeps answering the calls it
// took. The load balancer probes are never refused, so overload does not read as death.
import { serverBusyError } from './errors.ts';
import { refuseEarly } from './early-refusal.ts';
import type { NodeRequest, NodeResponse } from './listener.ts';

const probePaths = new Set(['/healthz', '/readyz']);

export interface CallAdmission {
  /** Counts the call in, or answers it with RESOURCE_EXHAUSTED and returns false. */
  admit(request: NodeRequest, response: NodeResponse): boolean;
  /** Calls in flight right now. */
  readonly inFlight: number;
}

/** Creates the admission check for at most `maxCallsInFlight` calls at once. */
export function createCallAdmission(maxCallsInFlight: number): CallAdmission {
  let inFlight = 0;
  return {
    admit(request, response) {
      const path = (request.url ?? '').split('?', 1)[0] ?? '';
      if (probePaths.has(path)) return true;
      if (inFlight >= maxCallsInFlight) {
        refuseEarly(request, response, serverBusyError(`the server is at its limit of ${maxCallsInFlight} calls in flight`));
        return false;
      }
      inFlight += 1;
      response.once('close', () => (inFlight -= 1));
      return true;
    },
    get inFlight() {
      return inFlight;
    },
  };
}
