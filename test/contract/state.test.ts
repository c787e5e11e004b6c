import assert from 'node:assert/strict';
import { openStore } from '../../server/store';
import { openTestStore, sharesUrl, type TestStores } from '../helpers/store';
import { suite, uniq, useOtherInstances } from './fixture';

describe(suite('shared secrets'), function () {
  let t: TestStores;
  beforeEach(async function () {
    t = await openTestStore();
  });
  afterEach(async function () {
    await t.cleanup();
  });

  it('sharedSecret is a non-empty Buffer, stable across calls, distinct per name', async function () {
    const a1 = await t.state.sharedSecret('cursor');
    const a2 = await t.state.sharedSecret('cursor');
    const b = await t.state.sharedSecret('other');
    assert.ok(Buffer.isBuffer(a1), 'a Buffer');
    assert.ok(a1.length > 0, 'non-empty');
    assert.ok(a1.equals(a2), 'same secret on the second call');
    assert.ok(!a1.equals(b), 'another name has another secret');
  });

  describe('several instances on the same URL', function () {
    const another = useOtherInstances(() => t.url);

    it('sharedSecret is the same from a second instance', async function () {
      const first = await t.state.sharedSecret('cursor');
      const second = await (await another(t.url)).state.sharedSecret('cursor');
      assert.ok(first.equals(second));
    });

    it('sharedSecret first used by two instances at once yields one secret', async function () {
      const other = await another(t.url);
      const [a, b] = await Promise.all([t.state.sharedSecret('race'), other.state.sharedSecret('race')]);
      assert.ok(a.equals(b));
      assert.ok(a.equals(await t.state.sharedSecret('race')));
    });
  });
});

describe(suite('shared state'), function () {
  let t: TestStores;
  before(async function () {
    t = await openTestStore();
  });
  after(async function () {
    await t.cleanup();
  });

  it('getState of an unknown key is null', async function () {
    assert.equal(await t.state.getState(uniq('state')), null);
  });

  it('putState with expectedVersion 0 creates version 1 with the value as given', async function () {
    const key = uniq('state');
    const value = '{ "cursor" : "2025-01-01T00:00:00.000000Z", "n": 1.0 }';
    assert.equal(await t.state.putState({ key, value, expectedVersion: 0 }), true);
    assert.deepEqual(await t.state.getState(key), { key, value, version: 1 });
  });

  it('putState with expectedVersion 0 on an existing key resolves false and writes nothing', async function () {
    const key = uniq('state');
    await t.state.putState({ key, value: '"first"', expectedVersion: 0 });
    assert.equal(await t.state.putState({ key, value: '"second"', expectedVersion: 0 }), false);
    assert.deepEqual(await t.state.getState(key), { key, value: '"first"', version: 1 });
  });

  it('putState with the current version replaces the value and increments the version', async function () {
    const key = uniq('state');
    await t.state.putState({ key, value: '1', expectedVersion: 0 });
    assert.equal(await t.state.putState({ key, value: '2', expectedVersion: 1 }), true);
    assert.deepEqual(await t.state.getState(key), { key, value: '2', version: 2 });
    assert.equal(await t.state.putState({ key, value: '3', expectedVersion: 2 }), true);
    assert.deepEqual(await t.state.getState(key), { key, value: '3', version: 3 });
  });

  it('putState with a stale version resolves false and writes nothing', async function () {
    const key = uniq('state');
    await t.state.putState({ key, value: '1', expectedVersion: 0 });
    await t.state.putState({ key, value: '2', expectedVersion: 1 });
    assert.equal(await t.state.putState({ key, value: 'stale', expectedVersion: 1 }), false);
    assert.equal(await t.state.putState({ key, value: 'future', expectedVersion: 5 }), false);
    assert.deepEqual(await t.state.getState(key), { key, value: '2', version: 2 });
  });

  it('putState with a version > 0 on an unknown key resolves false and creates nothing', async function () {
    const key = uniq('state');
    assert.equal(await t.state.putState({ key, value: '1', expectedVersion: 1 }), false);
    assert.equal(await t.state.getState(key), null);
  });

  it('keys are independent', async function () {
    const [a, b] = [uniq('state'), uniq('state')];
    await t.state.putState({ key: a, value: '"a"', expectedVersion: 0 });
    await t.state.putState({ key: b, value: '"b"', expectedVersion: 0 });
    await t.state.putState({ key: a, value: '"a2"', expectedVersion: 1 });
    assert.deepEqual(await t.state.getState(b), { key: b, value: '"b"', version: 1 });
  });

  it('two instances racing with the same expected version: exactly one wins', async function () {
    if (!sharesUrl(t.url)) this.skip();
    const other = await openStore(t.url);
    try {
      const key = uniq('lease');
      const created = await Promise.all([
        t.state.putState({ key, value: '"a"', expectedVersion: 0 }),
        other.state.putState({ key, value: '"b"', expectedVersion: 0 }),
      ]);
      assert.deepEqual(
        created.filter((ok) => ok),
        [true],
      );
      const winner = created[0] ? '"a"' : '"b"';
      assert.deepEqual(await other.state.getState(key), { key, value: winner, version: 1 });
      const updated = await Promise.all([
        other.state.putState({ key, value: '"c"', expectedVersion: 1 }),
        t.state.putState({ key, value: '"d"', expectedVersion: 1 }),
      ]);
      assert.deepEqual(
        updated.filter((ok) => ok),
        [true],
      );
      assert.equal((await t.state.getState(key))?.version, 2);
    } finally {
      await other.close();
    }
  });
});
