/**
 * `tessera validate <file>`: prints the STIX 2.1 verdict of every object of a bundle
 * ({"type":"bundle","objects":[…]}) or TAXII envelope ({"objects":[…]}); exit code 1 when any object fails.
 */
import { readFile } from 'node:fs/promises';
import { formatVerdictMessage, validateStixObject, type ObjectVerdict } from '../server/stix/validate';

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
  const objects =
    typeof doc === 'object' && doc !== null ? (doc as { objects?: unknown }).objects : undefined;
  if (!Array.isArray(objects)) {
    console.error(
      `tessera validate: ${file} is neither a STIX bundle nor a TAXII envelope (no "objects" list)`,
    );
    return 2;
  }
  const rows: Row[] = objects.map((o: unknown, index) => ({
    index,
    id: field(o, 'id'),
    modified: field(o, 'modified') ?? field(o, 'created'),
    verdict: validateStixObject(o, { strict: opts.strict === true }),
  }));
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
