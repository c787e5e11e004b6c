/**
 * Two policies of the MongoDB connection that a real server cannot be made to exercise on demand:
 * the write concern chosen when the server refuses the strongest (FerretDB and MongoDB accept it),
 * and the busy retries of MongoDB collection handles (server/store/mongodb/connection.ts
 * retryingBusy): FerretDB's SQLite handler answers a momentary lock conflict with "database is
 * locked (SQLITE_BUSY)" instead of waiting, so single-command methods are tried again. The
 * conflict cannot be produced on demand on a real server (FerretDB waits for a lock held from
 * outside), so the handle here stands in for a driver Collection whose calls fail with the driver's
 * own error class; no server needed.
 */
import assert from 'node:assert/strict';
import { MongoServerError, type Collection, type Db, type WriteConcernSettings } from 'mongodb';
import { chooseWriteConcern, ensureIndexes, retryingBusy } from '../../server/store/mongodb/connection';
import type { IndexDef } from '../../server/store/mongodb/indexes';

/** Restated (not imported): the single-command methods that are safe to repeat, as connection.ts documents them. */
const RETRIED =
  'insertOne insertMany updateOne updateMany replaceOne deleteOne deleteMany findOne findOneAndUpdate countDocuments'.split(
    ' ',
  );

function busy(): MongoServerError {
  return new MongoServerError({ message: 'database is locked (5) (SQLITE_BUSY)', code: 5 } as never);
}

/** A handle whose every method fails with `failure()` the first `failures` calls, then answers. */
function flaky(failures: number, failure: () => Error = busy) {
  const calls: { method: string; args: unknown[]; self: unknown }[] = [];
  const handle: Record<string, unknown> = { collectionName: 'objects' };
  for (const method of [...RETRIED, 'find', 'aggregate', 'findOneAndDelete', 'bulkWrite']) {
    handle[method] = function (this: unknown, ...args: unknown[]) {
      calls.push({ method, args, self: this });
      const n = calls.filter((c) => c.method === method).length;
      return n <= failures ? Promise.reject(failure()) : Promise.resolve(`${method} answered`);
    };
  }
  return { handle, calls, coll: retryingBusy(handle as unknown as Collection<{ _id: string; a?: number }>) };
}

describe('MongoDB backend: busy retries of collection handles', function () {
  it('retries each single-command method through momentary lock conflicts, with the same arguments', async function () {
    const { handle, calls, coll } = flaky(2);
    const c = coll as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const method of RETRIED) {
      assert.equal(await c[method]?.({ _id: method }, { upsert: true }), `${method} answered`, method);
      const mine = calls.filter((x) => x.method === method);
      assert.equal(mine.length, 3, method);
      for (const call of mine) {
        assert.deepEqual(call.args, [{ _id: method }, { upsert: true }], method);
        assert.equal(call.self, handle, method);
      }
    }
  });

  it('does not retry another failure', async function () {
    const { calls, coll } = flaky(
      1,
      () => new MongoServerError({ message: 'E11000 duplicate key', code: 11000 } as never),
    );
    await assert.rejects(coll.insertOne({ _id: 'x' }), /E11000 duplicate key/);
    assert.equal(calls.length, 1);
  });

  it('gives up after 40 retries, with a pause of at least 5 ms before each, and reports the conflict', async function () {
    this.timeout(20_000);
    const { calls, coll } = flaky(1000);
    const started = Date.now();
    await assert.rejects(coll.updateOne({ _id: 'x' }, { $set: { a: 1 } }), /SQLITE_BUSY/);
    assert.equal(calls.length, 41);
    assert.ok(Date.now() - started >= 40 * 5, `${Date.now() - started} ms`);
  });

  it('leaves other methods and properties as they are: cursors and multi-step calls are not retried', async function () {
    const { handle, calls, coll } = flaky(1);
    const c = coll as unknown as Record<string, unknown>;
    for (const method of ['find', 'aggregate', 'findOneAndDelete', 'bulkWrite']) {
      assert.equal(c[method], handle[method], method);
      await assert.rejects((c[method] as () => Promise<unknown>)(), /SQLITE_BUSY/);
    }
    assert.equal(calls.length, 4);
    assert.equal(c.collectionName, 'objects');
    assert.equal(c[Symbol.toStringTag as never], undefined);
  });
});

