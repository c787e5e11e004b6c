/**
 * `tessera validate <file>`: prints the STIX 2.1 verdict of every object of a bundle
 * ({"type":"bundle","objects":[…]}) or TAXII envelope ({"objects":[…]}); exit code 1 when any object fails.
 * The verdict is the hub's own (server/stix/check.ts): what this command calls ok, a TAXII POST,
 * `tessera import` and feeds store, and a failure names the same rules.
 */
import { readFile } from 'node:fs/promises';
import { UnprocessableError } from '../server/errors';
import { envelopeObjects } from '../server/ingest';
import { checkObject } from '../server/stix/check';
import { stixValidator } from '../server/stix/plug';
import { formatVerdictMessage, type ObjectVerdict } from '../server/stix/validate';

export interface RunValidateOptions {
  json?: boolean;
  strict?: boolean;
}

interface Row {
  index: number;
  id: string | null;
  modified: string | null;
  verdict: ObjectVerdict;
}

function field(o: unknown, k: string): string | null {
  if (typeof o !== 'object' || o === null) return null;
  const v = (o as Record<string, unknown>)[k];
  return typeof v === 'string' ? v : null;
}

export async function runValidate(file: string, opts: RunValidateOptions = {}): Promise<number> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    console.error(`tessera validate: cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  let objects: unknown[];
  try {
    // The same reading of the document as a TAXII POST and `tessera import`.
    objects = envelopeObjects(doc);
  } catch (err) {
    if (!(err instanceof UnprocessableError)) throw err;
    console.error(`tessera validate: ${file}: ${err.message}`);
    return 2;
  }
  const validate = stixValidator(opts.strict === true);
  const rows: Row[] = objects.map((o: unknown, index) => {
    const check = checkObject(o, validate);
    return {
      index,
      id: field(o, 'id'),
      modified: field(o, 'modified') ?? field(o, 'created'),
      verdict: { ok: check.identity !== null, errors: check.errors, warnings: check.warnings },
    };
  });
  const failed = rows.filter((r) => !r.verdict.ok).length;
  if (opts.json) {
    console.log(JSON.stringify({ file, total: rows.length, failed, objects: rows }, null, 2));
  } else {
    for (const r of rows) {
      const label = r.id ?? `objects[${r.index}]`;
      const msg = formatVerdictMessage(r.verdict);
      console.log(
        `${r.verdict.ok ? 'ok  ' : 'FAIL'} ${label}${r.modified ? ` (${r.modified})` : ''}${msg ? `: ${msg}` : ''}`,
      );
    }
    console.log(`${rows.length} objects, ${rows.length - failed} valid, ${failed} invalid`);
  }
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    console.error('usage: validate <file> [--json] [--strict]');
    process.exit(2);
  }
  void runValidate(file, { json: args.includes('--json'), strict: args.includes('--strict') }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
