/**
 * The CPU-heavy half of ingest (no I/O): check that a body is a TAXII envelope, run the structural
 * checks and the pluggable STIX validator on every object, and serialise the accepted ones with their TLP. Runs on
 * the event loop (CLI, feeds, TESSERA_INGEST_WORKERS=0) or in the worker pool (./pool.ts).
 *
 * What a hostile envelope can make of the hub is bounded here (ContentLimits, README "Limits"):
 * the number of objects in it, each object's nesting and serialised size, a pattern's nesting and
 * tokens; and what it can make of a status: each failure's id, version and message are cut to a
 * fixed length, so a status grows with the number of objects, never with their content.
 */
import { classify } from '../access/tlp';
import { BadRequestError, PayloadTooLargeError, UnprocessableError } from '../errors';
import type { NewObjectVersion, StatusDetail } from '../store/contract';
import { describe, type Issue } from '../stix/basic';
import { checkObject } from '../stix/check';
import { DEFAULT_MAX_DEPTH } from '../stix/depth';
import { formatIssues } from '../stix/issues';
import { DEFAULT_PATTERN_LIMITS } from '../stix/pattern';
import type { ValidationLimits } from '../stix/plug';

export interface Verdict {
  ok: boolean;
  errors: Issue[];
  warnings: Issue[];
}

/** Full STIX validation, plugged in by the caller (server/stix/validate.ts in production). */
export type ObjectValidator = (obj: unknown) => Verdict;

/** Bounds on what one request may bring (configuration: server/config.ts contentLimits). */
export interface ContentLimits {
  /** Most objects in one envelope; more is a 413 for the whole request. */
  maxObjects: number;
  /** Largest object, as the UTF-8 bytes of its stored JSON; larger is a per-object failure. */
  maxObjectBytes: number;
  /** Deepest nesting in an object (JSON) and in a STIX pattern; deeper is a per-object failure. */
  maxDepth: number;
  /** Most tokens in one STIX pattern; more is a per-object failure. */
  maxPatternTokens: number;
}

export const DEFAULT_CONTENT_LIMITS: ContentLimits = {
  maxObjects: 10_000,
  maxObjectBytes: 4 * 1024 * 1024,
  maxDepth: DEFAULT_MAX_DEPTH,
  maxPatternTokens: DEFAULT_PATTERN_LIMITS.maxTokens,
};

/** What the STIX validator takes of the content limits. */
export function validationLimits(l: ContentLimits): ValidationLimits {
  return { maxDepth: l.maxDepth, pattern: { maxDepth: l.maxDepth, maxTokens: l.maxPatternTokens } };
}

/** Longest status message (characters) and longest id or version echoed back from an object. */
const MAX_MESSAGE = 1000;
const MAX_ECHO = 300;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}

/** The status entry of a refused object. */
function failureDetail(obj: unknown, message: string): StatusDetail {
  const { id, version } = describe(obj);
  return { id: clip(id, MAX_ECHO), version: clip(version, MAX_ECHO), message: clip(message, MAX_MESSAGE) };
}

/**
 * The objects of a parsed request body: a TAXII envelope `{"objects": [...]}` or a STIX bundle
 * `{"type": "bundle", "id": …, "objects": [...]}` (accepted as an envelope, since the stix2
 * library's TAXII sink POSTs bundles; the bundle's own id is not kept). Throws UnprocessableError
 * for anything else: a bare STIX object, no or an empty "objects" list; PayloadTooLargeError for
 * more than `maxObjects` objects.
 */
export function envelopeObjects(body: unknown, maxObjects = Infinity): unknown[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new UnprocessableError(
      'the request body must be a TAXII envelope {"objects": [...]} (or a STIX bundle)',
    );
  }
  const { type, objects } = body as { type?: unknown; objects?: unknown };
  if (type !== undefined && type !== 'bundle') {
    throw new UnprocessableError(
      `a bare STIX object (type ${JSON.stringify(clip(String(type), MAX_ECHO))}) is not accepted: send it inside a TAXII envelope {"objects": [...]} or a STIX bundle`,
    );
  }
  if (objects === undefined) {
    throw new UnprocessableError(
      type === 'bundle'
        ? 'the STIX bundle has no "objects" list'
        : 'the request body must be a TAXII envelope with an "objects" list',
    );
  }
  if (!Array.isArray(objects)) throw new UnprocessableError('"objects" must be a list');
  if (objects.length === 0)
    throw new UnprocessableError('"objects" must not be empty (TAXII forbids empty lists)');
  if (objects.length > maxObjects) {
    throw new PayloadTooLargeError(
      `the envelope holds ${objects.length} objects; this hub accepts at most ${maxObjects} per request (x_tessera_max_envelope_objects on the API root): send them in several requests`,
    );
  }
  return objects;
}

/** Objects checked and validated, ready to store: the CPU-heavy half of ingest (no I/O). */
export interface Prepared {
  total: number;
  accepted: NewObjectVersion[];
  /** Warning text for each accepted object ('' when none), parallel to `accepted`. */
  warnings: string[];
  failures: StatusDetail[];
}

export function prepareObjects(
  objects: unknown[],
  validate?: ObjectValidator,
  limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
): Prepared {
  const failures: StatusDetail[] = [];
  const accepted: NewObjectVersion[] = [];
  const warnings: string[] = [];
  for (const obj of objects) {
    const check = checkObject(obj, validate, limits.maxDepth);
    if (check.identity === null) {
      failures.push(failureDetail(obj, formatIssues(check.errors, MAX_MESSAGE)));
      continue;
    }
    // Nesting is bounded by now, so serialising cannot overflow the stack.
    const body = JSON.stringify(obj);
    const bytes = Buffer.byteLength(body); // UTF-8
    if (bytes > limits.maxObjectBytes) {
      failures.push(
        failureDetail(
          obj,
          `object-size at $: the object is ${bytes} bytes; this hub stores objects of at most ${limits.maxObjectBytes} bytes (x_tessera_max_object_bytes on the API root)`,
        ),
      );
      continue;
    }
    accepted.push({ ...check.identity, body, tlp: classify(obj) });
    warnings.push(check.warnings.length > 0 ? `warning: ${formatIssues(check.warnings, MAX_MESSAGE)}` : '');
  }
  return { total: objects.length, accepted, warnings, failures };
}

/**
 * Parse and prepare the text of a TAXII envelope; throws 400 (not JSON), 413 (too many objects) or
 * 422 (not an envelope).
 */
export function prepareEnvelopeText(
  text: string,
  validate?: ObjectValidator,
  limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
): Prepared {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequestError('the request body is not valid JSON');
  }
  return prepareObjects(envelopeObjects(body, limits.maxObjects), validate, limits);
}

/** How a POSTed envelope's text is prepared: inline, or by the worker pool. */
export type PrepareFn = (text: string) => Promise<Prepared>;
