/**
 * Where feed entries become STIX (feeds/formats/stix.ts): value types and their source names,
 * normalised values, escaped patterns, exact reasons for what is refused, source times, and the
 * indicator built with the feed's stamp.
 */
import assert from 'node:assert/strict';
import {
  buildIndicator,
  convertEntries,
  detectType,
  identityId,
  indicatorFor,
  normalizeDomain,
  normalizeHash,
  normalizeIp,
  normalizeUrl,
  parseSourceTime,
  patternFor,
  stableUuid,
  tlpMarkingId,
  VALUE_TYPES,
  valueTypeOf,
  ValueError,
  type FeedStamp,
  type Rejection,
  type ValueType,
} from '../../feeds/formats';
import { testStamp, TLP_MARKING_IDS } from '../helpers/feeds';

const EPOCH = '2025-01-01T00:00:00.000Z';

const GREEN = TLP_MARKING_IDS.green;
const AMBER = TLP_MARKING_IDS.amber;

const stamp = (overrides: Partial<FeedStamp> = {}): FeedStamp =>
  testStamp('values', 'Values source', 'green', overrides);

/** The ValueError message for a value, or 'ok' when it is accepted. */
function refusal(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof ValueError, `not a ValueError: ${String(e)}`);
    return e.message;
  }
}

