/**
 * `tessera backup <file>` while the hub runs and keeps writing, then the documented restore: a new
 * hub started on the backup file serves everything that was acknowledged before the backup began,
 * and the copy is a consistent store.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../server/store';
import { tessera } from '../helpers/cli';
import {
  API_ROOT,
  assertStoreConsistent,
  getTaxii,
  postEnvelope,
  startHubProcess,
  useSeededStore,
} from '../helpers/process';
import { makeIndicator, withModified, type StixObject } from '../helpers/stix';
import { backendName } from '../helpers/store';

describe(`tessera backup [${backendName()}]: online copy, restore into a new hub`, function () {
  this.timeout(180_000);
  const seeded = useSeededStore({ name: 'ops', password: 'backup-secret-1', group: 'ops' });
  const AUTH = seeded.auth;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-backup-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('MongoDB stores are pointed to mongodump / mongorestore', async function () {
    if (backendName() !== 'mongodb') this.skip();
    const r = await tessera(seeded.url, ['backup', path.join(dir, 'x.db')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /mongodump/);
  });

  it('copies the store while the hub writes; a hub on the copy serves every acknowledged object', async function () {
    if (backendName() !== 'sqlite') this.skip();
    const hub = await startHubProcess({ storeUrl: seeded.url });
    seeded.hubs.push(hub);
    // Acknowledged before the backup: 200 objects, 50 of them with a second version.
    const before: StixObject[] = [];
    for (let b = 0; b < 4; b++) {
      const batch = Array.from({ length: 50 }, () => makeIndicator());
      const status = await postEnvelope(hub, seeded.collectionId, AUTH, batch);
      assert.equal(status.success_count, 50);
      before.push(...batch);
    }
    const second = before.slice(0, 50).map((o) => withModified(o, '2025-06-01T00:00:00.000Z'));
    assert.equal((await postEnvelope(hub, seeded.collectionId, AUTH, second)).success_count, 50);

    // The backup runs while another client keeps POSTing.
    let writing = true;
    const writer = (async () => {
      let n = 0;
      while (writing) {
        await postEnvelope(hub, seeded.collectionId, AUTH, [makeIndicator(), makeIndicator()]);
        n += 2;
      }
      return n;
    })();
    const file = path.join(dir, 'tessera-backup.db');
    const run = await tessera(seeded.url, ['backup', file, '--json']);
    writing = false;
    await writer;
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { file: string; pages: number; bytes: number };
    assert.equal(report.file, file);
    assert.ok(report.pages > 0 && report.bytes > 0);
    assert.equal(existsSync(`${file}.partial`), false);

    // An existing file is never overwritten.
    const again = await tessera(seeded.url, ['backup', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);

    // Restore as README says: a hub started on the copy.
    const restored = await startHubProcess({ storeUrl: `sqlite:${file}` });
    seeded.hubs.push(restored);
    const served = new Map<string, StixObject[]>();
    let next: string | undefined;
    for (;;) {
      const q = next
        ? `?match[version]=all&next=${encodeURIComponent(next)}`
        : '?match[version]=all&limit=1000';
      const res = await getTaxii(
        `${restored.url}/${API_ROOT}/collections/${seeded.collectionId}/objects/${q}`,
        AUTH,
      );
      assert.equal(res.status, 200);
      for (const o of (res.body?.objects ?? []) as StixObject[])
        served.set(o.id, [...(served.get(o.id) ?? []), o]);
      next = res.body?.next as string | undefined;
      if (!res.body?.more || !next) break;
    }
    for (const o of before) {
      const versions = served.get(o.id);
      assert.ok(versions, `${o.id} acknowledged before the backup is missing from the restored hub`);
      assert.ok(
        versions.some((v) => JSON.stringify(v) === JSON.stringify(o)),
        `${o.id}: first version differs`,
      );
    }
    for (const o of second) {
      assert.ok(
        served.get(o.id)?.some((v) => v.modified === o.modified),
        `${o.id}: second version missing from the restored hub`,
      );
    }
    assert.deepEqual(await restored.terminate(), { code: 0, signal: null });
    const copy = await openStore(`sqlite:${file}`);
    try {
      await assertStoreConsistent(copy.objects, seeded.collectionId);
    } finally {
      await copy.close();
    }
    assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
    // The audit trail of the original store records who took the copy (and the refused second try).
    const original = await openStore(seeded.url);
    try {
      const rs = (await original.audit.queryAudit({ limit: 100_000 })).filter(
        (r) => r.endpoint === 'tessera backup',
      );
      assert.deepEqual(
        rs.map((r) => [r.kind, r.status]),
        [
          ['read', 200],
          ['read', 409],
        ],
      );
      assert.match(rs[0]?.address ?? '', /^cli:/);
      assert.match(rs[0]?.detail ?? '', /pages, \d+ bytes/);
    } finally {
      await original.close();
    }
  });
});
