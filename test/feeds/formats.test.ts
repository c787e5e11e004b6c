/**
 * The feed formats as pure converters: each fixture (test/fixtures/feeds, in the source's real
 * layout) → exact patterns, ids, rejections with line numbers; every object passes the hub's STIX
 * validator in strict mode (the SHOULD rules as errors).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  convertMispEvent,
  convertText,
  identityId,
  identityObject,
  markingObject,
  MispFormatError,
  normalizeIp,
  parseManifest,
  patternFor,
  TableError,
  type Conversion,
  type FeedStamp,
  type StixObject,
  TEXT_KINDS,
  type TextKind,
  type TextOptions,
} from '../../feeds/formats';
import { readCsv } from '../../feeds/formats/csv-reader';
import { validateStixObject } from '../../server/stix/validate';
import { PARTNER_CSV_MAPPING, testStamp, TLP_MARKING_IDS } from '../helpers/feeds';

const FIXTURES = join(__dirname, '..', 'fixtures', 'feeds');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const EPOCH = '2025-01-01T00:00:00.000Z';

const CLEAR = TLP_MARKING_IDS.clear;
const GREEN = TLP_MARKING_IDS.green;
const AMBER = TLP_MARKING_IDS.amber;
const RED = TLP_MARKING_IDS.red;

const stamp = (overrides: Partial<FeedStamp> = {}): FeedStamp =>
  testStamp('test-feed', 'Test source', 'clear', overrides);

function assertValid(objects: StixObject[]): void {
  for (const o of objects) {
    const v = validateStixObject(o, { strict: true });
    assert.ok(v.ok, `${o.id}: ${JSON.stringify(v.errors)}`);
  }
}

function convert(kind: TextKind, file: string, s = stamp(), opts: TextOptions = {}): Conversion {
  const c = convertText(kind, fixture(file), s, opts);
  assertValid(c.objects);
  // Deterministic: converting the same text again gives the same objects.
  assert.deepEqual(convertText(kind, fixture(file), s, opts).objects, c.objects);
  return c;
}

const patterns = (c: Conversion): unknown[] => c.objects.map((o) => o.pattern);
const rejections = (c: Conversion): [number | undefined, string][] =>
  c.rejected.map((r) => [r.line, r.reason]);

describe('feed formats', () => {
  it('urlhaus-csv: commented header, quoted fields, tags in one field', () => {
    const s = stamp({ feed: 'urlhaus', identityId: identityId('abuse.ch'), labels: ['abuse.ch'] });
    const c = convert('urlhaus-csv', 'urlhaus.csv', s);
    assert.equal(c.read, 7);
    assert.deepEqual(patterns(c), [
      "[url:value = 'http://198.51.100.23:47211/i']",
      "[url:value = 'https://files.example.net/invoice\\'2025.zip']",
      "[url:value = 'http://[2001:db8:4::17]/bins/x86']",
      "[url:value = 'http://update.example.org/dl.php?id=7&f=a\\\\b.exe']",
    ]);
    assert.deepEqual(rejections(c), [
      [14, 'the URL "not a url" contains spaces or control characters'],
      [15, 'dateadded "yesterday" is not a date and time'],
      [
        16,
        'expected 9 columns (id, dateadded, url, url_status, last_online, threat, tags, urlhaus_link, reporter), found 4',
      ],
    ]);
    // Ids are pinned: they must never change between releases, or every re-run would add copies.
    assert.deepEqual(c.objects[1], {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--793d7fa9-a8c2-47ad-a3b2-6840d7e9b4c0',
      created_by_ref: 'identity--dda12dde-8c39-4b02-bb14-5a9f5b7ccbdc',
      created: '2025-03-01T09:41:30.000Z',
      modified: '2025-03-01T09:41:30.000Z',
      name: "https://files.example.net/invoice'2025.zip",
      indicator_types: ['malicious-activity'],
      pattern: "[url:value = 'https://files.example.net/invoice\\'2025.zip']",
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: '2025-03-01T09:41:30.000Z',
      description: 'URLhaus: threat malware_download, status online, reported by abuse_ch',
      labels: ['abuse.ch', 'malware_download', 'zip'],
      external_references: [
        { source_name: 'urlhaus', url: 'https://urlhaus.abuse.ch/url/3401000/', external_id: '3401000' },
      ],
      object_marking_refs: [CLEAR],
    });
    assert.deepEqual(c.objects[0]?.labels, ['abuse.ch', 'malware_download', '32-bit', 'elf', 'mips', 'Mozi']);
  });

  it('feodo-csv: quoted header line, IPv4 and IPv6, port and status in the description', () => {
    const c = convert('feodo-csv', 'feodo.csv');
    assert.deepEqual(patterns(c), [
      "[ipv4-addr:value = '192.0.2.44']",
      "[ipv4-addr:value = '203.0.113.9']",
      "[ipv6-addr:value = '2001:db8::a0']",
    ]);
    assert.deepEqual(rejections(c), [
      [13, '"198.51.100.300" is not an IP address or CIDR'],
      [14, 'dst_port "https" is not a port number'],
    ]);
    assert.equal(c.objects[0]?.description, 'Feodo Tracker: QakBot botnet C2, port 443, status online');
    assert.equal(c.objects[0]?.valid_from, '2024-11-02T14:10:07.000Z');
    assert.deepEqual(c.objects[0]?.labels, ['QakBot']);
  });

  it('threatfox-csv: columns by header name, ip:port, domain, url and the three hash types', () => {
    const c = convert('threatfox-csv', 'threatfox.csv');
    assert.deepEqual(patterns(c), [
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.10' AND network-traffic:dst_port = 4444]",
      "[network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = '2001:db8::5' AND network-traffic:dst_port = 8443]",
      "[domain-name:value = 'login-verify.example.net']",
      "[url:value = 'https://cdn.example.com/p/loader.ps1']",
      "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
      "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
      "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
    ]);
    assert.deepEqual(rejections(c), [
      [17, '"192.0.2.11:99999": port 99999 is out of range'],
      [18, 'ioc_type "envelope_from" is not one Tessera converts'],
      [19, '"abc" is not a SHA-256 hash (64 hex digits)'],
    ]);
    assert.deepEqual(
      c.objects.map((o) => o.confidence),
      [100, 75, 50, 100, 90, 90, 90],
    );
    assert.deepEqual(c.objects[2]?.indicator_types, ['malicious-activity', 'compromised']);
    assert.deepEqual(c.objects[1]?.external_references, [
      { source_name: 'threatfox', external_id: '1450000', url: 'https://threatfox.abuse.ch/ioc/1450000/' },
      { source_name: 'reference', url: 'https://example.com/report' },
    ]);
    assert.deepEqual(c.objects[3]?.labels, ['Agent Tesla'], '"None" tags are no tags');
    // The 2023 export had no is_compromised column: read by name, it converts the same way.
    const old = convert('threatfox-csv', 'threatfox-2023.csv');
    assert.deepEqual(patterns(old), [
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.50' AND network-traffic:dst_port = 443]",
      "[domain-name:value = 'c2.example.org']",
    ]);
    assert.deepEqual(old.objects[1]?.confidence, 75);
  });

  it('threatfox-csv: a file without its header is refused as a whole', () => {
    assert.throws(
      () => convertText('threatfox-csv', '"2025-01-01 00:00:00", "1", "x.example", "domain"\n', stamp()),
      (e: unknown) => e instanceof TableError && /ioc_value, ioc_type/.test(e.message),
    );
  });

  it('spamhaus-drop: legacy DROP and EDROP text, CIDRs normalised', () => {
    const drop = convert('spamhaus-drop', 'spamhaus-drop.txt');
    assert.deepEqual(patterns(drop), [
      "[ipv4-addr:value = '192.0.2.0/24']",
      "[ipv4-addr:value = '198.51.100.0/25']",
      "[ipv4-addr:value = '203.0.113.64/26']",
    ]);
    assert.deepEqual(rejections(drop), [[8, '"203.0.113.300/24" is not an IP address or CIDR']]);
    assert.deepEqual(drop.objects[0]?.external_references, [
      { source_name: 'spamhaus', external_id: 'SBL100001' },
    ]);
    assert.equal(drop.objects[0]?.valid_from, EPOCH, 'no date in the source: the feed epoch');
    assert.equal(drop.complete, true);
    const edrop = convert('spamhaus-drop', 'spamhaus-edrop.txt');
    assert.deepEqual(patterns(edrop), [
      "[ipv4-addr:value = '198.51.100.128/27']",
      "[ipv4-addr:value = '203.0.113.128/25']",
    ]);
  });

  it('spamhaus-drop: JSON lines with the metadata line, and a copy cut short', () => {
    const c = convert('spamhaus-drop', 'spamhaus-drop_v6.json');
    assert.deepEqual(patterns(c), [
      "[ipv6-addr:value = '2001:db8:1000::/36']",
      "[ipv6-addr:value = '2001:db8:2000::/40']",
      "[ipv4-addr:value = '198.51.100.128/25']",
    ]);
    assert.deepEqual(rejections(c), [[4, '"not-a-cidr" is not an IP address or CIDR']]);
    assert.equal(c.complete, true);
    assert.equal(c.objects[0]?.description, 'Spamhaus DROP: SBL200001 (ripencc)');

    const lines = fixture('spamhaus-drop_v6.json').split('\n');
    const cut = convertText('spamhaus-drop', lines.slice(0, 2).join('\n') + '\n{"cidr":"2001:d', stamp());
    assert.equal(cut.objects.length, 2, 'what was valid is kept');
    assert.equal(cut.complete, false);
    assert.match(cut.incompleteReason ?? '', /no metadata line/);
    assert.deepEqual(rejections(cut), [[3, 'the line is not a JSON object (the file may be cut short)']]);
    const short = convertText('spamhaus-drop', [lines[0], lines[4]].join('\n'), stamp());
    assert.equal(short.complete, false);
    assert.match(short.incompleteReason ?? '', /announces 4 records but the file holds 1/);
  });

  it('ioc-list: every type recognised, comments, rejected lines with their number', () => {
    const c = convert('ioc-list', 'ioc-list.txt');
    assert.deepEqual(patterns(c), [
      "[ipv4-addr:value = '203.0.113.7']",
      "[ipv4-addr:value = '203.0.113.0/24']",
      "[ipv6-addr:value = '2001:db8::1']",
      "[domain-name:value = 'evil.example.com']",
      "[url:value = 'http://evil.example.com/x#frag']",
      "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
    ]);
    assert.deepEqual(rejections(c), [
      [8, '"not an ioc !" is not an IP address, CIDR, domain, URL, hash or e-mail address'],
      [9, '"999.1.2.3" is not an IP address, CIDR, domain, URL, hash or e-mail address'],
    ]);
    const onlyDomains = convertText('ioc-list', 'a.example\n192.0.2.1\n', stamp(), { valueType: 'domain' });
    assert.deepEqual(rejections(onlyDomains), [[2, '"192.0.2.1" is not a domain name']]);
  });

  it('csv: value, type column with source names, first seen, tags, confidence', () => {
    const c = convert('csv', 'partner.csv', stamp({ labels: ['partner'] }), {
      csv: PARTNER_CSV_MAPPING,
    });
    assert.deepEqual(patterns(c), [
      "[ipv4-addr:value = '192.0.2.200']",
      "[domain-name:value = 'bad.example.org']",
      "[url:value = 'https://bad.example.org/login?u=a,b']",
      "[file:hashes.MD5 = '44d88612fea8a8f36de82e1278abb02f']",
    ]);
    assert.deepEqual(rejections(c), [
      [6, 'score "high" is not a number from 0 to 100'],
      [7, 'type "mystery" is not one Tessera converts'],
    ]);
    assert.deepEqual(c.objects[0]?.labels, ['partner', 'scanner', 'ssh']);
    assert.equal(c.objects[0]?.confidence, 60);
    assert.equal(c.objects[0]?.valid_from, '2025-02-28T10:00:00.000Z');
    assert.equal(c.objects[2]?.valid_from, EPOCH);
    assert.equal(c.objects[2]?.confidence, undefined);
    // No header: columns are numbered, one fixed type.
    const bare = convertText('csv', '192.0.2.1;x\n192.0.2.2;y\n', stamp(), {
      csv: { header: false, delimiter: ';', value: '1', type: 'ip', description: '2' },
    });
    assert.deepEqual(
      bare.objects.map((o) => [o.pattern, o.description]),
      [
        ["[ipv4-addr:value = '192.0.2.1']", 'x'],
        ["[ipv4-addr:value = '192.0.2.2']", 'y'],
      ],
    );
  });

  it('misp-feed: manifest, to_ids attributes as indicators, a report per event, tags and TLP', () => {
    const manifest = parseManifest(fixture('misp-feed/manifest.json'));
    assert.deepEqual(
      manifest.events.map((e) => [e.uuid, e.timestamp]),
      [
        ['5f3c1a2e-7b4d-4e8a-9c21-0a1b2c3d4e5f', 1740700000],
        ['8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10', 1740800000],
      ],
    );
    const s = stamp({ tlp: 'green', labels: ['misp'] });
    const e1 = convertMispEvent(fixture('misp-feed/5f3c1a2e-7b4d-4e8a-9c21-0a1b2c3d4e5f.json'), s);
    assertValid(e1.objects);
    assert.equal(e1.read, 7);
    assert.equal(e1.skipped, 2, 'the url and the filename have to_ids false');
    assert.deepEqual(
      e1.objects.map((o) => [o.id, o.pattern ?? o.type]),
      [
        ['indicator--0b1e6f5c-1d2a-4c3b-8e4d-5f6a7b8c9d01', "[ipv4-addr:value = '192.0.2.10']"],
        ['indicator--0b1e6f5c-1d2a-4c3b-8e4d-5f6a7b8c9d02', "[domain-name:value = 'remcos-c2.example.net']"],
        [
          'indicator--0b1e6f5c-1d2a-4c3b-8e4d-5f6a7b8c9d04',
          "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.15' AND network-traffic:dst_port = 2404]",
        ],
        [
          'indicator--0b1e6f5c-1d2a-4c3b-8e4d-5f6a7b8c9d06',
          "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
        ],
        ['report--5f3c1a2e-7b4d-4e8a-9c21-0a1b2c3d4e5f', 'report'],
      ],
    );
    assert.deepEqual(e1.rejected, [
      {
        where: 'event 5f3c1a2e-7b4d-4e8a-9c21-0a1b2c3d4e5f, attribute 0b1e6f5c-1d2a-4c3b-8e4d-5f6a7b8c9d05',
        reason: 'MISP attribute type "yara" has no STIX pattern in Tessera',
      },
    ]);
    const ind = e1.objects[0] as StixObject;
    assert.deepEqual(ind.labels, ['misp', 'type:OSINT', 'misp-galaxy:malpedia="Remcos"']);
    assert.deepEqual(ind.object_marking_refs, [GREEN]);
    assert.equal(ind.modified, '2025-02-27T09:53:20.000Z');
    const report = e1.objects[4] as StixObject;
    assert.deepEqual(
      report.object_refs,
      e1.objects.slice(0, 4).map((o) => o.id),
    );
    assert.equal(report.name, 'OSINT - Remcos campaign targeting logistics');
    assert.equal(report.published, '2025-02-27T23:48:20.000Z');
    assert.equal(report.created_by_ref, s.identityId);

    const e2 = convertMispEvent(fixture('misp-feed/8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10.json'), s);
    assertValid(e2.objects);
    assert.deepEqual(
      e2.objects.map((o) => [o.pattern ?? o.type, o.object_marking_refs]),
      [
        ["[domain-name:value = 'secure-login.example.com']", [RED]],
        ["[email-addr:value = 'billing@phish.example.com']", [AMBER]],
        ['report', [AMBER]],
      ],
    );
    assert.deepEqual(
      e2.rejected.map((r) => r.reason),
      ['"999.1.1.1" is not an IP address or CIDR'],
    );
    assert.throws(() => convertMispEvent('{"Event": {"uuid": "x"', s), MispFormatError);
    assert.throws(() => parseManifest('[]'), MispFormatError);
  });

  it('the feed identity and TLP marking are valid STIX', () => {
    assertValid([identityObject('abuse.ch'), markingObject('amber+strict')]);
    assert.equal(identityObject('abuse.ch').id, 'identity--dda12dde-8c39-4b02-bb14-5a9f5b7ccbdc');
  });

  it('validForDays gives valid_until', () => {
    const c = convertText('ioc-list', '192.0.2.1\n', stamp({ validForDays: 30 }));
    assert.equal(c.objects[0]?.valid_until, '2025-01-31T00:00:00.000Z');
    assertValid(c.objects);
  });

  it('normalises values: IPv6, mapped IPv4, CIDR host bits, hash names, escapes', () => {
    assert.deepEqual(normalizeIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), {
      version: 6,
      value: '2001:db8::1',
    });
    assert.deepEqual(normalizeIp('::ffff:192.0.2.5'), { version: 4, value: '192.0.2.5' });
    assert.deepEqual(normalizeIp('192.0.2.77/24'), { version: 4, value: '192.0.2.0/24' });
    assert.deepEqual(normalizeIp('192.0.2.77/32'), { version: 4, value: '192.0.2.77' });
    assert.deepEqual(normalizeIp('2001:db8::1:2/64'), { version: 6, value: '2001:db8::/64' });
    assert.throws(() => normalizeIp('192.0.2.1/33'), /out of range/);
    assert.equal(
      patternFor('sha256', 'A'.repeat(64)).pattern,
      `[file:hashes.'SHA-256' = '${'a'.repeat(64)}']`,
    );
    assert.equal(
      patternFor('sha512', 'b'.repeat(128)).pattern,
      `[file:hashes.'SHA-512' = '${'b'.repeat(128)}']`,
    );
    assert.equal(
      patternFor('domain', 'Bücher.Example.').pattern,
      "[domain-name:value = 'xn--bcher-kva.example']",
    );
    assert.equal(
      patternFor('url', "http://x.example/a'b\\c").pattern,
      "[url:value = 'http://x.example/a\\'b\\\\c']",
    );
    assert.equal(patternFor('auto', '[2001:db8::9]:53').value, '[2001:db8::9]:53');
  });

  it('reads CSV records with their starting line, one problem per bad record', () => {
    const r = readCsv('# c\n"a","b\nc"\n"bad"x,"1"\n\n  "d" , e\n"open\n');
    assert.deepEqual(
      r.records.map((x) => [x.line, x.fields]),
      [
        [2, ['a', 'b\nc']],
        [6, ['d', 'e']],
      ],
    );
    assert.deepEqual(r.problems, [
      { line: 4, reason: 'unexpected "x" after a closing quote' },
      { line: 7, reason: 'a quoted field is not closed (the file may be cut short)' },
    ]);
  });
});

/** The properties of each converted indicator that its format decides. */
function summary(o: StixObject): unknown[] {
  return [
    o.name,
    o.valid_from,
    o.labels,
    o.description,
    o.confidence,
    o.indicator_types,
    o.external_references,
  ];
}

