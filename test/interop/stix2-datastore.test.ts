/**
 * Interoperability with the stix2 library's TAXII data store (TAXIICollectionSink / Source, over
 * taxii2-client). The sink wraps what it is given in a STIX bundle and POSTs the bundle to the
 * objects endpoint: Tessera accepts a bundle there as an envelope (README, "POST"), so content
 * pushed with the sink is stored and reads back through the source.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { startHub, type TestHub } from '../helpers/hub';
import { makeIndicator, makeMalware } from '../helpers/stix';
import { pythonProblem, REPO_ROOT, requireTool, runPython, venvPython } from './python';

const DRIVER = path.join(REPO_ROOT, 'scripts', 'interop', 'stix2_sink_driver.py');

type Step = { ok: true; value: unknown } | { ok: false; error: string };

describe('interop: the stix2 library’s TAXII data store against a real hub', function () {
  let hub: TestHub;
  let steps: Record<string, Step>;
  let stderr = '';
  let collectionId: string;
  const indicator = makeIndicator({ name: 'pushed with TAXIICollectionSink' });
  const malware = [makeMalware(), makeMalware()];

  before(async function () {
    this.timeout(120_000);
    const python = venvPython();
    requireTool(this, pythonProblem(python, ['stix2', 'taxii2client']));
    hub = await startHub();
    await hub.addMember('analyst', 'analyst-secret', ['csirt']);
    const c = await hub.addCollection({ grants: [{ group: 'csirt', read: true, write: true }] });
    collectionId = c.id;
    const run = await runPython(python, DRIVER, {
      collection_url: `${hub.url}/api1/collections/${c.id}/`,
      user: 'analyst',
      password: 'analyst-secret',
      indicator,
      malware,
    });
    stderr = run.stderr;
    assert.equal(run.code, 0, `driver exited with ${run.code}\n${run.stderr}`);
    steps = JSON.parse(run.stdout) as Record<string, Step>;
  });

  after(async () => {
    if (hub) await hub.close();
  });

  function ok<T>(name: string): T {
    const s = steps[name];
    assert.ok(s, `the driver did not report step ${name}\n${stderr}`);
    if (!s.ok) assert.fail(`stix2 step ${name} failed:\n${s.error}`);
    return s.value as T;
  }

  it('TAXIICollectionSink.add(object) (sent as a one-object bundle) stores the object as given', async () => {
    ok('add_object');
    const page = await hub.stores.objects.queryObjects({
      visibleTo: 'all',
      collectionId,
      filter: { ids: [indicator.id] },
      limit: 10,
      withBody: true,
    });
    assert.equal(page.items.length, 1);
    const stored = JSON.parse(page.items[0]?.body as string) as Record<string, unknown>;
    assert.equal(stored.id, indicator.id);
    assert.equal(stored.name, indicator.name);
    assert.equal(stored.pattern, indicator.pattern);
  });

  it('TAXIICollectionSink.add(bundle) stores every object of the bundle', async () => {
    ok('add_bundle');
    const page = await hub.stores.objects.queryObjects({
      visibleTo: 'all',
      collectionId,
      filter: { types: ['malware'] },
      limit: 10,
      withBody: false,
    });
    assert.deepEqual(page.items.map((i) => i.id).sort(), malware.map((m) => m.id).sort());
  });

  it('TAXIICollectionSource reads back what the sink pushed', () => {
    const got = ok<Record<string, unknown>>('get_back');
    assert.equal(got.id, indicator.id);
    assert.equal(got.name, indicator.name);
    assert.deepEqual(ok<string[]>('query_back'), malware.map((m) => m.id).sort());
  });
});
