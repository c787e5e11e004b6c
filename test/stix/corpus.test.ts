import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatVerdictMessage, validateStixObject } from '../../server/stix/validate';
import { runValidate } from '../../scripts/validate';
import { CORPUS, corpusFiles, indicator } from './helpers';

describe('STIX validation: the shared corpus validates', function () {
  this.timeout(60000);
  const files = corpusFiles();
  if (files.length === 0) {
    it('corpus absent', function () {
      console.log(`      skipped: no STIX corpus at ${CORPUS}`);
      this.skip();
    });
    return;
  }
  for (const f of files) {
    it(path.relative(CORPUS, f), () => {
      const objects = (JSON.parse(readFileSync(f, 'utf8')) as { objects: unknown[] }).objects;
      const bad = objects
        .map((o) => ({ o, v: validateStixObject(o) }))
        .filter((x) => !x.v.ok)
        .map((x) => `${(x.o as { id?: string }).id}: ${formatVerdictMessage(x.v)}`);
      assert.deepEqual(bad, []);
    });
  }
});

describe('tessera validate (runValidate)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-validate-'));
  const quiet = async (f: () => Promise<number>): Promise<{ code: number; out: string }> => {
    const orig = console.log;
    let out = '';
    console.log = (...a: unknown[]) => {
      out += a.join(' ') + '\n';
    };
    try {
      return { code: await f(), out };
    } finally {
      console.log = orig;
    }
  };
  it('exits 0 for a valid bundle and non-zero when an object fails', async () => {
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ type: 'bundle', id: 'bundle--1', objects: [indicator()] }));
    assert.equal((await quiet(() => runValidate(good, {}))).code, 0);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ objects: [indicator(), indicator({ confidence: 900 })] }));
    const r = await quiet(() => runValidate(bad, {}));
    assert.equal(r.code, 1);
    assert.match(r.out, /FAIL indicator--.*value-range at \$\.confidence/);
    const j = await quiet(() => runValidate(bad, { json: true }));
    assert.equal((JSON.parse(j.out) as { failed: number }).failed, 1);
  });
  it('strict mode fails on warnings', async () => {
    const f = path.join(dir, 'warn.json');
    writeFileSync(f, JSON.stringify({ objects: [indicator({ indicator_types: ['evil'] })] }));
    assert.equal((await quiet(() => runValidate(f, {}))).code, 0);
    assert.equal((await quiet(() => runValidate(f, { strict: true }))).code, 1);
  });
  it('reports unreadable files', async () => {
    const orig = console.error;
    console.error = () => undefined;
    try {
      assert.equal(await runValidate(path.join(dir, 'missing.json'), {}), 2);
    } finally {
      console.error = orig;
    }
  });
});
