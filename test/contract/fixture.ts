/**
 * Shared helpers of the store contract suite (not a test file itself).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type {
  AddOutcome,
  CollectionRecord,
  CreateCollectionArgs,
  Micros,
  NewObjectVersion,
  ObjectFilter,
  Stores,
  StoredVersion,
  VersionSelector,
} from '../../server/store/contract';
import { versionKey } from '../../server/time';
import { openStore } from '../../server/store';
import { backendName, openTestStore, sharesUrl, type TestStores } from '../helpers/store';

/** Title prefix of every contract describe block, naming the backend under test. */
export function suite(area: string): string {
  return `store contract [${backendName()}]: ${area}`;
}

/** Open one fresh store for the enclosing describe block; returns an accessor. */
export function useStores(): () => Stores {
  let current: TestStores | undefined;
  before(async function () {
    current = await openTestStore();
  });
  after(async function () {
    await current?.cleanup();
  });
  return () => {
    assert.ok(current, 'store not open');
    return current;
  };
}

/**
 * For the tests of a describe block that open further instances on the store's URL: they are
 * skipped when the URL cannot be shared (in-memory SQLite), and what they open is closed after
 * each. Returns the opener.
 */
export function useOtherInstances(urlOf: () => string): (url: string) => Promise<Stores> {
  const opened: Stores[] = [];
  beforeEach(function () {
    if (!sharesUrl(urlOf())) this.skip();
  });
  afterEach(async function () {
    for (const s of opened.splice(0)) await s.close();
  });
  return async (url) => {
    const s = await openStore(url);
    opened.push(s);
    return s;
  };
}

/** `p` rejects with an error of exactly this class and message. */
export async function rejectsWith(
  p: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  message: string,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof Error, String(e));
    assert.equal(e.constructor, type, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

/** A name unique to this run, e.g. for members, groups and API roots in a shared store. */
export function uniq(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The element at `i`, failing the test when absent. */
export function nth<T>(items: readonly T[], i: number): T {
  const v = items[i];
  assert.ok(v !== undefined, `no element at index ${i} (length ${items.length})`);
  return v;
}

/** STIX timestamp `seconds` after 2025-01-01T00:00:00Z, millisecond precision ("…:05.000Z"). */
export function stamp(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();
}

export function key(version: string): string {
  const k = versionKey(version);
  assert.ok(k !== null, `not a STIX timestamp: ${version}`);
  return k;
}

export const ALL: VersionSelector = { kind: 'all' };
export const LAST: VersionSelector = { kind: 'some', first: false, last: true, exact: [] };
export const FIRST: VersionSelector = { kind: 'some', first: true, last: false, exact: [] };
export const FIRST_LAST: VersionSelector = { kind: 'some', first: true, last: true, exact: [] };
export function exact(...versions: string[]): VersionSelector {
  return { kind: 'some', first: false, last: false, exact: versions.map(key) };
}

/** Assert a plausible Micros value: a safe integer between 2020 and a day from now. */
export function assertMicros(value: unknown, what = 'value'): asserts value is Micros {
  assert.equal(typeof value, 'number', `${what} is a number`);
  assert.ok(Number.isSafeInteger(value), `${what} is an integer: ${String(value)}`);
  const n = value as number;
  assert.ok(n > Date.UTC(2020, 0, 1) * 1000, `${what} is in microseconds, got ${n}`);
  assert.ok(n < (Date.now() + 86_400_000) * 1000, `${what} is not in the future, got ${n}`);
}

export async function newApiRoot(stores: Pick<Stores, 'registry'>): Promise<string> {
  const name = uniq('root');
  await stores.registry.createApiRoot({ name, title: `Root ${name}` });
  return name;
}

export async function newCollection(
  stores: Pick<Stores, 'registry'>,
  apiRoot: string,
  extra: Partial<CreateCollectionArgs> = {},
): Promise<CollectionRecord> {
  return stores.registry.createCollection({
    id: randomUUID(),
    apiRoot,
    title: 'Contract test collection',
    mediaTypes: ['application/stix+json;version=2.1'],
    grants: [],
    ...extra,
  });
}

export function add(
  stores: Pick<Stores, 'objects'>,
  collectionId: string,
  objects: NewObjectVersion[],
): Promise<AddOutcome[]> {
  return stores.objects.addObjects({ collectionId, addedBy: 'contract-test', objects });
}

/** All matching versions in one page (asserting nothing more matches). */
export async function queryAll(
  stores: Pick<Stores, 'objects'>,
  collectionId: string,
  filter: ObjectFilter = {},
  withBody = false,
): Promise<StoredVersion[]> {
  const page = await stores.objects.queryObjects({
    visibleTo: 'all',
    collectionId,
    filter,
    limit: 10_000,
    withBody,
  });
  assert.equal(page.more, false, 'more is false when everything fits in the page');
  return page.items;
}

/** "id@version" labels, for readable comparisons of query results. */
export function labels(items: readonly { id: string; version: string }[]): string[] {
  return items.map((v) => `${v.id}@${v.version}`);
}

/** Assert that the values are strictly increasing. */
export function assertIncreasing(values: readonly number[], what: string): void {
  for (let i = 1; i < values.length; i++) {
    assert.ok(
      nth(values, i) > nth(values, i - 1),
      `${what} strictly increasing at ${i}: ${values.join(', ')}`,
    );
  }
}
