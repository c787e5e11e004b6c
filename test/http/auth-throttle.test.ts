/**
 * Issue 8 items 5 and 6 over real HTTP: failed authentications are limited per source address and per
 * user name (429 + Retry-After as a TAXII error), good members keep working during a flood against
 * them (cached credentials; the address they authenticated from before), malformed headers cost
 * nothing and are not counted, and password checks — also for unknown names — go through the
 * bounded slow-hash gate. The source address comes from X-Forwarded-For (TESSERA_TRUST_PROXY=loopback).
 */
import assert from 'node:assert/strict';
import { hashSecret } from '../../server/access/secrets';
import { startHub, type TestHub } from '../helpers/hub';
import { assertOk, assertTaxiiError, rawCall, TAXII, type Reply } from './fixture';

const WINDOW_SECONDS = 600;
const ADDRESS_BURST = 4;
const USER_BURST = 3;

describe('TAXII HTTP: throttling failed authentications (issue 8 items 5, 6)', function () {
  let hub: TestHub;
  before(async function () {
    hub = await startHub({
      env: {
        TESSERA_TRUST_PROXY: 'loopback',
        TESSERA_AUTH_ADDRESS_FAILURES: String(ADDRESS_BURST),
        TESSERA_AUTH_USER_FAILURES: String(USER_BURST),
        TESSERA_AUTH_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        TESSERA_AUTH_HASH_CONCURRENCY: '1',
        TESSERA_AUTH_HASH_QUEUE: '0',
      },
    });
    for (const m of ['alice', 'bob', 'carol', 'dave', 'erin']) await hub.addMember(m, `${m}-secret-1`, ['g']);
  });
  after(async function () {
    await hub?.close();
  });

  function get(from: string, user: string, password: string): Promise<Reply> {
    return rawCall(hub.url, 'GET', '/taxii2/', {
      headers: { Accept: TAXII, Authorization: hub.basic(user, password), 'X-Forwarded-For': from },
    });
  }

  function assert429(res: Reply): number {
    const body = assertTaxiiError(res, 429) as { details?: { retry_after?: number } };
    const retry = res.headers['retry-after'];
    assert.match(String(retry), /^\d+$/, 'Retry-After in whole seconds');
    const seconds = Number(retry);
    assert.ok(seconds >= 1 && seconds <= WINDOW_SECONDS, `Retry-After ${seconds}`);
    assert.equal(body.details?.retry_after, seconds, 'the error resource says the same');
    assert.equal(res.headers['www-authenticate'], undefined, 'a 429 is no challenge');
    return seconds;
  }

  it('per source address: a burst of failures, then 429 for everyone from there except cached credentials', async function () {
    const A = '198.51.100.1';
    assertOk(await get(A, 'alice', 'alice-secret-1')); // alice verified from A before the flood
    for (let i = 0; i < ADDRESS_BURST; i++) {
      assertTaxiiError(await get(A, `nobody-${i}`, 'guess'), 401);
    }
    const retry = assert429(await get(A, 'nobody-x', 'guess'));
    // One attempt comes back after window / burst (less the little that drained while failing).
    const full = WINDOW_SECONDS / ADDRESS_BURST;
    assert.ok(retry <= full && retry >= full - 10, `Retry-After ${retry}, expected about ${full}`);
    // Even a right password that needs a check is refused from A (no scrypt for a blocked address) …
    assert429(await get(A, 'bob', 'bob-secret-1'));
    // … but a credential verified recently passes without a check, so a poller behind A keeps working.
    assertOk(await get(A, 'alice', 'alice-secret-1'));
    // Other addresses are not affected.
    assertOk(await get('198.51.100.2', 'bob', 'bob-secret-1'));
  });

  it('per user name: failures from many addresses lock the name, except from where the member logged in before', async function () {
    assertOk(await get('203.0.113.20', 'carol', 'carol-secret-1')); // carol's usual address
    for (let i = 0; i < USER_BURST; i++) {
      assertTaxiiError(await get(`203.0.113.${100 + i}`, 'carol', `guess-${i}`), 401);
    }
    assert429(await get('203.0.113.150', 'carol', 'another-guess'));
    // A credential verified recently passes without a check, from anywhere (it proves the secret).
    assertOk(await get('203.0.113.150', 'carol', 'carol-secret-1'));
    // After a secret change nothing is cached for the new secret: a new address is refused by the
    // name's lock, carol's usual address is exempt from it.
    await hub.stores.principals.setMemberSecret({
      name: 'carol',
      secretHash: await hashSecret('carol-secret-2'),
    });
    assert429(await get('203.0.113.152', 'carol', 'carol-secret-2'));
    assertTaxiiError(await get('203.0.113.20', 'carol', 'carol-secret-1'), 401);
    assertOk(await get('203.0.113.20', 'carol', 'carol-secret-2'));
    // Other names are not affected.
    assertOk(await get('203.0.113.152', 'dave', 'dave-secret-1'));
  });

  it('an unknown name is limited like a known one', async function () {
    for (let i = 0; i < USER_BURST; i++) {
      assertTaxiiError(await get(`192.0.2.${10 + i}`, 'mallory', `guess-${i}`), 401);
    }
    assert429(await get('192.0.2.50', 'mallory', 'guess'));
  });

  it('requests without or with malformed credentials are refused without being counted', async function () {
    const B = '198.51.100.30';
    const junk = `Basic ${Buffer.from('erin:erin-secret-1').toString('base64')}x`;
    for (let i = 0; i < ADDRESS_BURST * 3; i++) {
      for (const auth of [undefined, junk, 'Digest x', 'Basic']) {
        const res = await rawCall(hub.url, 'GET', '/taxii2/', {
          headers: { Accept: TAXII, Authorization: auth, 'X-Forwarded-For': B },
        });
        assertTaxiiError(res, 401);
      }
    }
    assertOk(await get(B, 'erin', 'erin-secret-1'));
  });

  it('password checks of unknown names go through the bounded gate too (one slot, no queue → 429)', async function () {
    // Concurrent checks for names that do not exist: each costs an scrypt against the dummy hash,
    // so with one slot and no queue some are refused as "in progress" — a path that skipped the
    // check for unknown names (and answered them faster) would give only 401s.
    const replies = await Promise.all(
      Array.from({ length: 4 }, (_, i) => get(`192.0.2.${200 + i}`, `ghost-${i}`, 'guess')),
    );
    const statuses = replies.map((r) => r.status).sort();
    assert.ok(statuses.includes(401), `one check ran: ${statuses.join(',')}`);
    const busy = replies.filter((r) => r.status === 429);
    assert.ok(busy.length >= 1, `some were refused while the slot was busy: ${statuses.join(',')}`);
    for (const r of busy) assert.equal(assert429(r), 1);
  });
});
