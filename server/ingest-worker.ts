/** Worker thread of PreparePool: prepares envelope texts with the full STIX validator. */
import { parentPort, workerData } from 'node:worker_threads';
import { errorReply, prepareEnvelopeText, type PrepareReply, type PrepareRequest } from './ingest-prepare';
import { stixValidator } from './stix/plug';

const validate = stixValidator(Boolean((workerData as { strict?: boolean } | null)?.strict));

parentPort?.on('message', (req: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    reply = { id: req.id, ok: true, prepared: prepareEnvelopeText(req.text, validate) };
  } catch (e) {
    reply = errorReply(req.id, e);
  }
  parentPort?.postMessage(reply);
});
