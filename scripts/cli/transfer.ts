/**
 * `tessera import` and `tessera export`: objects in through ingest() (the same path and checks as a
 * TAXII POST), out as a STIX 2.1 bundle streamed page by page. They find the collection in the
 * registry and touch objects and statuses.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { NotFoundError, UnprocessableError } from '../../server/errors';
import { contentLimits } from '../../server/config';
import { ingest, summarise, validationLimits, type IngestDeps } from '../../server/ingest';
import type { CollectionRecord, ObjectStore, StatusDetail } from '../../server/store/contract';
import { findCollectionOrFail } from './collections';
import { out, type Handlers } from './command';
import { writeStdout } from './output';
import { progressBar, type ProgressBar } from './progress';

export const IMPORT_BATCH = 500;
export const EXPORT_PAGE = 1000;

/** The member recorded on imported versions and statuses: `cli:<os user>`. */
export function cliMember(): string {
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME;
  }
  return `cli:${user || 'unknown'}`;
}

/** The objects of a STIX bundle or TAXII envelope read from `file`. */
export async function readObjects(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new NotFoundError(
      code === 'ENOENT'
        ? `cannot read ${file}: no such file`
        : `cannot read ${file}: ${(e as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UnprocessableError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UnprocessableError(`${file} is neither a STIX bundle nor a TAXII envelope`);
  }
  const d = doc as { type?: unknown; objects?: unknown };
  if (d.type !== undefined && d.type !== 'bundle') {
    throw new UnprocessableError(
      `${file} holds a single ${JSON.stringify(d.type)} object: expected a STIX bundle or a TAXII envelope`,
    );
  }
  if (!Array.isArray(d.objects)) {
    throw new UnprocessableError(`${file} has no "objects" list: expected a STIX bundle or a TAXII envelope`);
  }
  if (d.objects.length === 0) throw new UnprocessableError(`${file} contains no objects`);
  return d.objects;
}

export interface ImportTotals {
  api_root: string;
  collection: string;
  file: string;
  member: string;
  total: number;
  added: number;
  duplicates: number;
  failed: number;
  failures: StatusDetail[];
  warnings: StatusDetail[];
}

type Progress = (done: number, total: number) => void;

/**
 * Import progress: the CLI's one progress bar (./progress.ts, cli-progress) on a terminal, a plain
 * line per batch otherwise (logs of a scheduled import keep a trace of how far it got).
 */
export function progressReporter(stream: NodeJS.WriteStream): { update: Progress; end: () => void } {
  if (stream.isTTY) {
    const bar = progressBar(stream, 'objects');
    return { update: (done, total) => bar.update(done, total), end: () => bar.end() };
  }
  return {
    update(done, total) {
      stream.write(`imported ${done}/${total} objects\n`);
    },
    end() {},
  };
}

export async function importObjects(
  deps: IngestDeps,
  collection: CollectionRecord,
  objects: unknown[],
  file: string,
  progress: Progress | null,
): Promise<ImportTotals> {
  const member = cliMember();
  const totals: ImportTotals = {
    api_root: collection.apiRoot,
    collection: collection.id,
    file,
    member,
    total: objects.length,
    added: 0,
    duplicates: 0,
    failed: 0,
    failures: [],
    warnings: [],
  };
  for (let start = 0; start < objects.length; start += IMPORT_BATCH) {
    const batch = objects.slice(start, start + IMPORT_BATCH);
    const status = await ingest(deps, {
      apiRoot: collection.apiRoot,
      collectionId: collection.id,
      member,
      objects: batch,
    });
    const summary = summarise(status);
    totals.added += summary.added;
    totals.duplicates += summary.duplicates;
    totals.failed += summary.failed;
    totals.failures.push(...status.failures);
    for (const s of status.successes) if (s.message?.includes('warning:')) totals.warnings.push(s);
    progress?.(Math.min(start + batch.length, objects.length), objects.length);
  }
  return totals;
}

export function importText(t: ImportTotals): string {
  const lines: string[] = [];
  for (const f of t.failures) lines.push(`failed: ${f.id} (${f.version}): ${f.message ?? ''}`);
  lines.push(
    `${t.total} objects read from ${t.file} into ${t.api_root}/${t.collection}: ` +
      `${t.added} added, ${t.duplicates} duplicates, ${t.failed} failed` +
      (t.warnings.length > 0 ? ` (${t.warnings.length} with warnings)` : ''),
  );
  return lines.join('\n');
}

/**
 * Streams the collection as a STIX 2.1 bundle to stdout, one page of the store at a time; each
 * object is written as stored (byte for byte). Returns the number of objects written.
 */
export async function exportBundle(
  objects: ObjectStore,
  collection: CollectionRecord,
  allVersions: boolean,
  bar: ProgressBar | null = null,
): Promise<number> {
  // Every version counts in countObjects: a known total only when every version is exported.
  const total = bar && allVersions ? await objects.countObjects(collection.id) : undefined;
  const filter = allVersions ? { versions: { kind: 'all' as const } } : {};
  let after: number | undefined;
  let count = 0;
  const bundleId = `bundle--${randomUUID()}`;
  for (;;) {
    const page = await objects.queryObjects({
      collectionId: collection.id,
      // The operator exports everything, whatever its TLP.
      visibleTo: 'all',
      filter,
      ...(after !== undefined ? { after } : {}),
      limit: EXPORT_PAGE,
      withBody: true,
    });
    const bodies = page.items.map((v) => {
      if (v.body === undefined) throw new Error(`the store returned ${v.id} without its body`);
      return v.body;
    });
    if (count === 0) {
      // STIX forbids empty lists: an empty collection gives a bundle without "objects".
      if (bodies.length === 0) {
        await writeStdout(`{"type":"bundle","id":"${bundleId}"}\n`);
        return 0;
      }
      await writeStdout(`{"type":"bundle","id":"${bundleId}","objects":[\n${bodies.join(',\n')}`);
    } else if (bodies.length > 0) {
      await writeStdout(`,\n${bodies.join(',\n')}`);
    }
    count += bodies.length;
    bar?.update(count, total === undefined ? undefined : Math.max(total, count));
    const last = page.items[page.items.length - 1];
    if (!page.more || last === undefined) break;
    after = last.dateAdded;
  }
  await writeStdout('\n]}\n');
  return count;
}

export const transferCommands: Handlers<'registry' | 'objects' | 'statuses'> = {
  import: async ({ args, json, config, stores: { registry, objects, statuses }, audit }) => {
    const c = await findCollectionOrFail(registry, args.root as string, args.collection as string);
    audit.apiRoot = c.apiRoot;
    audit.collection = c.id;
    const read = await readObjects(args.file as string);
    // The full STIX validator is loaded only when needed (compiling its schemas takes a moment).
    const { stixValidator } = await import('../../server/stix/plug');
    const limits = contentLimits(config);
    const validate = stixValidator(config.strictValidation, validationLimits(limits));
    const reporter = json ? null : progressReporter(process.stderr);
    let totals;
    try {
      totals = await importObjects(
        {
          objects,
          statuses,
          statusTtlHours: config.statusTtlHours,
          statusBytes: config.maxStatusBytes,
          validate,
          limits,
        },
        c,
        read,
        args.file as string,
        reporter ? reporter.update : null,
      );
    } finally {
      reporter?.end();
    }
    audit.count = totals.added;
    audit.detail = `${totals.added} added, ${totals.duplicates} duplicates, ${totals.failed} failed`;
    await out(json, totals, importText(totals));
    return totals.failed > 0 ? 1 : 0;
  },

  export: async ({ args, options, stores: { registry, objects }, audit }) => {
    const c = await findCollectionOrFail(registry, args.root as string, args.collection as string);
    audit.apiRoot = c.apiRoot;
    audit.collection = c.id;
    // The bundle goes to stdout; on a terminal, stderr shows how far it got.
    const bar = progressBar(process.stderr, 'objects exported');
    try {
      audit.count = await exportBundle(objects, c, options['all-versions'] !== undefined, bar);
    } finally {
      bar.end();
    }
    return 0;
  },
};