/** A database whose probe write fails with `refuse(wc)` (or succeeds when it returns null). */
function probing(refuse: (wc: WriteConcernSettings) => Error | null) {
  const tried: WriteConcernSettings[] = [];
  const db = {
    collection: (name: string, options: { writeConcern: WriteConcernSettings }) => ({
      updateOne: (filter: unknown, update: { $set: { at: number } }, opts: unknown) => {
        assert.equal(name, 'meta');
        assert.deepEqual(
          [filter, Object.keys(update.$set), opts],
          [{ _id: 'write-concern-probe' }, ['at'], { upsert: true }],
        );
        tried.push(options.writeConcern);
        const e = refuse(options.writeConcern);
        return e ? Promise.reject(e) : Promise.resolve({});
      },
    }),
  };
  return { db: db as unknown as Db, tried };
}

function serverError(message: string, code: number): MongoServerError {
  return new MongoServerError({ message, code } as never);
}

describe('MongoDB backend: the write concern chosen at open', function () {
  const majority = { w: 'majority', j: true };
  const journaled = { w: 1, j: true };
  const acknowledged = { w: 1 };

  it('is majority with journal where the server accepts it', async function () {
    const { db, tried } = probing(() => null);
    assert.deepEqual(await chooseWriteConcern(db), majority);
    assert.deepEqual(tried, [majority]);
  });

  it('steps down only past write concerns the server refuses, to w:1 with journal, then w:1', async function () {
    const noMajority = probing((wc) =>
      wc.w === 'majority' ? serverError("No write concern mode named 'majority' found", 79) : null,
    );
    assert.deepEqual(await chooseWriteConcern(noMajority.db), journaled);
    assert.deepEqual(noMajority.tried, [majority, journaled]);
    const noJournal = probing((wc) =>
      wc.j
        ? serverError(
            wc.w === 'majority' ? 'Majority is not supported' : 'cannot use journal: journaling disabled',
            2,
          )
        : null,
    );
    assert.deepEqual(await chooseWriteConcern(noJournal.db), acknowledged);
    assert.deepEqual(noJournal.tried, [majority, journaled, acknowledged]);
  });

  it('fails with the last refusal when the server accepts none', async function () {
    const { db, tried } = probing((wc) => serverError(`write concern ${JSON.stringify(wc)} refused`, 100));
    await assert.rejects(chooseWriteConcern(db), /^MongoServerError: write concern \{"w":1\} refused$/);
    assert.equal(tried.length, 3);
  });

  it('fails at once on any other failure', async function () {
    const { db, tried } = probing(() => serverError('not authorized on tessera to execute command', 13));
    await assert.rejects(chooseWriteConcern(db), /not authorized/);
    assert.deepEqual(tried, [majority]);
  });

  it('takes a duplicate key (another instance upserting the probe at that instant) as accepted', async function () {
    const { db, tried } = probing(() => serverError('E11000 duplicate key error', 11000));
    assert.deepEqual(await chooseWriteConcern(db), majority);
    assert.deepEqual(tried, [majority]);
  });
});

describe('MongoDB backend: an index the server cannot create', function () {
  /** A database whose createIndex fails with `failure(name)` (or succeeds when it returns null). */
  function creating(failure: (name: string) => Error | null) {
    const created: string[] = [];
    const db = {
      collection: () => ({
        createIndex: (_key: unknown, options: { name: string }) => {
          const e = failure(options.name);
          if (e) return Promise.reject(e);
          created.push(options.name);
          return Promise.resolve(options.name);
        },
      }),
    };
    return { db: db as unknown as Db, created };
  }
  const defs: IndexDef[] = [
    { collection: 'a', name: 'plain', key: { x: 1 } },
    { collection: 'a', name: 'ttl', key: { t: 1 }, expireAfterSeconds: 0, optional: true },
    { collection: 'a', name: 'last', key: { y: 1 } },
  ];

  it('skips an optional index whose options the server does not implement (67, 115, 238)', async function () {
    for (const code of [67, 115, 238]) {
      const { db, created } = creating((name) =>
        name === 'ttl' ? serverError('not implemented', code) : null,
      );
      await ensureIndexes(db, defs);
      assert.deepEqual(created, ['plain', 'last'], String(code));
    }
  });

  it('fails on any other failure of an optional index, and on those codes for a required one', async function () {
    const cases: [string, Error][] = [
      ['ttl', serverError('Index already exists with a different name: t_1', 85)],
      ['ttl', Object.assign(new Error('not implemented'), { code: 238 })],
      ['plain', serverError('not implemented', 238)],
      ['last', serverError('command not supported', 115)],
    ];
    for (const [failing, e] of cases) {
      const { db } = creating((name) => (name === failing ? e : null));
      await assert.rejects(ensureIndexes(db, defs), (got: unknown) => got === e);
    }
  });
});