describe('feed values', () => {
  it('value types: the documented vocabulary, and the names sources give them', () => {
    assert.deepEqual(VALUE_TYPES, [
      'ip',
      'domain',
      'url',
      'md5',
      'sha1',
      'sha256',
      'sha512',
      'email',
      'ip:port',
      'auto',
    ]);
    const names: Record<Exclude<ValueType, 'auto'> | 'auto', string[]> = {
      ip: ['ip', 'IPv4', 'ipv6', 'ip-src', 'ip-dst', 'ipv4-addr', 'ipv6-addr', 'cidr', 'netblock'],
      domain: ['domain', 'hostname', 'FQDN', 'domain-name'],
      url: ['url', 'URI', 'link'],
      md5: ['md5', 'md5_hash', 'FileHash-MD5'],
      sha1: ['sha1', 'SHA-1', 'sha1_hash', 'FileHash-SHA1'],
      sha256: ['sha256', 'sha-256', 'sha256_hash', 'FileHash-SHA256'],
      sha512: ['sha512', 'SHA-512', 'sha512_hash'],
      email: ['email', 'email-addr', 'email-src', 'email-dst'],
      'ip:port': ['ip:port', 'ip-port', 'ip-dst|port'],
      auto: ['auto'],
    };
    for (const [type, aliases] of Object.entries(names))
      for (const a of aliases) assert.equal(valueTypeOf(` ${a} `), type, a);
    for (const unknown of ['', 'mystery', 'envelope_from', 'sha384', 'ip-src|port'])
      assert.equal(valueTypeOf(unknown), undefined, unknown);
  });

  it('IP addresses and CIDRs: canonical text, host bits cleared, exact reasons', () => {
    const ip = (s: string) => normalizeIp(s);
    assert.deepEqual(ip('  192.0.2.1  '), { version: 4, value: '192.0.2.1' });
    assert.deepEqual(ip('192.0.2.77/0'), { version: 4, value: '0.0.0.0/0' });
    assert.deepEqual(ip('198.51.100.200/25'), { version: 4, value: '198.51.100.128/25' });
    assert.deepEqual(ip('::1'), { version: 6, value: '::1' });
    assert.deepEqual(ip('::'), { version: 6, value: '::' });
    assert.deepEqual(ip('1:2:3:4:5:6:7:8'), { version: 6, value: '1:2:3:4:5:6:7:8' });
    assert.deepEqual(ip('2001:DB8::/32'), { version: 6, value: '2001:db8::/32' });
    assert.deepEqual(ip('2001:db8:ffff::1/0'), { version: 6, value: '::/0' });
    assert.deepEqual(ip('2001:db8::1/128'), { version: 6, value: '2001:db8::1' });
    // IPv4 written inside IPv6: mapped addresses become IPv4 (prefix less 96), others stay IPv6.
    assert.deepEqual(ip('::FFFF:198.51.100.23'), { version: 4, value: '198.51.100.23' });
    assert.deepEqual(ip('::ffff:198.51.100.23/120'), { version: 4, value: '198.51.100.0/24' });
    assert.deepEqual(ip('64:ff9b::198.51.100.23'), { version: 6, value: '64:ff9b::c633:6417' });
    assert.deepEqual(ip('1::ffff:192.0.2.5'), { version: 6, value: '1::ffff:c000:205' });
    assert.deepEqual(
      [
        '192.0.2.1/',
        '192.0.2.1/1234',
        '192.0.2.1/x24',
        '192.0.2.1/24x',
        '/abc',
        '/24',
        '192.0.2.1/33',
        '::ffff:192.0.2.0/95',
        '2001:db8::/129',
        '::ffff:999.0.2.1',
        '::ffff:192.0.2.5x',
        '192.0.2',
        'example.com',
        'fe80::1%eth0',
        'fe80::%eth0',
      ].map((s) => refusal(() => ip(s))),
      [
        '"192.0.2.1/" has an invalid prefix length',
        '"192.0.2.1/1234" has an invalid prefix length',
        '"192.0.2.1/x24" has an invalid prefix length',
        '"192.0.2.1/24x" has an invalid prefix length',
        '"/abc" has an invalid prefix length',
        '"/24" is not an IP address or CIDR',
        '"192.0.2.1/33": the prefix length is out of range',
        '"::ffff:192.0.2.0/95": the prefix length is out of range',
        '"2001:db8::/129": the prefix length is out of range',
        '"::ffff:999.0.2.1" is not an IP address or CIDR',
        '"::ffff:192.0.2.5x" is not an IP address or CIDR',
        '"192.0.2" is not an IP address or CIDR',
        '"example.com" is not an IP address or CIDR',
        '"fe80::1%eth0" has a zone index, which means nothing outside its host',
        '"fe80::%eth0" has a zone index, which means nothing outside its host',
      ],
    );
  });

  it('domain names: lower-case ASCII, trailing dot dropped; what is not one, refused', () => {
    assert.equal(normalizeDomain(' Example.COM. '), 'example.com');
    assert.equal(normalizeDomain('host.b1'), 'host.b1');
    assert.equal(normalizeDomain('a.1b'), 'a.1b');
    const label63 = 'a'.repeat(63);
    assert.equal(normalizeDomain(`${label63}.example`), `${label63}.example`);
    const name253 = [63, 63, 63, 61].map((n) => 'a'.repeat(n)).join('.');
    const name254 = [63, 63, 63, 62].map((n) => 'a'.repeat(n)).join('.');
    assert.deepEqual([name253.length, name254.length], [253, 254]);
    assert.equal(normalizeDomain(name253), name253);
    for (const bad of [
      '',
      '.',
      'localhost',
      'evil.example/x',
      'evil.example:8080',
      'user@evil.example',
      'a b.example',
      'x..example',
      '-a.example',
      'a-.example',
      `${'a'.repeat(64)}.example`,
      name254,
      '192.0.2.45',
      '_dmarc.example.com',
    ])
      assert.equal(
        refusal(() => normalizeDomain(bad)),
        `${JSON.stringify(bad)} is not a domain name`,
        bad,
      );
  });

  it('URLs: absolute with a scheme and a host, kept as published (trimmed)', () => {
    assert.equal(normalizeUrl('  http://x.example/A?b=c#d '), 'http://x.example/A?b=c#d');
    assert.equal(normalizeUrl('hxxp://x.example/'), 'hxxp://x.example/');
    assert.deepEqual(
      [
        'http://',
        '/relative/path',
        'http:x.example/',
        'http:x.example/?r=a://b',
        'file:///etc/passwd',
        'mailto:soc@example.org',
        'http://x.example/a b',
        'http://x.example/\u0007',
      ].map((u) => refusal(() => normalizeUrl(u))),
      [
        '"http://" is not an absolute URL',
        '"/relative/path" is not an absolute URL',
        '"http:x.example/" is not an absolute URL with a host',
        '"http:x.example/?r=a://b" is not an absolute URL with a host',
        '"file:///etc/passwd" is not an absolute URL with a host',
        '"mailto:soc@example.org" is not an absolute URL with a host',
        'the URL "http://x.example/a b" contains spaces or control characters',
        'the URL "http://x.example/\\u0007" contains spaces or control characters',
      ],
    );
  });

  it('hashes: lower case, exactly the length of their algorithm, hex digits only', () => {
    const md5 = 'D41D8CD98F00B204E9800998ECF8427E';
    assert.equal(normalizeHash('md5', ` ${md5} `), md5.toLowerCase());
    assert.deepEqual(
      [
        refusal(() => normalizeHash('md5', ` g${'0'.repeat(31)} `)),
        refusal(() => normalizeHash('md5', `${'0'.repeat(31)}g`)),
        refusal(() => normalizeHash('sha1', 'abc')),
        refusal(() => normalizeHash('sha256', '0'.repeat(65))),
        refusal(() => normalizeHash('sha512', '0'.repeat(127))),
      ],
      [
        `"g${'0'.repeat(31)}" is not a MD5 hash (32 hex digits)`,
        `"${'0'.repeat(31)}g" is not a MD5 hash (32 hex digits)`,
        '"abc" is not a SHA-1 hash (40 hex digits)',
        `"${'0'.repeat(65)}" is not a SHA-256 hash (64 hex digits)`,
        `"${'0'.repeat(127)}" is not a SHA-512 hash (128 hex digits)`,
      ],
    );
  });

  it('auto: the form of the value decides', () => {
    const cases: [string, ReturnType<typeof detectType>][] = [
      [' 192.0.2.1 ', 'ip'],
      ['192.0.2.0/24', 'ip'],
      ['2001:db8::1', 'ip'],
      ['HTTPS://x.example/', 'url'],
      ['svn+ssh://x.example/', 'url'],
      ['d41d8cd98f00b204e9800998ecf8427e', 'md5'],
      ['D41D8CD98F00B204E9800998ECF8427EDA39A3EE', 'sha1'],
      ['a'.repeat(64), 'sha256'],
      ['a'.repeat(128), 'sha512'],
      ['192.0.2.1:443', 'ip:port'],
      ['[2001:db8::9]:53', 'ip:port'],
      ['soc@example.org', 'email'],
      ['x.example', 'domain'],
      ['deadbeef', undefined],
      ['a'.repeat(33), undefined],
      [`g${'0'.repeat(31)}`, undefined],
      ['cafe.be:80', undefined],
      // Hex digits only up to the end, an address:port pair from start to end.
      [`${'0'.repeat(31)}g`, undefined],
      ['a:192.0.2.1:80', undefined],
      ['192.0.2.1:80x', undefined],
      ['example.com/?a=http://x', undefined],
      ['not an ioc', undefined],
    ];
    for (const [value, type] of cases) assert.equal(detectType(value), type, value);
  });

  it('patterns: each type, escaped, with the normalised value as the name', () => {
    const p = (t: ValueType, v: string) => {
      const r = patternFor(t, v);
      return [r.pattern, r.value];
    };
    assert.deepEqual(p('ip', '2001:DB8::1'), ["[ipv6-addr:value = '2001:db8::1']", '2001:db8::1']);
    assert.deepEqual(p('email', ' SOC@Example.ORG '), [
      "[email-addr:value = 'SOC@example.org']",
      'SOC@example.org',
    ]);
    assert.deepEqual(p('email', "o'brien@x.example"), [
      "[email-addr:value = 'o\\'brien@x.example']",
      "o'brien@x.example",
    ]);
    assert.deepEqual(p('ip:port', ' 192.0.2.1:65535 '), [
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 65535]",
      '192.0.2.1:65535',
    ]);
    assert.deepEqual(p('ip:port', '[2001:DB8::9]:0'), [
      "[network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = '2001:db8::9' AND network-traffic:dst_port = 0]",
      '[2001:db8::9]:0',
    ]);
    assert.deepEqual(p('sha1', 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709'), [
      "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
      'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    ]);
    assert.deepEqual(p('auto', 'X.Example'), ["[domain-name:value = 'x.example']", 'x.example']);
    assert.deepEqual(
      [
        refusal(() => patternFor('auto', '  not an ioc  ')),
        refusal(() => patternFor('email', 'a b@c.example')),
        refusal(() => patternFor('email', 'a@b@c.example')),
        refusal(() => patternFor('email', 'nobody')),
        refusal(() => patternFor('email', 'a@localhost')),
        refusal(() => patternFor('ip:port', ' 192.0.2.1 ')),
        refusal(() => patternFor('ip:port', 'x]192.0.2.1:80')),
        refusal(() => patternFor('ip:port', ' 192.0.2.1:65536 ')),
        refusal(() => patternFor('ip:port', '192.0.2.1:123456')),
        refusal(() => patternFor('ip:port', ' 192.0.2.0/24:80 ')),
        refusal(() => patternFor('ip:port', 'x.example:80')),
      ],
      [
        '"not an ioc" is not an IP address, CIDR, domain, URL, hash or e-mail address',
        '"a b@c.example" is not an e-mail address',
        '"a@b@c.example" is not an e-mail address',
        '"nobody" is not an e-mail address',
        '"localhost" is not a domain name',
        '"192.0.2.1" is not an address:port pair',
        '"x]192.0.2.1:80" is not an address:port pair',
        '"192.0.2.1:65536": port 65536 is out of range',
        '"192.0.2.1:123456" is not an address:port pair',
        '"192.0.2.0/24:80": a CIDR cannot have a port',
        '"x.example" is not an IP address or CIDR',
      ],
    );
  });

  it('source times: abuse.ch, ISO 8601 with zones, bare dates, Unix seconds; undefined otherwise', () => {
    const cases: [string | number | undefined | null, string | undefined][] = [
      ['2025-03-01 09:58:12', '2025-03-01T09:58:12.000Z'],
      [' 2025-03-01 09:58:12 UTC ', '2025-03-01T09:58:12.000Z'],
      ['2025-03-01 09:58:12  utc', '2025-03-01T09:58:12.000Z'],
      ['2025-03-01 09:58', '2025-03-01T09:58:00.000Z'],
      ['2025-03-01T09:58:12.345Z', '2025-03-01T09:58:12.345Z'],
      ['2025-03-01T11:58:12+02:00', '2025-03-01T09:58:12.000Z'],
      ['2025-03-01T04:58:12-0500', '2025-03-01T09:58:12.000Z'],
      ['2025-03-01', '2025-03-01T00:00:00.000Z'],
      [1740700000, '2025-02-27T23:46:40.000Z'],
      ['1740700000', '2025-02-27T23:46:40.000Z'],
      [' 1740700000 ', '2025-02-27T23:46:40.000Z'],
      ['99999999999', '5138-11-16T09:46:39.000Z'],
      ['100000000', '1973-03-03T09:46:40.000Z'],
      [undefined, undefined],
      [null, undefined],
      ['', undefined],
      ['yesterday', undefined],
      ['x1740700000', undefined],
      ['1740700000x', undefined],
      ['17407000001234', undefined],
      ['x2025-03-01', undefined],
      ['2025-03-01 09:58:12junk', undefined],
      ['2025-03-01 UTCZ', undefined],
      ['2025-02-30T25:00:00Z', undefined],
    ];
    for (const [raw, want] of cases) assert.equal(parseSourceTime(raw), want, JSON.stringify(raw));
  });

  it('a source time without a zone is UTC whatever the hub time zone', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      assert.equal(new Date(2025, 0, 1).getTimezoneOffset(), -540, 'the time zone took effect');
      assert.equal(parseSourceTime('2025-03-01 09:58:12'), '2025-03-01T09:58:12.000Z');
      assert.equal(parseSourceTime('2025-03-01'), '2025-03-01T00:00:00.000Z');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('ids: a UUIDv4-shaped SHA-256 of the name, pinned', () => {
    assert.equal(stableUuid('x'), stableUuid('x'));
    assert.notEqual(stableUuid('x'), stableUuid('y'));
    assert.match(stableUuid('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(identityId('abuse.ch'), 'identity--dda12dde-8c39-4b02-bb14-5a9f5b7ccbdc');
    assert.equal(tlpMarkingId('amber'), AMBER);
  });

  it('an indicator: every property from the entry, the rest from the feed stamp', () => {
    const s = stamp({ labels: [' feed ', 'shared', ''], confidence: 40, validForDays: 2 });
    const full = indicatorFor(s, {
      line: 3,
      type: 'ip',
      value: '192.0.2.9',
      firstSeen: '2025-02-01T10:00:00.000Z',
      labels: ['shared', ' own '],
      confidence: 90,
      description: 'Seen scanning',
      indicatorTypes: ['anonymization'],
      externalReferences: [{ source_name: 'src', external_id: '9' }],
    });
    assert.deepEqual(full, {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${stableUuid("values\n[ipv4-addr:value = '192.0.2.9']")}`,
      created_by_ref: identityId('Values source'),
      created: '2025-02-01T10:00:00.000Z',
      modified: '2025-02-01T10:00:00.000Z',
      name: '192.0.2.9',
      indicator_types: ['anonymization'],
      pattern: "[ipv4-addr:value = '192.0.2.9']",
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: '2025-02-01T10:00:00.000Z',
      valid_until: '2025-02-03T10:00:00.000Z',
      description: 'Seen scanning',
      labels: ['feed', 'shared', 'own'],
      confidence: 90,
      external_references: [{ source_name: 'src', external_id: '9' }],
      object_marking_refs: [GREEN],
    });
    // Nothing from the entry: the epoch, the feed's confidence and types, no labels or references.
    const bare = indicatorFor(stamp({ confidence: 40 }), { line: 1, type: 'auto', value: 'x.example' });
    assert.deepEqual(bare, {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${stableUuid("values\n[domain-name:value = 'x.example']")}`,
      created_by_ref: identityId('Values source'),
      created: EPOCH,
      modified: EPOCH,
      name: 'x.example',
      indicator_types: ['malicious-activity'],
      pattern: "[domain-name:value = 'x.example']",
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: EPOCH,
      description: 'Listed by feed values',
      confidence: 40,
      object_marking_refs: [GREEN],
    });
    const unconfident = indicatorFor(stamp(), { line: 1, type: 'auto', value: 'x.example' });
    assert.equal('confidence' in unconfident, false);
    // A part's own TLP and modified time win over the stamp's (MISP).
    const misp = buildIndicator(stamp(), {
      id: 'indicator--0b1e6f5c-1d2a-4c3b-8e4d-5f6a7b8c9d01',
      pattern: "[ipv4-addr:value = '192.0.2.9']",
      name: '192.0.2.9',
      created: '2025-02-01T10:00:00.000Z',
      modified: '2025-02-02T10:00:00.000Z',
      validFrom: '2025-01-01T10:00:00.000Z',
      description: 'MISP',
      tlp: 'amber',
    });
    assert.deepEqual(
      [misp.created, misp.modified, misp.valid_from, misp.object_marking_refs],
      ['2025-02-01T10:00:00.000Z', '2025-02-02T10:00:00.000Z', '2025-01-01T10:00:00.000Z', [AMBER]],
    );
  });

  it('entries: converted in order; value errors become rejections by line, other errors are not hidden', () => {
    const rejected: Rejection[] = [{ line: 9, where: 'line 9', reason: 'earlier problem' }];
    const out = convertEntries(
      stamp(),
      [
        { line: 2, type: 'ip', value: '192.0.2.300' },
        { line: 4, type: 'domain', value: 'b.example' },
        { line: 5, type: 'md5', value: 'x' },
        { line: 7, type: 'domain', value: 'a.example' },
      ],
      rejected,
    );
    assert.deepEqual(
      out.map((o) => o.name),
      ['b.example', 'a.example'],
    );
    assert.deepEqual(rejected, [
      { line: 2, where: 'line 2', reason: '"192.0.2.300" is not an IP address or CIDR' },
      { line: 5, where: 'line 5', reason: '"x" is not a MD5 hash (32 hex digits)' },
      { line: 9, where: 'line 9', reason: 'earlier problem' },
    ]);
    assert.throws(
      () => convertEntries(stamp(), [{ line: 1, type: 'bogus' as ValueType, value: 'x' }], []),
      (e: unknown) => e instanceof TypeError,
    );
  });
});
