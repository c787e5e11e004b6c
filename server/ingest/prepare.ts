/**
 * The CPU-heavy half of ingest (no I/O): check that a body is a TAXII envelope, run the structural
 * checks and the pluggable STIX validator on every object, and serialise the accepted ones with their TLP. Runs on
 * the event loop (CLI, feeds, TESSERA_INGEST_WORKERS=0) or in the worker pool (./pool.ts).
 */
import { classify } from '../access/tlp';
import { BadRequestError, UnprocessableError } from '../errors';
import type { NewObjectVersion, StatusDetail } from '../store/contract';
import { basicCheck, describe, type Issue } from '../stix/basic';

export interface Verdict {
  ok: boolean;
  errors: Issue[];
  warnings: Issue[];
}

/** Full STIX validation, plugged in by the caller (server/stix/validate.ts in production). */
export type ObjectValidator = (obj: unknown) => Verdict;

function formatIssues(issues: Issue[]): string {
  return issues.map((i) => `${i.rule} at ${i.path}: ${i.message}`).join('; ');
}

/**
 * The objects of a parsed request body: a TAXII envelope `{"objects": [...]}` or a STIX bundle
 * `{"type": "bundle", "id": …, "objects": [...]}` (accepted as an envelope, since the stix2
 * library's TAXII sink POSTs bundles; the bundle's own id is not kept). Throws UnprocessableError
 * for anything else: a bare STIX object, no or an empty "objects" list.
 */
export function envelopeObjects(body: unknown): unknown[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new UnprocessableError(
      'the request body must be a TAXII envelope {"objects": [...]} (or a STIX bundle)',
    );
  }
  const { type, objects } = body as { type?: unknown; objects?: unknown };
  if (type !== undefined && type !== 'bundle') {
    throw new UnprocessableError(
      `a bare STIX object (type ${JSON.stringify(type)}) is not accepted: send it inside a TAXII envelope {"objects": [...]} or a STIX bundle`,
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

export function prepareObjects(objects: unknown[], validate?: ObjectValidator): Prepared {
  const failures: StatusDetail[] = [];
  const accepted: NewObjectVersion[] = [];
  const warnings: string[] = [];
  for (const obj of objects) {
    const basic = basicCheck(obj);
    let issues: Issue[] = basic.issues;
    let warn: Issue[] = [];
    if (basic.identity !== null && validate) {
      const verdict = validate(obj);
      if (!verdict.ok) issues = verdict.errors;
      warn = verdict.warnings;
    }
    if (basic.identity === null || issues.length > 0) {
      failures.push({ ...describe(obj), message: formatIssues(issues) });
      continue;
    }
    accepted.push({ ...basic.identity, body: JSON.stringify(obj), tlp: classify(obj) });
    warnings.push(warn.length > 0 ? `warning: ${formatIssues(warn)}` : '');
  }
  return { total: objects.length, accepted, warnings, failures };
}

/** Parse and prepare the text of a TAXII envelope; throws 400 (not JSON) or 422 (not an envelope). */
export function prepareEnvelopeText(text: string, validate?: ObjectValidator): Prepared {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequestError('the request body is not valid JSON');
  }
  return prepareObjects(envelopeObjects(body), validate);
}

/** How a POSTed envelope's text is prepared: inline, or by the worker pool. */
export type PrepareFn = (text: string) => Promise<Prepared>;
