/**
 * The seam between ingest and the full STIX 2.1 validator (server/stix/validate.ts): every object
 * that enters the hub (TAXII POST, `tessera import`, feeds) passes through the validator returned here.
 */
import type { ObjectValidator } from '../ingest';
import { validateStixObject } from './validate';

export function stixValidator(strict: boolean): ObjectValidator {
  const opts = { strict };
  return (obj) => validateStixObject(obj, opts);
}
