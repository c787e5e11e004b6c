/**
 * Worker thread of PreparePool (./pool.ts): prepares envelope texts with the full STIX validator.
 * The messages exchanged with the pool are declared here; the pool imports only their types.
 *
 * What a worker does is `serve(port, data)`, which the pool's worker threads run on their parentPort
 * (pool.ts bootCode); loading this file does nothing else. It takes any message port, so that tests
 * run it on the main thread too, over a MessageChannel: code that runs only inside a worker thread
 * is out of reach of coverage tools and of mutation testing (Stryker's mutant switch is a global of
 * the main thread).
 */
import type { MessagePort } from 'node:worker_threads';
import { TesseraError } from '../errors';
import { stixValidator } from '../stix/plug';
import {
  DEFAULT_CONTENT_LIMITS,
  envelopeObjects,
  prepareEnvelopeText,
  prepareObjects,
  validationLimits,
  type ContentLimits,
  type ObjectValidator,
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
export function errorReply(id: number, e: unknown): PrepareReply {
  if (e instanceof TesseraError) return { id, ok: false, status: e.httpStatus, message: e.message };
  return { id, ok: false, status: 500, message: e instanceof Error ? e.message : String(e) };
}

/** The reply to one request: the prepared envelope, or the error that refused it. */
export function reply(
  req: PrepareRequest,
  validate: ObjectValidator,
  limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
): PrepareReply {
  try {
    return { id: req.id, ok: true, prepared: prepareEnvelopeText(req.text, validate, limits) };
  } catch (e) {
    return errorReply(req.id, e);
  }
}

/** The warm-up: a sample of this many valid indicators, prepared this many times. */
export const WARM_UP = { objects: 200, rounds: 25 };

/**
 * Warm-up: run the validator over a sample envelope until V8 has optimised the hot paths, so the
 * first envelopes a hub receives are not slower than the rest. Returns the last preparation.
 */
export function warmUp(validate: ObjectValidator, limits: ContentLimits = DEFAULT_CONTENT_LIMITS): Prepared {
  const objects: unknown[] = [];
  for (let i = 0; i < WARM_UP.objects; i++) {
    const uuid = `6ba7b810-9dad-41d1-80b4-${String(i).padStart(12, '0')}`;
    objects.push({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${uuid}`,
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
      name: `warm-up ${i}`,
      indicator_types: ['malicious-activity'],
      pattern: `[ipv4-addr:value = '192.0.2.${i}'] OR [domain-name:value = 'x${i}.example']`,
      pattern_type: 'stix',
      valid_from: '2026-01-01T00:00:00Z',
    });
  }
  const text = JSON.stringify({ objects });
  // A whole request's path (parse, envelope, objects), but not its bound on the number of objects:
  // a hub configured for fewer than the sample's would refuse it, and the worker would never start.
  const prepare = () => prepareObjects(envelopeObjects(JSON.parse(text)), validate, limits);
  let last = prepare();
  for (let round = 1; round < WARM_UP.rounds; round++) last = prepare();
  return last;
}

/**
 * A worker's life on `port`: build the validator of `data`, warm it up, post `{ready: true}`, then
 * answer each PrepareRequest with its PrepareReply.
 */
export function serve(port: MessagePort, data: Partial<WorkerData> | null): void {
  const limits = data?.limits ?? DEFAULT_CONTENT_LIMITS;
  const validate = stixValidator(data?.strict === true, validationLimits(limits));
  warmUp(validate, limits);
  port.postMessage({ ready: true } satisfies WorkerMessage);
  port.on('message', (req: PrepareRequest) => port.postMessage(reply(req, validate, limits)));
}
