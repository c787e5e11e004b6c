/**
 * The MongoDB backend's translation of driver failures (server/store/mongodb/errors.ts), one case
 * per kind of failure the driver reports. The failures the test server can produce for real are
 * produced for real in ./mongodb-backend.test.ts (unreachable server, closed store) and in the
 * contract suite (duplicate keys); the others are built here with the driver's own error classes,
 * from the reply documents a MongoDB server sends (a server that steps down or shuts down mid-test
 * cannot be had from FerretDB). Needs no server.
 */
import assert from 'node:assert/strict';
import {
  MongoBulkWriteError,
  MongoClientClosedError,
  MongoError,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
  type TopologyDescription,
} from 'mongodb';
import { ConflictError, NotFoundError, StoreError, StoreUnavailableError } from '../../server/errors';
import {
  DUPLICATE_KEY,
  isBusy,
  isDuplicateKey,
  isUnavailable,
  translate,
} from '../../server/store/mongodb/errors';

/** A server reply `{ ok: 0, code, errmsg, errorLabels? }` as the driver raises it. */
function serverError(code: number | undefined, errmsg: string, labels?: string[]): MongoServerError {
  const reply: Record<string, unknown> = { ok: 0, errmsg };
  if (code !== undefined) reply.code = code;
  if (labels) reply.errorLabels = labels;
  return new MongoServerError(reply as never);
}

