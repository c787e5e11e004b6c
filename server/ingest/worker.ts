/**
 * Worker thread of PreparePool (./pool.ts): prepares envelope texts with the full STIX validator.
 * The messages exchanged with the pool are declared here; the pool imports only their types.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TesseraError } from '../errors';
import { stixValidator } from '../stix/plug';
import {
  DEFAULT_CONTENT_LIMITS,
  prepareEnvelopeText,
  validationLimits,
  type ContentLimits,
  type Prepared,
} from './prepare';

/** What the pool gives each worker. */
export interface WorkerData {
  strict: boolean;
  limits: ContentLimits;
}

export interface PrepareRequest {
  id: number;
  text: string;
}

export type PrepareReply =
  { id: number; ok: true; prepared: Prepared } | { id: number; ok: false; status: number; message: string };

/** What a worker posts: a reply, or once at start its readiness. */
export type WorkerMessage = PrepareReply | { ready: true };

/** A reply for an error thrown while preparing. */
function errorReply(id: number, e: unknown): PrepareReply {
  if (e instanceof TesseraError) return { id, ok: false, status: e.httpStatus, message: e.message };
  return { id, ok: false, status: 500, message: e instanceof Error ? e.message : String(e) };
}

const data = workerData as Partial<WorkerData> | null;
const limits = data?.limits ?? DEFAULT_CONTENT_LIMITS;
const validate = stixValidator(Boolean(data?.strict), validationLimits(limits));

/**
 * Warm-up: run the validator over a sample envelope until V8 has optimised the hot paths, so the
 * first envelopes a hub receives are not slower than the rest; then report ready.
 */
function warmUp(): void {
  const objects: unknown[] = [];
  for (let i = 0; i < 200; i++) {
    const uuid = `6ba7b810-9dad-41d1-80b4-${String(i).padStart(12, '0')}`;
    objects.push({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${uuid}`,
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
      name: `warm-up ${i}`,
      indicator_types: ['malicious-activity'],
      pattern: `[ipv4-addr:value = '192.0.2.${i % 250}'] OR [domain-name:value = 'x${i}.example']`,
      pattern_type: 'stix',
      valid_from: '2026-01-01T00:00:00Z',
    });
  }
  const text = JSON.stringify({ objects });
  for (let round = 0; round < 25; round++) prepareEnvelopeText(text, validate, limits);
}

warmUp();
parentPort?.postMessage({ ready: true } satisfies WorkerMessage);

parentPort?.on('message', (req: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    reply = { id: req.id, ok: true, prepared: prepareEnvelopeText(req.text, validate, limits) };
  } catch (e) {
    reply = errorReply(req.id, e);
  }
  parentPort?.postMessage(reply);
});
