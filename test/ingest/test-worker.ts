/**
 * A prepare worker for the pool tests (not a test file): the real worker (server/ingest/worker.ts),
 * plus commands, sent as the envelope text, that make it misbehave as a real thread can:
 *
 *   'exit 7'               the thread exits with code 7
 *   'throw'                an uncaught exception in the thread ("worker blew up")
 *   'thread after <n> ms'  after n ms, an error reply (status 500) whose message is "thread <threadId>"
 *   'reply twice'          two replies for one request (the second must be ignored)
 */
import { threadId, type MessagePort } from 'node:worker_threads';
import { serve as serveReal, type PrepareRequest, type WorkerData } from '../../server/ingest/worker';

export function serve(port: MessagePort, data: Partial<WorkerData> | null): void {
  const answer = (req: PrepareRequest): boolean => {
    const after = /^thread after (\d+) ms$/.exec(req.text);
    if (after) {
      const message = `thread ${threadId}`;
      setTimeout(() => port.postMessage({ id: req.id, ok: false, status: 500, message }), Number(after[1]));
    } else if (req.text === 'exit 7') process.exit(7);
    else if (req.text === 'throw') throw new Error('worker blew up');
    else if (req.text === 'reply twice') {
      port.postMessage({ id: req.id, ok: false, status: 422, message: 'first' });
      port.postMessage({ id: req.id, ok: false, status: 400, message: 'second' });
    } else return false;
    return true;
  };
  // The real worker sees only what is not a command.
  const filtered = {
    postMessage: (m: unknown) => port.postMessage(m),
    on: (event: 'message', listener: (req: PrepareRequest) => void) =>
      port.on(event, (req: PrepareRequest) => {
        if (!answer(req)) listener(req);
      }),
  };
  serveReal(filtered as unknown as MessagePort, data);
}

/** Where a test finds this worker. */
export const TEST_WORKER = __filename;
