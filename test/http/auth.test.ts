/**
 * Checklist §11 cases 11, 12, 22, 35 and the no-credentials half of 86: authentication, and what a
 * member without any grant sees.
 */
import assert from 'node:assert/strict';
import { hashSecret } from '../../server/access/secrets';
import { makeIndicator } from '../helpers/stix';
import {
  ALICE,
  assertOk,
  assertTaxiiError,
  buildWorld,
  Client,
  col,
  type Reply,
  type World,
} from './fixture';

/** All WWW-Authenticate challenges of a response, joined by ", ". */
function challengeOf(res: Reply): string {
  const h = res.headers['www-authenticate'];
  assert.ok(h !== undefined, 'WWW-Authenticate present');
  return Array.isArray(h) ? h.join(', ') : h;
}

describe('TAXII HTTP: authentication (§11 #11, #12, #22, #35, #86)', function () {
  let w: World;
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  function assertChallenge(res: Reply, scheme: RegExp = /^Basic realm="Tessera"/): void {
    assertTaxiiError(res, 401);
    assert.match(challengeOf(res), scheme);
  }

  it('#11 GET /taxii2/ without Authorization → 401, WWW-Authenticate Basic and Bearer, TAXII error body', async function () {
    const res = await w.anon.get('/taxii2/');
    assertChallenge(res);
    assert.equal(challengeOf(res), 'Basic realm="Tessera", charset="UTF-8", Bearer realm="Tessera"');
  });

  it('#12 a wrong password → 401 with WWW-Authenticate; so does an unknown member', async function () {
    assertChallenge(
      await new Client(w.hub, { name: ALICE.name, password: 'not-the-password' }).get('/taxii2/'),
    );
    assertChallenge(await new Client(w.hub, { name: 'mallory', password: ALICE.password }).get('/taxii2/'));
  });

  it('#12 malformed Authorization headers → 401 with the challenge of their scheme', async function () {
    const good = Buffer.from(`${ALICE.name}:${ALICE.password}`).toString('base64');
    assert.ok(good.endsWith('='), 'fixture: padded');
    for (const value of [
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('alice').toString('base64')}`,
      // issue 8 item 7: alice's real credentials with junk after the padding, or unpadded
      `Basic ${good}x`,
      `Basic ${good}=x`,
      `Basic ${good.replace(/=+$/, '')}`,
      `Basic ${good} x`,
    ]) {
      assertChallenge(await w.anon.get('/taxii2/', { Authorization: value }));
    }
    assertOk(await w.anon.get('/taxii2/', { Authorization: `Basic ${good}` }));
    assertChallenge(
      await w.anon.get('/taxii2/', { Authorization: 'Bearer abc' }),
      /^Bearer realm="Tessera", error="invalid_token", error_description="not a Tessera API key/,
    );
    assertChallenge(await w.anon.get('/taxii2/', { Authorization: 'Token abc' }), /^Token realm="Tessera"$/);
    for (const value of ['Digest username="alice"', 'Negotiate abc', '']) {
      assertChallenge(
        await w.anon.get('/taxii2/', { Authorization: value }),
        /^Basic .*, Bearer realm="Tessera"$/,
      );
    }
  });

  it('a failed password check is never remembered: the same wrong password fails every time', async function () {
    const wrong = new Client(w.hub, { name: ALICE.name, password: 'wrong-but-repeated' });
    for (let i = 0; i < 3; i++) assertChallenge(await wrong.get('/taxii2/'));
    const ghost = new Client(w.hub, { name: 'ghost', password: 'whatever-it-is' });
    for (let i = 0; i < 2; i++) assertChallenge(await ghost.get('/taxii2/'));
    // and the right one still works
    assertOk(await w.alice.get('/taxii2/'));
  });

  it('#22 GET /api1/collections/ without credentials → 401', async function () {
    assertChallenge(await w.anon.get('/api1/collections/'));
  });

  it('#35 GET objects/ without credentials → 401 (and no data)', async function () {
    const res = await w.anon.get(col(w.RW, 'objects/'));
    assertChallenge(res);
    assert.ok(!res.text.includes(w.I.v1.id));
  });

  it('#86 POST without credentials → 401, nothing stored', async function () {
    const n = makeIndicator();
    const res = await w.anon.post(col(w.RW, 'objects/'), { objects: [n] });
    assertChallenge(res);
    assertTaxiiError(await w.alice.get(col(w.RW, `objects/${n.id}/`)), 404);
  });

  it('a member without any grant: discovery without api_roots, 404 on the root and its collections', async function () {
    const d = assertOk(await w.carol.get<Record<string, unknown>>('/taxii2/'));
    assert.ok(!('api_roots' in d));
    assertTaxiiError(await w.carol.get('/api1/'), 404);
    assertTaxiiError(await w.carol.get('/api1/collections/'), 404);
    assertTaxiiError(await w.carol.get(col(w.RW)), 404);
    assertTaxiiError(await w.carol.get(col(w.RW, 'objects/')), 404);
    assertTaxiiError(await w.carol.get(col(w.RW, 'manifest/')), 404);
    assertTaxiiError(await w.carol.post(col(w.RW, 'objects/'), { objects: [makeIndicator()] }), 404);
    assertTaxiiError(await w.carol.delete(col(w.RW, `objects/${w.I.v1.id}/`)), 404);
  });

  it('a password containing ":" works (only the first colon separates the name)', async function () {
    await w.hub.addMember('colon', 'pa:ss:word', ['analysts']);
    assertOk(await new Client(w.hub, { name: 'colon', password: 'pa:ss:word' }).get('/taxii2/'));
    assertChallenge(await new Client(w.hub, { name: 'colon', password: 'pa' }).get('/taxii2/'));
  });

  it('leaving a trust group takes effect at once: the collection becomes invisible (404)', async function () {
    await w.hub.addMember('leaver', 'leaver-secret-1', ['analysts']);
    const c = new Client(w.hub, { name: 'leaver', password: 'leaver-secret-1' });
    assertOk(await c.get(col(w.RW, 'objects/')));
    await w.hub.stores.principals.leaveGroup({ group: 'analysts', member: 'leaver' });
    assertTaxiiError(await c.get(col(w.RW, 'objects/')), 404);
    assertTaxiiError(await c.get('/api1/'), 404);
  });

  it('a changed secret takes effect at once: the old password stops working', async function () {
    await w.hub.addMember('temp', 'temp-secret-1', ['analysts']);
    const old = new Client(w.hub, { name: 'temp', password: 'temp-secret-1' });
    assertOk(await old.get('/taxii2/'));
    await w.hub.stores.principals.setMemberSecret({
      name: 'temp',
      secretHash: await hashSecret('temp-secret-2'),
    });
    assertChallenge(await old.get('/taxii2/'));
    assertOk(await new Client(w.hub, { name: 'temp', password: 'temp-secret-2' }).get('/taxii2/'));
  });
});
