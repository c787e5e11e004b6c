/**
 * The one verdict on one object, whatever brought it: a TAXII POST, `tessera import`, a feed or
 * `tessera validate`. The structural checks (./basic.ts: what the store needs) run first; when they
 * pass, the full STIX 2.1 validator plugged in by the caller (./validate.ts through ./plug.ts).
 * Both report in one rule vocabulary (./issues.ts), so a defect has one rule name everywhere.
 */
import type { ObjectValidator } from '../ingest';
import { basicCheck, type Identity, type Issue } from './basic';

export interface ObjectCheck {
  /** What the store needs to keep the object; null when it is refused. */
  identity: Identity | null;
  errors: Issue[];
  warnings: Issue[];
}

/** `maxDepth`: deepest nesting accepted (see ./depth.ts), checked before anything recurses. */
export function checkObject(obj: unknown, validate?: ObjectValidator, maxDepth?: number): ObjectCheck {
  const basic = basicCheck(obj, maxDepth);
  if (basic.identity === null) return { identity: null, errors: basic.issues, warnings: [] };
  if (!validate) return { identity: basic.identity, errors: [], warnings: [] };
  const verdict = validate(obj);
  if (!verdict.ok) return { identity: null, errors: verdict.errors, warnings: verdict.warnings };
  return { identity: basic.identity, errors: [], warnings: verdict.warnings };
}
