// Where the service's log lines go: stdout, written synchronously, one write per event-loop
// turn. Issue 10: one write(2) per line was 7 % of a GetVideo's CPU under load (the call
// log writes a line per call); under load one turn ends many calls, so their lines now
// leave in one write at the end of the turn (setImmediate), and a lone line still leaves
// at once. sonic-boom (pino's own destination) does the writing, synchronously: pino's
// asynchronous default loses lines at a kill and, at exit, retries a closed pipe (EPIPE)
// forever, so SIGTERM would hang once the log reader is gone; sonic-boom in sync mode drops
// further lines after an EPIPE instead. What a `kill -9` can lose is the current turn's
// lines; at a normal exit (process.exit included) the pending lines are written first.
import { pino, type DestinationStream } from 'pino';

export interface BatchedDestination extends DestinationStream {
  /** Writes the pending lines now. */
  flushSync(): void;
}

/** A destination for file descriptor `fd` that writes each event-loop turn's lines in one write. */
export function batchedDestination(fd = 1): BatchedDestination {
  const output = pino.destination({ dest: fd, sync: true });
  let pending = '';
  let scheduled = false;
  const flushSync = (): void => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    output.write(text);
  };
  if (open.size === 0) process.once('exit', flushAll);
  const destination = {
    write(line: string) {
      pending += line;
      if (scheduled) return;
      scheduled = true;
      setImmediate(flushSync);
    },
    flushSync,
  };
  open.add(destination);
  return destination;
}

// One exit listener for every destination made (tests make many loggers in one process).
const open = new Set<BatchedDestination>();
function flushAll(): void {
  for (const destination of open) destination.flushSync();
}
