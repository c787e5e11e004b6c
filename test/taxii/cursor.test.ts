/**
 * The signed paging token on its own: what it carries, and that anything forged, damaged or used
 * on another endpoint, collection or object is a 400 with a precise message.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { BadRequestError } from '../../server/errors';
import { CursorCodec, type CursorState } from '../../server/taxii/cursor';

const SECRET = Buffer.from('a secret shared by every instance');
const codec = new CursorCodec(SECRET);
const COLLECTION = '91a7b528-80eb-42ed-a74d-c6fbd5a26116';
const OBJECT = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f';

const objectsState: CursorState = {
  endpoint: 'objects',
  collectionId: COLLECTION,
  position: 1_735_689_600_000_123,
  filter: { types: ['indicator'], versions: { kind: 'all' }, addedAfter: 5 },
  limit: 50,
};
const versionsState: CursorState = {
  endpoint: 'versions',
  collectionId: COLLECTION,
  objectId: OBJECT,
  position: 7,
  filter: {},
  limit: 1,
};

/** A token signed with `secret` over an arbitrary payload (what a forger who had it could make). */
function signed(payload: string, secret: Buffer = SECRET): string {
  const mac = createHmac('sha256', secret).update(payload).digest().subarray(0, 16);
  return `${payload}.${mac.toString('base64url')}`;
}
function wire(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

function refused(
  token: string,
  why: string,
  expect = { endpoint: 'objects' as const, collectionId: COLLECTION },
) {
  assert.throws(
    () => codec.decode(token, expect),
    (e: unknown) => {
      assert.ok(e instanceof BadRequestError, `not a BadRequestError: ${String(e)}`);
      assert.equal(e.message, `invalid next parameter: ${why}`);
      return true;
    },
  );
}

const NOT_OURS = 'not a paging token issued by this server';

describe('paging cursor', () => {
  it('round-trips the state of a collection endpoint, without an object id', () => {
    const token = codec.encode(objectsState);
    const back = codec.decode(token, { endpoint: 'objects', collectionId: COLLECTION });
    assert.deepEqual(back, objectsState);
    assert.ok(!('objectId' in back));
  });

  it('round-trips the state of an object endpoint, with its object id', () => {
    const token = codec.encode(versionsState);
    assert.deepEqual(
      codec.decode(token, { endpoint: 'versions', collectionId: COLLECTION, objectId: OBJECT }),
      versionsState,
    );
  });

  it('is URL-safe base64 of the state, a dot and a 16-byte MAC', () => {
    const token = codec.encode(versionsState);
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const [payload] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8')), {
      v: 1,
      e: 'versions',
      c: COLLECTION,
      o: OBJECT,
      p: 7,
      f: {},
      l: 1,
    });
    assert.equal(token, signed(payload as string));
  });

  it('refuses a token signed with another secret', () => {
    const other = new CursorCodec(Buffer.from('another secret'));
    refused(other.encode(objectsState), NOT_OURS);
  });

  it('refuses a token whose payload or MAC was changed', () => {
    const token = codec.encode(objectsState);
    const [payload, mac] = token.split('.') as [string, string];
    const forged = wire({ v: 1, e: 'objects', c: COLLECTION, p: 0, f: {}, l: 50 });
    refused(`${forged}.${mac}`, NOT_OURS);
    refused(`${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BA' : 'AA'}`, NOT_OURS);
    refused(`${payload}.${mac.slice(0, -3)}`, NOT_OURS);
    refused(`${payload}.${mac}AAAA`, NOT_OURS);
    refused(`${payload}.`, NOT_OURS);
  });

  it('refuses what is not shaped like a token', () => {
    for (const bad of ['', 'abc', '.abc', signed(''), `.${codec.encode(objectsState).split('.')[1]}`])
      refused(bad, NOT_OURS);
  });

  it('refuses tokens longer than 8192 characters, however well signed', () => {
    const sized = (n: number) =>
      signed(wire({ v: 1, e: 'objects', c: COLLECTION, p: 0, f: { x: 'y'.repeat(n) }, l: 1 }));
    let n = 6000;
    while (sized(n).length < 8191) n++;
    assert.equal(sized(n).length, 8191);
    assert.equal(codec.decode(sized(n), { endpoint: 'objects', collectionId: COLLECTION }).limit, 1);
    assert.equal(sized(n + 1).length, 8193);
    refused(sized(n + 1), NOT_OURS);
  });

  it('refuses a well-signed payload that is not JSON', () => {
    refused(signed(Buffer.from('{"v":1,').toString('base64url')), 'damaged token');
  });

  it('refuses another token version', () => {
    refused(
      signed(wire({ v: 2, e: 'objects', c: COLLECTION, p: 0, f: {}, l: 1 })),
      'unsupported token version',
    );
    refused(signed(wire({ e: 'objects', c: COLLECTION, p: 0, f: {}, l: 1 })), 'unsupported token version');
  });

  it('refuses a token of another endpoint, collection or object', () => {
    const misplaced = 'the token belongs to another endpoint, collection or object';
    const objects = codec.encode(objectsState);
    refused(objects, misplaced, { endpoint: 'manifest' as 'objects', collectionId: COLLECTION });
    refused(objects, misplaced, {
      endpoint: 'objects',
      collectionId: 'c0ffee00-80eb-42ed-a74d-c6fbd5a26116',
    });
    const versions = codec.encode(versionsState);
    const other = 'indicator--00000000-17d4-4cbf-938f-98ee46b3cd3f';
    assert.throws(
      () => codec.decode(versions, { endpoint: 'versions', collectionId: COLLECTION, objectId: other }),
      { message: `invalid next parameter: ${misplaced}` },
    );
    assert.throws(() => codec.decode(versions, { endpoint: 'versions', collectionId: COLLECTION }), {
      message: `invalid next parameter: ${misplaced}`,
    });
    assert.throws(
      () =>
        codec.decode(codec.encode({ ...versionsState, endpoint: 'object' }), {
          endpoint: 'object',
          collectionId: COLLECTION,
        }),
      { message: `invalid next parameter: ${misplaced}` },
    );
  });
});