describe('MongoDB backend: translation of driver failures', function () {
  it('reports the failures of an unreachable or closed connection as unavailable, whatever their code', function () {
    const noServer = { error: undefined } as unknown as TopologyDescription;
    const cases: [string, MongoError][] = [
      ['network', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
      ['network timeout', new MongoNetworkTimeoutError('connection timed out')],
      [
        'server selection',
        new MongoServerSelectionError('Server selection timed out after 300 ms', noServer),
      ],
      ['topology closed', new MongoTopologyClosedError()],
      ['not connected', new MongoNotConnectedError('Client must be connected before running operations')],
      ['server closed', new MongoServerClosedError()],
      ['client closed', new MongoClientClosedError()],
      ['operation timeout', new MongoOperationTimeoutError('Timed out during operation')],
      [
        'write concern',
        // 100 UnsatisfiableWriteConcern: not a transient code, the class alone makes it transient.
        new MongoWriteConcernError({
          writeConcernError: { code: 100, errmsg: 'Not enough data-bearing nodes' },
        } as never),
      ],
    ];
    for (const [what, e] of cases) {
      assert.equal(isUnavailable(e), true, what);
      const t = translate(e, 'get member');
      assert.ok(t instanceof StoreUnavailableError, `${what}: ${t.constructor.name}`);
      assert.equal(t.message, `get member: MongoDB is unavailable (${e.message})`, what);
    }
  });

  it('reports the transient server codes as unavailable and other codes as store errors', function () {
    const transient: [number, string][] = [
      [6, 'HostUnreachable'],
      [7, 'HostNotFound'],
      [50, 'MaxTimeMSExpired'],
      [64, 'WriteConcernFailed'],
      [89, 'NetworkTimeout'],
      [91, 'ShutdownInProgress'],
      [112, 'WriteConflict'],
      [189, 'PrimarySteppedDown'],
      [262, 'ExceededTimeLimit'],
      [9001, 'SocketException'],
      [10107, 'NotWritablePrimary'],
      [11600, 'InterruptedAtShutdown'],
      [11602, 'InterruptedDueToReplStateChange'],
      [13435, 'NotPrimaryNoSecondaryOk'],
      [13436, 'NotPrimaryOrSecondary'],
    ];
    for (const [code, name] of transient) {
      const e = serverError(code, name);
      assert.equal(isUnavailable(e), true, name);
      const t = translate(e, 'add objects');
      assert.ok(t instanceof StoreUnavailableError, name);
      assert.equal(t.message, `add objects: MongoDB is unavailable (${name})`);
    }
    for (const [code, name] of [
      [2, 'BadValue'],
      [13, 'Unauthorized'],
      [26, 'NamespaceNotFound'],
      [100, 'UnsatisfiableWriteConcern'],
    ] as const) {
      const e = serverError(code, name);
      assert.equal(isUnavailable(e), false, name);
      const t = translate(e, 'add objects');
      assert.ok(t instanceof StoreError, name);
      assert.ok(!(t instanceof StoreUnavailableError), name);
      assert.equal(t.message, `add objects: ${name}`);
    }
  });

  it('looks into a bulk write (insertMany) at the failure it carries', function () {
    const wrapped = (inner: object) => new MongoBulkWriteError(inner as never, {} as never);
    const dropped = wrapped(new MongoNetworkError('connection 2 to 127.0.0.1:27017 closed'));
    assert.equal(isUnavailable(dropped), true);
    const t = translate(dropped, 'append audit records');
    assert.ok(t instanceof StoreUnavailableError);
    assert.equal(
      t.message,
      'append audit records: MongoDB is unavailable (connection 2 to 127.0.0.1:27017 closed)',
    );
    // A write concern error of the batch, reported by the server: its code decides.
    assert.equal(isUnavailable(wrapped({ message: 'waiting for replication timed out', code: 64 })), true);
    assert.equal(isUnavailable(wrapped({ message: 'no such write concern', code: 79 })), false);
    // A driver failure that is not transient, and a duplicate key in the batch.
    const tooLarge = wrapped(
      new MongoInvalidArgumentError('Document is larger than the maximum size 16777216'),
    );
    assert.equal(isUnavailable(tooLarge), false);
    assert.equal(translate(tooLarge, 'add objects').constructor, StoreError);
    const dup = wrapped({ message: 'E11000 duplicate key error', code: 11000, writeErrors: [] });
    assert.equal(translate(dup, 'add objects').constructor, ConflictError);
  });

  it('reports a failure labelled retryable or transient by the server as unavailable', function () {
    for (const label of ['RetryableWriteError', 'TransientTransactionError']) {
      const e = serverError(1_000_001, 'interrupted', [label]);
      assert.equal(isUnavailable(e), true, label);
      assert.ok(translate(e, 'x') instanceof StoreUnavailableError, label);
    }
    const other = serverError(1_000_001, 'interrupted', ['NoWritesPerformed']);
    assert.equal(isUnavailable(other), false);
    assert.ok(!(translate(other, 'x') instanceof StoreUnavailableError));
  });

  it("recognises each of the lock conflicts of FerretDB's SQLite handler as momentary", function () {
    for (const msg of [
      'database is locked (5) (SQLITE_BUSY)',
      'SQLITE_BUSY',
      'SQLITE_LOCKED: table is locked',
      'database is locked',
    ]) {
      const e = serverError(1, msg);
      assert.equal(isBusy(e), true, msg);
      assert.equal(isUnavailable(e), true, msg);
      const t = translate(e, 'put status');
      assert.ok(t instanceof StoreUnavailableError, msg);
      assert.equal(t.message, `put status: MongoDB is unavailable (${msg})`);
    }
    assert.equal(isBusy(serverError(1, 'sqlite_busy')), false, 'the code names are upper case');
    assert.equal(isBusy(serverError(1, 'Database is locked')), false);
    assert.equal(isBusy(serverError(1, 'disk I/O error (SQLITE_IOERR)')), false);
    // Only a driver failure: our own messages or a plain Error never count as a lock conflict.
    assert.equal(isBusy(new Error('database is locked')), false);
    assert.equal(isUnavailable(new Error('database is locked')), false);
  });

  it('reports duplicate keys (both codes) as conflicts, and only those', function () {
    assert.equal(DUPLICATE_KEY, 11000);
    for (const code of [11000, 11001]) {
      const e = serverError(code, `E${code} duplicate key error collection: tessera.members index: _id_`);
      assert.equal(isDuplicateKey(e), true, String(code));
      const t = translate(e, 'member alice');
      assert.ok(t instanceof ConflictError, String(code));
      assert.equal(t.message, 'member alice: already exists');
    }
    assert.equal(isDuplicateKey(serverError(11002, 'E11002')), false);
    assert.equal(isDuplicateKey(serverError(undefined, 'no code')), false);
    // The code alone is not enough: it must come from the driver.
    assert.equal(isDuplicateKey(Object.assign(new Error('E11000'), { code: 11000 })), false);
  });

  it('passes the hub errors through and wraps anything else as a store error', function () {
    const nf = new NotFoundError('member bob does not exist');
    assert.equal(translate(nf, 'get member'), nf);
    const plain = translate(new TypeError('cannot read x of undefined'), 'list groups');
    assert.ok(plain instanceof StoreError && !(plain instanceof StoreUnavailableError));
    assert.equal(plain.message, 'list groups: cannot read x of undefined');
    const thrown = translate('boom', 'list groups');
    assert.ok(thrown instanceof StoreError && !(thrown instanceof StoreUnavailableError));
    assert.equal(thrown.message, 'list groups: boom');
    assert.equal(isUnavailable('boom'), false);
    assert.equal(isUnavailable(undefined), false);
  });
});
