import assert from 'node:assert/strict';
import { openStore } from '../../server/store';
import { openTestStore, sharesUrl, type TestStore } from '../helpers/store';
import { suite, uniq } from './fixture';

describe(suite('shared state'), function () {
  let t: TestStore;
  before(async function () {
    t = await openTestStore();
  });
  after(async function () {
    await t.cleanup();
  });

  it('getState of an unknown key is null', async function () {
    assert.equal(await t.store.getState(uniq('state')), null);
  });

  it('putState with expectedVersion 0 creates version 1 with the value as given', async function () {
    const key = uniq('state');
    const value = '{ "cursor" : "2025-01-01T00:00:00.000000Z", "n": 1.0 }';
    assert.equal(await t.store.putState({ key, value, expectedVersion: 0 }), true);
    assert.deepEqual(await t.store.getState(key), { key, value, version: 1 });
  });

  it('putState with expectedVersion 0 on an existing key resolves false and writes nothing', async function () {
    const key = uniq('state');
    await t.store.putState({ key, value: '"first"', expectedVersion: 0 });
    assert.equal(await t.store.putState({ key, value: '"second"', expectedVersion: 0 }), false);
    assert.deepEqual(await t.store.getState(key), { key, value: '"first"', version: 1 });
  });

  it('putState with the current version replaces the value and increments the version', async function () {
    const key = uniq('state');
    await t.store.putState({ key, value: '1', expectedVersion: 0 });
    assert.equal(await t.store.putState({ key, value: '2', expectedVersion: 1 }), true);
    assert.deepEqual(await t.store.getState(key), { key, value: '2', version: 2 });
    assert.equal(await t.store.putState({ key, value: '3', expectedVersion: 2 }), true);
    assert.deepEqual(await t.store.getState(key), { key, value: '3', version: 3 });
  });

  it('putState with a stale version resolves false and writes nothing', async function () {
    const key = uniq('state');
    await t.store.putState({ key, value: '1', expectedVersion: 0 });
    await t.store.putState({ key, value: '2', expectedVersion: 1 });
    assert.equal(await t.store.putState({ key, value: 'stale', expectedVersion: 1 }), false);
    assert.equal(await t.store.putState({ key, value: 'future', expectedVersion: 5 }), false);
    assert.deepEqual(await t.store.getState(key), { key, value: '2', version: 2 });
  });

  it('putState with a version > 0 on an unknown key resolves false and creates nothing', async function () {
    const key = uniq('state');
    assert.equal(await t.store.putState({ key, value: '1', expectedVersion: 1 }), false);
    assert.equal(await t.store.getState(key), null);
  });

  it('keys are independent', async function () {
    const [a, b] = [uniq('state'), uniq('state')];
    await t.store.putState({ key: a, value: '"a"', expectedVersion: 0 });
    await t.store.putState({ key: b, value: '"b"', expectedVersion: 0 });
    await t.store.putState({ key: a, value: '"a2"', expectedVersion: 1 });
    assert.deepEqual(await t.store.getState(b), { key: b, value: '"b"', version: 1 });
  });

  it('two instances racing with the same expected version: exactly one wins', async function () {
    if (!sharesUrl(t.url)) this.skip();
    const other = await openStore(t.url);
    try {
      const key = uniq('lease');
      const created = await Promise.all([
        t.store.putState({ key, value: '"a"', expectedVersion: 0 }),
        other.putState({ key, value: '"b"', expectedVersion: 0 }),
      ]);
      assert.deepEqual(
        created.filter((ok) => ok),
        [true],
      );
      const winner = created[0] ? '"a"' : '"b"';
      assert.deepEqual(await other.getState(key), { key, value: winner, version: 1 });
      const updated = await Promise.all([
        other.putState({ key, value: '"c"', expectedVersion: 1 }),
        t.store.putState({ key, value: '"d"', expectedVersion: 1 }),
      ]);
      assert.deepEqual(
        updated.filter((ok) => ok),
        [true],
      );
      assert.equal((await t.store.getState(key))?.version, 2);
    } finally {
      await other.close();
    }
  });
});