describe('feed formats: every field, every refusal', () => {
  it('the kinds converted from one text document', () => {
    assert.deepEqual(TEXT_KINDS, [
      'ioc-list',
      'csv',
      'urlhaus-csv',
      'feodo-csv',
      'threatfox-csv',
      'spamhaus-drop',
    ]);
    assert.throws(() => convertText('csv', 'a\n1\n', stamp()), {
      message: 'a csv feed needs its column mapping',
    });
  });

  it('urlhaus-csv: each indicator, property by property; read counts every data line', () => {
    const c = convert('urlhaus-csv', 'urlhaus.csv');
    assert.deepEqual([c.read, c.skipped, c.complete, c.incompleteReason], [7, 0, true, undefined]);
    const link = (id: string) => [
      { source_name: 'urlhaus', url: `https://urlhaus.abuse.ch/url/${id}/`, external_id: id },
    ];
    const mw = ['malicious-activity'];
    assert.deepEqual(c.objects.map(summary), [
      [
        'http://198.51.100.23:47211/i',
        '2025-03-01T09:58:12.000Z',
        ['malware_download', '32-bit', 'elf', 'mips', 'Mozi'],
        'URLhaus: threat malware_download, status online, reported by geenensp',
        undefined,
        mw,
        link('3401001'),
      ],
      [
        "https://files.example.net/invoice'2025.zip",
        '2025-03-01T09:41:30.000Z',
        ['malware_download', 'zip'],
        'URLhaus: threat malware_download, status online, reported by abuse_ch',
        undefined,
        mw,
        link('3401000'),
      ],
      [
        'http://[2001:db8:4::17]/bins/x86',
        '2025-03-01T09:12:04.000Z',
        ['malware_download', 'elf'],
        'URLhaus: threat malware_download, status offline, reported by lrz_urlhaus',
        undefined,
        mw,
        link('3400999'),
      ],
      [
        'http://update.example.org/dl.php?id=7&f=a\\b.exe',
        '2025-03-01T08:55:47.000Z',
        ['malware_download', 'exe', 'AsyncRAT'],
        'URLhaus: threat malware_download, status online, reported by anonymous',
        undefined,
        mw,
        link('3400998'),
      ],
    ]);
  });

  it('urlhaus-csv: columns by name (another order), the usual ones without a header, sparse rows', () => {
    const reordered = [
      '# url,dateadded,id,tags,threat,url_status,urlhaus_link,reporter,last_online',
      '"http://a.example/x","2025-03-01 10:00:00","17","",,"","","",""',
      '"http://b.example/y","2025-03-01 11:00:00","","t1","","","https://urlhaus.abuse.ch/url/18/","",""',
      '"http://c.example/z","","","","","","","",""',
      '"","2025-03-01 11:00:00","","","","","","",""',
      '"http://d.example/","noon","","","","","","",""',
      '"","noon","","","","","","",""',
      '"http://e.example/","2025-03-01 11:00:00"',
    ].join('\n');
    const c = convertText('urlhaus-csv', reordered, stamp());
    assert.deepEqual(c.objects.map(summary), [
      [
        'http://a.example/x',
        '2025-03-01T10:00:00.000Z',
        undefined,
        'URLhaus: ',
        undefined,
        ['malicious-activity'],
        [{ source_name: 'urlhaus', external_id: '17' }],
      ],
      [
        'http://b.example/y',
        '2025-03-01T11:00:00.000Z',
        ['t1'],
        'URLhaus: ',
        undefined,
        ['malicious-activity'],
        [{ source_name: 'urlhaus', url: 'https://urlhaus.abuse.ch/url/18/' }],
      ],
      ['http://c.example/z', EPOCH, undefined, 'URLhaus: ', undefined, ['malicious-activity'], undefined],
    ]);
    assert.deepEqual(rejections(c), [
      [5, 'the url field is empty'],
      [6, 'dateadded "noon" is not a date and time'],
      [7, 'the url field is empty'],
      [
        8,
        'expected 9 columns (url, dateadded, id, tags, threat, url_status, urlhaus_link, reporter, last_online), found 2',
      ],
    ]);
    assert.equal(c.read, 7);
    // Without the header comment, the dump's own columns in their usual order.
    const bare = convertText('urlhaus-csv', fixture('urlhaus.csv').replace(/^#.*\n/gm, ''), stamp());
    assert.deepEqual(bare.objects, convert('urlhaus-csv', 'urlhaus.csv').objects);
  });

  it('feodo-csv: each indicator; ports, statuses and malware only when given', () => {
    const c = convert('feodo-csv', 'feodo.csv');
    assert.deepEqual([c.read, c.skipped, c.complete], [5, 0, true]);
    assert.deepEqual(c.objects.map(summary), [
      [
        '192.0.2.44',
        '2024-11-02T14:10:07.000Z',
        ['QakBot'],
        'Feodo Tracker: QakBot botnet C2, port 443, status online',
        undefined,
        ['malicious-activity'],
        undefined,
      ],
      [
        '203.0.113.9',
        '2024-12-20T07:33:51.000Z',
        ['Emotet'],
        'Feodo Tracker: Emotet botnet C2, port 8080, status offline',
        undefined,
        ['malicious-activity'],
        undefined,
      ],
      [
        '2001:db8::a0',
        '2025-01-05T18:01:12.000Z',
        ['Pikabot'],
        'Feodo Tracker: Pikabot botnet C2, port 4443, status online',
        undefined,
        ['malicious-activity'],
        undefined,
      ],
    ]);
    const sparse = convertText(
      'feodo-csv',
      [
        '"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"',
        '"","192.0.2.1","","","",""',
        '"2025-01-01 00:00:00","192.0.2.2","65535","","",""',
        '"2025-01-01 00:00:00","","443","online","","QakBot"',
        '"later","192.0.2.3","443","online","","QakBot"',
        '"2025-01-01 00:00:00","192.0.2.4","65536","online","","QakBot"',
        '"2025-01-01 00:00:00","192.0.2.5","x443","online","","QakBot"',
        '"2025-01-01 00:00:00","192.0.2.6","443x","online","","QakBot"',
        '"later","","443","online","","QakBot"',
        '"2025-01-01 00:00:00","192.0.2.7","1e3","online","","QakBot"',
        '"2025-01-01 00:00:00","192.0.2.8","0x1F","online","","QakBot"',
        '"2025-01-01 00:00:00","192.0.2.9"',
      ].join('\n'),
      stamp(),
    );
    assert.deepEqual(
      sparse.objects.map((o) => [o.name, o.valid_from, o.labels, o.description]),
      [
        ['192.0.2.1', EPOCH, undefined, 'Feodo Tracker: '],
        ['192.0.2.2', '2025-01-01T00:00:00.000Z', undefined, 'Feodo Tracker: port 65535'],
      ],
    );
    assert.deepEqual(rejections(sparse), [
      [4, 'the dst_ip field is empty'],
      [5, 'first_seen_utc "later" is not a date and time'],
      [6, 'dst_port "65536" is not a port number'],
      [7, 'dst_port "x443" is not a port number'],
      [8, 'dst_port "443x" is not a port number'],
      [9, 'the dst_ip field is empty'],
      [10, 'dst_port "1e3" is not a port number'],
      [11, 'dst_port "0x1F" is not a port number'],
      [12, 'expected 6 columns (first_seen_utc, dst_ip, dst_port, c2_status, last_online, malware), found 2'],
    ]);
    assert.equal(sparse.read, 11);
    assert.deepEqual(
      sparse.rejected.map((r) => r.where),
      sparse.rejected.map((r) => `line ${r.line}`),
    );
    // The blocklist without its header line: its usual columns.
    const bare = convertText(
      'feodo-csv',
      '"2025-02-03 04:05:06","192.0.2.9","443","online","2025-03-01","Dridex"\n',
      stamp(),
    );
    assert.deepEqual(
      bare.objects.map((o) => [o.name, o.valid_from, o.labels, o.description]),
      [
        [
          '192.0.2.9',
          '2025-02-03T04:05:06.000Z',
          ['Dridex'],
          'Feodo Tracker: Dridex botnet C2, port 443, status online',
        ],
      ],
    );
  });

  it('threatfox-csv: each indicator, property by property', () => {
    const c = convert('threatfox-csv', 'threatfox.csv');
    assert.deepEqual([c.read, c.skipped, c.complete], [10, 0, true]);
    const ref = (id: string) => ({
      source_name: 'threatfox',
      external_id: id,
      url: `https://threatfox.abuse.ch/ioc/${id}/`,
    });
    const mw = ['malicious-activity'];
    assert.deepEqual(c.objects.map(summary), [
      [
        '192.0.2.10:4444',
        '2025-03-01T09:59:01.000Z',
        ['Remcos', 'c2', 'RemcosRAT'],
        'ThreatFox: botnet_cc, malware Remcos',
        100,
        mw,
        [ref('1450001')],
      ],
      [
        '[2001:db8::5]:8443',
        '2025-03-01T09:58:40.000Z',
        ['Cobalt Strike', 'CobaltStrike'],
        'ThreatFox: botnet_cc, malware Cobalt Strike',
        75,
        mw,
        [ref('1450000'), { source_name: 'reference', url: 'https://example.com/report' }],
      ],
      [
        'login-verify.example.net',
        '2025-03-01T09:50:00.000Z',
        ['ClearFake'],
        'ThreatFox: payload_delivery, malware ClearFake, compromised legitimate resource',
        50,
        ['malicious-activity', 'compromised'],
        [ref('1449999')],
      ],
      [
        'https://cdn.example.com/p/loader.ps1',
        '2025-03-01T09:45:12.000Z',
        ['Agent Tesla'],
        'ThreatFox: payload_delivery, malware Agent Tesla',
        100,
        mw,
        [ref('1449998')],
      ],
      [
        'd41d8cd98f00b204e9800998ecf8427e',
        '2025-03-01T09:40:00.000Z',
        ['Vidar', 'exe'],
        'ThreatFox: payload, malware Vidar',
        90,
        mw,
        [ref('1449997')],
      ],
      [
        'da39a3ee5e6b4b0d3255bfef95601890afd80709',
        '2025-03-01T09:40:00.000Z',
        ['Vidar', 'exe'],
        'ThreatFox: payload, malware Vidar',
        90,
        mw,
        [ref('1449996')],
      ],
      [
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        '2025-03-01T09:40:00.000Z',
        ['Vidar', 'exe'],
        'ThreatFox: payload, malware Vidar',
        90,
        mw,
        [ref('1449995')],
      ],
    ]);
  });

  it('threatfox-csv: sparse rows, references and the compromised flag read exactly', () => {
    const head =
      '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","malware_printable","confidence_level","is_compromised","reference","tags"';
    const rows = [
      '"", "", "a.example", "DOMAIN", "", "", "", "", "", ""',
      '"2025-01-01 00:00:00", "", "b.example", "domain", "", "", "0", "1", "http://x.example/r", "None"',
      '"2025-01-01 00:00:00", "", "c.example", "domain", "", "", "", "untrue", "see https://x.example/r", ""',
      '"2025-01-01 00:00:00", "", "d.example", "domain", "", "", "", "true!", "", ""',
      '"2025-01-01 00:00:00", "", "e.example", "domain", "", "", "", "TRUE", "", ""',
      '"2025-01-01 00:00:00", "", "None", "domain", "", "", "", "", "", ""',
      '"soon", "", "f.example", "domain", "", "", "high", "", "", ""',
      '"2025-01-01 00:00:00", "", "g.example", "domain", "", "", "high", "", "", ""',
      '"2025-01-01 00:00:00", "", "h.example", "domain"',
      '"2025-01-01 00:00:00", "", "i.example", "domain", "", "", "", "", "", "t1,t2"',
    ];
    const c = convertText('threatfox-csv', [head, ...rows].join('\n'), stamp({ confidence: 33 }));
    assert.deepEqual(
      c.objects.map((o) => [
        o.name,
        o.valid_from,
        o.labels,
        o.confidence,
        o.indicator_types,
        o.description,
        o.external_references,
      ]),
      [
        ['a.example', EPOCH, undefined, 33, ['malicious-activity'], 'ThreatFox: ', undefined],
        [
          'b.example',
          '2025-01-01T00:00:00.000Z',
          undefined,
          0,
          ['malicious-activity', 'compromised'],
          'ThreatFox: compromised legitimate resource',
          [{ source_name: 'reference', url: 'http://x.example/r' }],
        ],
        [
          'c.example',
          '2025-01-01T00:00:00.000Z',
          undefined,
          33,
          ['malicious-activity'],
          'ThreatFox: ',
          undefined,
        ],
        [
          'd.example',
          '2025-01-01T00:00:00.000Z',
          undefined,
          33,
          ['malicious-activity'],
          'ThreatFox: ',
          undefined,
        ],
        [
          'e.example',
          '2025-01-01T00:00:00.000Z',
          undefined,
          33,
          ['malicious-activity', 'compromised'],
          'ThreatFox: compromised legitimate resource',
          undefined,
        ],
        [
          'i.example',
          '2025-01-01T00:00:00.000Z',
          ['t1', 't2'],
          33,
          ['malicious-activity'],
          'ThreatFox: ',
          undefined,
        ],
      ],
    );
    assert.deepEqual(rejections(c), [
      [7, 'the ioc_value field is empty'],
      [8, 'first_seen_utc "soon" is not a date and time'],
      [9, 'confidence_level "high" is not a number from 0 to 100'],
      [
        10,
        'expected 10 columns (first_seen_utc, ioc_id, ioc_value, ioc_type, threat_type, malware_printable, confidence_level, is_compromised, reference, tags), found 4',
      ],
    ]);
    assert.equal(c.read, 10);
  });

  it('spamhaus-drop: each network with its SBL id; JSON lines recognised after blanks and comments', () => {
    const drop = convert('spamhaus-drop', 'spamhaus-drop.txt');
    assert.deepEqual([drop.read, drop.skipped], [4, 0]);
    assert.deepEqual(
      drop.objects.map((o) => [o.name, o.description, o.external_references, o.valid_from]),
      [
        [
          '192.0.2.0/24',
          'Spamhaus DROP: SBL100001',
          [{ source_name: 'spamhaus', external_id: 'SBL100001' }],
          EPOCH,
        ],
        [
          '198.51.100.0/25',
          'Spamhaus DROP: SBL100002',
          [{ source_name: 'spamhaus', external_id: 'SBL100002' }],
          EPOCH,
        ],
        [
          '203.0.113.64/26',
          'Spamhaus DROP: SBL100003',
          [{ source_name: 'spamhaus', external_id: 'SBL100003' }],
          EPOCH,
        ],
      ],
    );
    const text = convertText('spamhaus-drop', '; list\n\n  \n  192.0.2.0/24  \n198.51.100.0/24;\n', stamp());
    assert.deepEqual(
      text.objects.map((o) => [o.name, o.description, o.external_references]),
      [
        ['192.0.2.0/24', 'Spamhaus DROP', undefined],
        ['198.51.100.0/24', 'Spamhaus DROP', undefined],
      ],
    );
    assert.deepEqual([text.read, text.rejected, text.complete], [2, [], true]);
    const json = convertText(
      'spamhaus-drop',
      [
        '',
        ' \t',
        '  ; comment',
        '  {"cidr":"192.0.2.0/24","rir":"arin"}',
        '{"cidr":"198.51.100.0/24","sblid":7,"rir":7}',
        '{"sblid":"SBL9"}',
        '5',
        'null',
        '[1]',
        '"x"',
        '{"cidr":',
        '{"type":"metadata","records":8}',
      ].join('\n'),
      stamp(),
    );
    assert.deepEqual(
      json.objects.map((o) => [o.name, o.description, o.external_references]),
      [
        ['192.0.2.0/24', 'Spamhaus DROP (arin)', undefined],
        ['198.51.100.0/24', 'Spamhaus DROP', undefined],
      ],
    );
    assert.deepEqual(rejections(json), [
      [6, 'the record has no "cidr"'],
      [7, 'the line is not a JSON object'],
      [8, 'the line is not a JSON object'],
      [9, 'the line is not a JSON object'],
      [10, 'the line is not a JSON object'],
      [11, 'the line is not a JSON object (the file may be cut short)'],
    ]);
    assert.deepEqual([json.read, json.complete, json.incompleteReason], [8, true, undefined]);
    // Nothing but comments and blanks: an empty list, read as the legacy text.
    const none = convertText('spamhaus-drop', '; DROP\n\n ; nothing listed today\n', stamp());
    assert.deepEqual(
      [none.read, none.objects, none.rejected, none.complete, none.incompleteReason],
      [0, [], [], true, undefined],
    );
    const unannounced = convertText(
      'spamhaus-drop',
      '{"cidr":"192.0.2.0/24"}\n{"type":"metadata"}\n',
      stamp(),
    );
    assert.deepEqual([unannounced.complete, unannounced.incompleteReason], [true, undefined]);
  });

  it('ioc-list: blank and comment-only lines are not entries, with LF or CRLF', () => {
    const c = convertText('ioc-list', '# head\r\n  \r\n192.0.2.1 # note\r\nx.example\r\n\t\n', stamp());
    assert.deepEqual(patterns(c), ["[ipv4-addr:value = '192.0.2.1']", "[domain-name:value = 'x.example']"]);
    assert.deepEqual([c.read, c.rejected, c.skipped, c.complete], [2, [], 0, true]);
    assert.deepEqual(
      c.objects.map((o) => o.description),
      ['Listed by feed test-feed', 'Listed by feed test-feed'],
    );
  });

  it('csv: the mapped columns must be in the header; rows refused once, for their first problem', () => {
    assert.throws(
      () => convertText('csv', 'value,kind\n192.0.2.1,ip\n', stamp(), { csv: PARTNER_CSV_MAPPING }),
      {
        message: 'no header line naming the columns indicator, kind, first_seen, tags, score was found',
      },
    );
    const c = convertText(
      'csv',
      [
        'v,seen,conf,tags',
        'a.example,,,x,y',
        ',2025-01-01,10,',
        'b.example,soon,high,',
        'c.example,2025-01-01,high,',
        'd.example,,,',
        'e.example,,,one, two',
      ].join('\n'),
      stamp(),
      { csv: { value: 'V', firstSeen: 'Seen', confidence: 'Conf', tags: 'Tags' } },
    );
    assert.deepEqual(
      c.objects.map((o) => [o.name, o.labels, o.description]),
      [['d.example', undefined, 'Listed by feed test-feed']],
    );
    assert.deepEqual(rejections(c), [
      [2, 'expected 4 columns (v, seen, conf, tags), found 5'],
      [3, 'the v field is empty'],
      [4, 'Seen "soon" is not a date and time'],
      [5, 'Conf "high" is not a number from 0 to 100'],
      [7, 'expected 4 columns (v, seen, conf, tags), found 5'],
    ]);
    assert.deepEqual([c.read, c.skipped, c.complete], [6, 0, true]);
    const tags = convertText('csv', 'v,t\nf.example,"a, b ,"\n', stamp(), {
      csv: { value: 'v', tags: 't', type: 'domain' },
    });
    assert.deepEqual(
      tags.objects.map((o) => o.labels),
      [['a', 'b']],
    );
  });
});
