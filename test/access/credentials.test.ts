/**
 * The Authorization header parser (server/access/credentials.ts) and the API key format
 * (server/access/apikeys.ts): every refusal named, and the accepted forms exactly decoded.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  generateApiKey,
  hashKeySecret,
  KEY_ID_RE,
  looksLikeApiKey,
  parseApiKey,
  verifyApiKey,
} from '../../server/access/apikeys';
import { parseAuthorization } from '../../server/access/credentials';

const b64 = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');

describe('access: Authorization header parsing', function () {
  it('no header → none', function () {
    assert.deepEqual(parseAuthorization(undefined), { kind: 'none' });
  });

  it('Basic: name and password, only the first colon separates them; scheme case-insensitive', function () {
    assert.deepEqual(parseAuthorization(`Basic ${b64('alice:s3cret')}`), {
      kind: 'basic',
      user: 'alice',
      password: 's3cret',
    });
    assert.deepEqual(parseAuthorization(`bAsIc ${b64('alice:pa:ss:')}`), {
      kind: 'basic',
      user: 'alice',
      password: 'pa:ss:',
    });
    // An empty password parses (and is then simply wrong); UTF-8 is decoded.
    assert.deepEqual(parseAuthorization(`Basic ${b64('jörg:')}`), {
      kind: 'basic',
      user: 'jörg',
      password: '',
    });
    assert.deepEqual(parseAuthorization(`Basic ${b64('a:ünïcødé ☃')}`), {
      kind: 'basic',
      user: 'a',
      password: 'ünïcødé ☃',
    });
    // Surrounding optional whitespace is not part of the field value; several spaces separate.
    assert.equal(parseAuthorization(`  Basic   ${b64('alice:x')}\t`).kind, 'basic');
  });

  it('Basic: junk after the padding, missing padding, non-canonical base64 → malformed', function () {
    const good = b64('alice:alice-secret-1'); // ends with "="
    assert.ok(good.endsWith('='), 'fixture must be padded');
    const cases = [
      `${good}x`, // issue 8 item 7: junk after the padding
      `${b64('alice:pw')}==x`,
      `${good}=`, // too much padding
      good.replace(/=+$/, ''), // padding missing
      `${good.slice(0, 4)} ${good.slice(4)}`, // whitespace inside
      `${good}AAAA`.replace('=', ''), // padding in the middle once reassembled
      'YQ==', // "a": no colon — but first: canonical? yes; refused for the missing colon
      'YR==', // non-zero trailing bits: decodes to "a" too, but is not canonical
      '!!!!',
      'Zm9v=YmFy',
    ];
    for (const c of cases) {
      const r = parseAuthorization(`Basic ${c}`);
      assert.equal(r.kind, 'malformed', `Basic ${c} → ${JSON.stringify(r)}`);
    }
  });

  it('Basic: no colon, empty user name, control characters, invalid UTF-8 → malformed with a reason', function () {
    const reasons = (value: string) => {
      const r = parseAuthorization(value);
      assert.equal(r.kind, 'malformed', `${value} → ${JSON.stringify(r)}`);
      return r.kind === 'malformed' ? r.reason : '';
    };
    assert.match(reasons(`Basic ${b64('alice')}`), /":"/);
    assert.match(reasons(`Basic ${b64(':password')}`), /user name is empty/);
    assert.match(reasons(`Basic ${b64('ali\nce:pw')}`), /control/);
    assert.match(reasons(`Basic ${b64('alice:p\u0000w')}`), /control/);
    assert.match(reasons(`Basic ${b64('alice:p\u007fw')}`), /control/);
    assert.match(reasons(`Basic ${b64(Buffer.from([0x61, 0x3a, 0xff, 0xfe]))}`), /UTF-8/);
    assert.match(reasons('Basic'), /missing/);
    assert.match(reasons('Basic '), /missing/);
    assert.match(reasons(`Basic ${b64('a:b')} ${b64('c:d')}`), /one token/);
  });

  it('Bearer and Token carry the token as is; other schemes are unsupported', function () {
    assert.deepEqual(parseAuthorization('Bearer abc.def-_~+/=='), {
      kind: 'key',
      scheme: 'bearer',
      token: 'abc.def-_~+/==',
    });
    assert.deepEqual(parseAuthorization('token tessera_0123456789abcdef_x'), {
      kind: 'key',
      scheme: 'token',
      token: 'tessera_0123456789abcdef_x',
    });
    assert.equal(parseAuthorization('Bearer').kind, 'malformed');
    assert.equal(parseAuthorization('Bearer a b').kind, 'malformed');
    assert.equal(parseAuthorization('Token a,b').kind, 'malformed');
    assert.deepEqual(parseAuthorization('Digest username="a"'), { kind: 'unsupported', scheme: 'Digest' });
    assert.deepEqual(parseAuthorization('Negotiate abc'), { kind: 'unsupported', scheme: 'Negotiate' });
    assert.equal(parseAuthorization('').kind, 'unsupported');
    assert.equal(parseAuthorization('(junk)').kind, 'unsupported');
  });
});

describe('access: Authorization header edges', function () {
  it('the scheme starts the header and is followed by spaces only; optional whitespace around the value goes', function () {
    const cred = b64('alice:pw');
    const unsupported = { kind: 'unsupported', scheme: '' };
    assert.deepEqual(parseAuthorization(''), unsupported);
    assert.deepEqual(
      parseAuthorization(`(Basic ${cred}`),
      unsupported,
      'a non-token character before the scheme',
    );
    assert.deepEqual(parseAuthorization(`"Basic" ${cred}`), unsupported);
    assert.deepEqual(parseAuthorization(`Basic\t${cred}`), unsupported, 'a tab after the scheme');
    assert.deepEqual(parseAuthorization(`xBasic ${cred}`), { kind: 'unsupported', scheme: 'xBasic' });
    for (const header of [` Basic ${cred}`, `Basic ${cred}  `, `\tBasic   ${cred}\t \t`]) {
      assert.deepEqual(
        parseAuthorization(header),
        { kind: 'basic', user: 'alice', password: 'pw' },
        JSON.stringify(header),
      );
    }
    assert.deepEqual(parseAuthorization(`Basic ${cred} junk`), {
      kind: 'malformed',
      scheme: 'basic',
      reason: 'the Basic credentials are missing or not one token',
    });
  });

  it('every malformed Basic credential names the Basic scheme and its reason', function () {
    const malformed = (reason: string) => ({ kind: 'malformed', scheme: 'basic', reason });
    assert.deepEqual(
      parseAuthorization(`Basic ${b64('alice:pw').replace(/=+$/, '')}`),
      malformed('the credentials are not valid base64'),
    );
    assert.deepEqual(
      parseAuthorization('Basic YWxpY2U6cHd-'),
      malformed('the credentials are not valid base64'),
    );
    assert.deepEqual(
      parseAuthorization('Basic YWxpY2U6cHd=='),
      malformed('the credentials are not valid base64'),
    );
    assert.deepEqual(
      parseAuthorization(`Basic ${b64(Buffer.from([0x61, 0x3a, 0xff]))}`),
      malformed('the credentials are not valid UTF-8'),
    );
    assert.deepEqual(parseAuthorization(`Basic ${b64('alice')}`), malformed('the credentials hold no ":"'));
    assert.deepEqual(parseAuthorization(`Basic ${b64(':pw')}`), malformed('the user name is empty'));
    assert.deepEqual(
      parseAuthorization(`Basic ${b64('alice:p\u007fw')}`),
      malformed('the credentials contain control characters'),
    );
    assert.deepEqual(
      parseAuthorization(`Basic ${b64('al\u001fice:pw')}`),
      malformed('the credentials contain control characters'),
    );
    assert.deepEqual(parseAuthorization(`Basic ${b64('alice: pw~')}`), {
      kind: 'basic',
      user: 'alice',
      password: ' pw~',
    });
  });
});

describe('access: API key format', function () {
  it('a generated key parses back to its id and verifies against its hash, once only', function () {
    const { key, id, hash } = generateApiKey();
    assert.match(key, /^tessera_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.ok(looksLikeApiKey(key));
    const parsed = parseApiKey(key);
    assert.ok(parsed);
    assert.equal(parsed.id, id);
    assert.ok(verifyApiKey(parsed, hash));
    // The hash is of the secret, not the key text, and is not the secret.
    assert.ok(!hash.includes(parsed.secret));
    assert.equal(hash, hashKeySecret(id, parsed.secret));
    // Two keys never share id or secret.
    const other = generateApiKey();
    assert.notEqual(other.id, id);
    assert.notEqual(other.key, key);
  });

  it('a wrong secret, another id or a damaged stored hash does not verify', function () {
    const { key, hash } = generateApiKey();
    const parsed = parseApiKey(key);
    assert.ok(parsed);
    const flipped = parsed.secret.slice(0, -1) + (parsed.secret.endsWith('A') ? 'B' : 'A');
    assert.equal(verifyApiKey({ ...parsed, secret: flipped }, hash), false);
    assert.equal(verifyApiKey({ ...parsed, id: '0000000000000000' }, hash), false);
    assert.equal(verifyApiKey(parsed, hash.slice(0, -2)), false);
    assert.equal(verifyApiKey(parsed, ''), false);
    assert.equal(verifyApiKey(parsed, generateApiKey().hash), false);
  });

  it('texts that are not keys are recognised as such', function () {
    const { key } = generateApiKey();
    for (const t of [
      key.slice(0, -1),
      `${key}x`,
      key.replace('tessera_', 'Tessera_'),
      key.replace(/_[0-9a-f]{16}_/, '_0123456789ABCDEF_'),
      `x${key}`,
      ` ${key}`,
      'alice-secret-1',
      '',
    ]) {
      assert.equal(parseApiKey(t), null, t);
      assert.equal(looksLikeApiKey(t), false, t);
    }
  });

  it('a key id is 16 lower-case hex digits, nothing around them', function () {
    assert.equal(KEY_ID_RE.test('0123456789abcdef'), true);
    for (const t of [
      '0123456789abcde',
      '0123456789abcdef0',
      'x0123456789abcdef',
      '0123456789ABCDEF',
      'g123456789abcdef',
      '',
    ]) {
      assert.equal(KEY_ID_RE.test(t), false, t);
    }
  });

  it('the stored hash of a key does not change between versions (keys handed out keep working)', function () {
    // sha256("tessera-api-key" NUL id NUL secret), base64, computed here independently.
    const id = '0123456789abcdef';
    const secret = 'A'.repeat(43);
    const digest = createHash('sha256').update(`tessera-api-key\0${id}\0${secret}`).digest('base64');
    assert.equal(hashKeySecret(id, secret), `sha256$${digest}`);
    assert.notEqual(hashKeySecret('0123456789abcdeA', 'A'.repeat(42)), hashKeySecret(id, secret));
  });
});
