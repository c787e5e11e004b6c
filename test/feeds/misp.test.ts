/**
 * MISP feeds (feeds/formats/misp.ts), beyond the fixtures: the manifest's entries, every attribute
 * type's pattern, to_ids and deletion flags, tags and TLP, the report of an event, and the exact
 * reason for everything refused.
 */
import assert from 'node:assert/strict';
import {
  convertMispEvent,
  MispFormatError,
  parseManifest,
  stableUuid,
  type FeedStamp,
  type StixObject,
} from '../../feeds/formats';
import { testStamp, TLP_MARKING_IDS } from '../helpers/feeds';
import { mispPattern } from '../../feeds/formats/misp';
import { validateStixObject } from '../../server/stix/validate';

const EV = '5f3c1a2e-7b4d-4e8a-9c21-0a1b2c3d4e5f';
const TS = '1740700000'; // 2025-02-27T23:46:40Z
const TS_ISO = '2025-02-27T23:46:40.000Z';

const CLEAR = TLP_MARKING_IDS.clear;
const GREEN = TLP_MARKING_IDS.green;
const AMBER = TLP_MARKING_IDS.amber;
const AMBER_STRICT = TLP_MARKING_IDS['amber+strict'];
const RED = TLP_MARKING_IDS.red;

const stamp = (overrides: Partial<FeedStamp> = {}): FeedStamp =>
  testStamp('misp', 'MISP source', 'green', overrides);

const uuid = (n: number): string => `0b1e6f5c-1d2a-4c3b-8e4d-${n.toString().padStart(12, '0')}`;

function attr(n: number, type: string, value: string, extra: Record<string, unknown> = {}) {
  return { uuid: uuid(n), type, value, to_ids: true, timestamp: TS, ...extra };
}

function event(fields: Record<string, unknown>): string {
  return JSON.stringify({ Event: { uuid: EV, timestamp: TS, info: 'Test event', ...fields } });
}

/** The format error of a text, or 'ok'. */
function formatError(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof MispFormatError, String(e));
    return e.message;
  }
}

describe('MISP feed conversion', () => {
  it('manifest: events oldest change first (then by uuid), bad entries rejected with the reason', () => {
    const m = parseManifest(
      JSON.stringify({
        [uuid(3)]: { timestamp: 300, info: 'third' },
        [uuid(2).toUpperCase()]: { timestamp: '200', info: 'second' },
        [uuid(1)]: { timestamp: 200, info: 7 },
        [uuid(4)]: { timestamp: 100 },
        'not-a-uuid': { timestamp: 1 },
        [`x${uuid(5)}`]: { timestamp: 1 },
        [`${uuid(6)}x`]: { timestamp: 1 },
        '0b1e6f5c-1d2a-0c3b-8e4d-000000000007': { timestamp: 1 },
        '0b1e6f5c-1d2a-4c3b-7e4d-000000000008': { timestamp: 1 },
        [uuid(9)]: { timestamp: 0 },
        [uuid(10)]: { timestamp: -5 },
        [uuid(11)]: { timestamp: 1.5 },
        [uuid(12)]: null,
        [uuid(13)]: 'x',
        [uuid(14)]: { timestamp: 'soon' },
      }),
    );
    assert.deepEqual(m.events, [
      { uuid: uuid(4), timestamp: 100, info: '' },
      { uuid: uuid(1), timestamp: 200, info: '' },
      { uuid: uuid(2), timestamp: 200, info: 'second' },
      { uuid: uuid(3), timestamp: 300, info: 'third' },
    ]);
    const notUuid = 'the key is not an event UUID';
    const noTs = 'the event has no Unix timestamp';
    assert.deepEqual(
      m.rejected.map((r) => [r.where, r.reason]),
      [
        ['manifest entry not-a-uuid', notUuid],
        [`manifest entry x${uuid(5)}`, notUuid],
        [`manifest entry ${uuid(6)}x`, notUuid],
        ['manifest entry 0b1e6f5c-1d2a-0c3b-8e4d-000000000007', notUuid],
        ['manifest entry 0b1e6f5c-1d2a-4c3b-7e4d-000000000008', notUuid],
        [`manifest entry ${uuid(9)}`, noTs],
        [`manifest entry ${uuid(10)}`, noTs],
        [`manifest entry ${uuid(11)}`, noTs],
        [`manifest entry ${uuid(12)}`, noTs],
        [`manifest entry ${uuid(13)}`, noTs],
        [`manifest entry ${uuid(14)}`, noTs],
      ],
    );
    assert.deepEqual(parseManifest('{}'), { events: [], rejected: [] });
    const notObject = 'manifest.json is not an object mapping event UUIDs to event metadata';
    assert.deepEqual(
      ['{"a": ', '[]', 'null', '"x"', '5'].map((t) => formatError(() => parseManifest(t))),
      ['manifest.json is not JSON (it may be cut short)', notObject, notObject, notObject, notObject],
    );
  });

  it('attribute types: the pattern and name of each, the reason for each refusal', () => {
    const md5 = 'D41D8CD98F00B204E9800998ECF8427E';
    const ok: [string, string, string, string][] = [
      ['ip-src', ' 192.0.2.1 ', "[ipv4-addr:value = '192.0.2.1']", '192.0.2.1'],
      ['ip-dst', '2001:DB8::1', "[ipv6-addr:value = '2001:db8::1']", '2001:db8::1'],
      [
        'ip-src|port',
        '192.0.2.1|8080',
        "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 8080]",
        '192.0.2.1:8080',
      ],
      [
        'ip-dst|port',
        '2001:db8::1|443',
        "[network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = '2001:db8::1' AND network-traffic:dst_port = 443]",
        '[2001:db8::1]:443',
      ],
      ['domain', 'Evil.Example', "[domain-name:value = 'evil.example']", 'evil.example'],
      ['hostname', 'www.evil.example', "[domain-name:value = 'www.evil.example']", 'www.evil.example'],
      ['url', 'http://x.example/a', "[url:value = 'http://x.example/a']", 'http://x.example/a'],
      ['link', 'https://x.example/r', "[url:value = 'https://x.example/r']", 'https://x.example/r'],
      ['md5', md5, `[file:hashes.MD5 = '${md5.toLowerCase()}']`, md5.toLowerCase()],
      ['sha1', 'a'.repeat(40), `[file:hashes.'SHA-1' = '${'a'.repeat(40)}']`, 'a'.repeat(40)],
      ['sha256', 'b'.repeat(64), `[file:hashes.'SHA-256' = '${'b'.repeat(64)}']`, 'b'.repeat(64)],
      ['sha512', 'c'.repeat(128), `[file:hashes.'SHA-512' = '${'c'.repeat(128)}']`, 'c'.repeat(128)],
      ['email', 'a@x.example', "[email-addr:value = 'a@x.example']", 'a@x.example'],
      ['email-src', 'b@x.example', "[email-addr:value = 'b@x.example']", 'b@x.example'],
      ['email-dst', 'c@x.example', "[email-addr:value = 'c@x.example']", 'c@x.example'],
      [
        'filename|md5',
        ` invoice.exe |${md5}`,
        `[file:name = 'invoice.exe' AND file:hashes.MD5 = '${md5.toLowerCase()}']`,
        `invoice.exe|${md5.toLowerCase()}`,
      ],
      [
        'filename|sha1',
        `a.dll|${'a'.repeat(40)}`,
        `[file:name = 'a.dll' AND file:hashes.'SHA-1' = '${'a'.repeat(40)}']`,
        `a.dll|${'a'.repeat(40)}`,
      ],
      [
        'filename|sha256',
        `b.js|${'b'.repeat(64)}`,
        `[file:name = 'b.js' AND file:hashes.'SHA-256' = '${'b'.repeat(64)}']`,
        `b.js|${'b'.repeat(64)}`,
      ],
      [
        'filename|sha512',
        `c'd.bin|${'c'.repeat(128)}`,
        `[file:name = 'c\\'d.bin' AND file:hashes.'SHA-512' = '${'c'.repeat(128)}']`,
        `c'd.bin|${'c'.repeat(128)}`,
      ],
      [
        'domain|ip',
        'Evil.Example|2001:DB8::7',
        "[domain-name:value = 'evil.example' AND domain-name:resolves_to_refs[*].value = '2001:db8::7']",
        'evil.example|2001:db8::7',
      ],
      ['filename', "a'b.exe", "[file:name = 'a\\'b.exe']", "a'b.exe"],
      ['mutex', 'Global\\x', "[mutex:name = 'Global\\\\x']", 'Global\\x'],
      [
        'regkey',
        'HKLM\\Software\\Run',
        "[windows-registry-key:key = 'HKLM\\\\Software\\\\Run']",
        'HKLM\\Software\\Run',
      ],
      ['AS', 'AS64500', '[autonomous-system:number = 64500]', 'AS64500'],
      ['AS', 'as064500', '[autonomous-system:number = 64500]', 'AS64500'],
      ['AS', '4294967295', '[autonomous-system:number = 4294967295]', 'AS4294967295'],
    ];
    for (const [type, value, pattern, name] of ok)
      assert.deepEqual(mispPattern(type, value), { pattern, name }, `${type} ${value}`);

    const refused: [string, string, string][] = [
      ['ip-src|port', '192.0.2.1', 'a ip-src|port value must be two parts joined by |'],
      ['ip-dst|port', '|80', '":80" is not an address:port pair'],
      ['filename|md5', 'x.exe', 'a filename|md5 value must be two parts joined by |'],
      ['filename|sha256', ` |${'b'.repeat(64)}`, 'the file name is empty'],
      ['filename|sha1', 'x.exe|abc', '"abc" is not a SHA-1 hash (40 hex digits)'],
      ['domain|ip', 'evil.example', 'a domain|ip value must be two parts joined by |'],
      ['domain|ip', 'evil.example|999.0.0.1', '"999.0.0.1" is not an IP address or CIDR'],
      ['filename', '  ', 'the file name is empty'],
      ['mutex', '', 'the mutex name is empty'],
      ['regkey', ' ', 'the registry key is empty'],
      ['AS', 'AS4294967296', '"AS4294967296" is not an AS number'],
      ['AS', 'ASN64500', '"ASN64500" is not an AS number'],
      ['AS', '12345678901', '"12345678901" is not an AS number'],
      ['yara', 'rule x {}', 'MISP attribute type "yara" has no STIX pattern in Tessera'],
      ['', 'x', 'MISP attribute type "" has no STIX pattern in Tessera'],
    ];
    for (const [type, value, reason] of refused)
      assert.throws(() => mispPattern(type, value), { message: reason }, `${type} ${value}`);
  });

  it('refuses a file that is not one MISP event, saying why', () => {
    const noEvent = 'the event file has no "Event" object';
    assert.deepEqual(
      [
        '{"Event": {',
        'null',
        '{}',
        '{"Event": 5}',
        '{"Event": null}',
        '{"Event": {"uuid": "x", "timestamp": "1740700000"}}',
        '{"Event": {"uuid": 5, "timestamp": "1740700000"}}',
        `{"Event": {"uuid": ["${EV}"], "timestamp": "1740700000"}}`,
        `{"Event": {"uuid": "${EV}"}}`,
        `{"Event": {"uuid": "${EV}", "timestamp": "soon"}}`,
      ].map((t) => formatError(() => convertMispEvent(t, stamp()))),
      [
        'the event file is not JSON (it may be cut short)',
        noEvent,
        noEvent,
        noEvent,
        noEvent,
        'the event has no valid uuid',
        'the event has no valid uuid',
        'the event has no valid uuid',
        `event ${EV} has no Unix timestamp`,
        `event ${EV} has no Unix timestamp`,
      ],
    );
  });

  it('an event: to_ids and deleted decide, objects flattened, everything else counted or rejected', () => {
    const c = convertMispEvent(
      event({
        Attribute: [
          attr(1, 'ip-dst', '192.0.2.1', { to_ids: 1 }),
          attr(2, 'ip-dst', '192.0.2.2', { to_ids: '1' }),
          attr(3, 'ip-dst', '192.0.2.3', { to_ids: 'true' }),
          attr(4, 'ip-dst', '192.0.2.4', { to_ids: false }),
          attr(5, 'ip-dst', '192.0.2.5', { to_ids: 0 }),
          attr(6, 'ip-dst', '192.0.2.6', { to_ids: '0' }),
          attr(7, 'ip-dst', '192.0.2.7', { to_ids: 'yes' }),
          attr(8, 'ip-dst', '192.0.2.8', { to_ids: undefined }),
          attr(9, 'ip-dst', '192.0.2.9', { deleted: true }),
          attr(10, 'ip-dst', '192.0.2.10', { deleted: false }),
          null,
          'x',
          attr(11, 'sigma', 'x'),
          { to_ids: true, type: 'domain', value: 'bad domain' },
          attr(12, 5 as unknown as string, 'x'),
          attr(13, 'domain', 5 as unknown as string),
        ],
        Object: [
          null,
          7,
          {
            name: 'file',
            Attribute: [
              attr(20, 'md5', 'd41d8cd98f00b204e9800998ecf8427e'),
              null,
              attr(21, 'filename', 'a.exe', { to_ids: false }),
            ],
          },
          { Attribute: [attr(22, 'domain', 'unnamed.example')] },
          { name: 'gone', deleted: true, Attribute: [attr(23, 'domain', 'gone.example')] },
          { name: 'no attributes', Attribute: 'x' },
        ],
      }),
      stamp(),
    );
    assert.deepEqual(
      c.objects.map((o) => [o.id, o.name ?? o.type]),
      [
        [`indicator--${uuid(1)}`, '192.0.2.1'],
        [`indicator--${uuid(2)}`, '192.0.2.2'],
        [`indicator--${uuid(3)}`, '192.0.2.3'],
        [`indicator--${uuid(10)}`, '192.0.2.10'],
        [`indicator--${uuid(20)}`, 'd41d8cd98f00b204e9800998ecf8427e'],
        [`indicator--${uuid(22)}`, 'unnamed.example'],
        [`report--${EV}`, 'Test event'],
      ],
    );
    assert.equal(c.read, 17, '14 attributes of the event (2 entries are not objects), 3 in live objects');
    assert.equal(c.skipped, 7, 'to_ids not set (5 + the filename) or deleted (1)');
    assert.deepEqual(
      c.rejected.map((r) => [r.where, r.reason]),
      [
        [`event ${EV}, attribute ${uuid(11)}`, 'MISP attribute type "sigma" has no STIX pattern in Tessera'],
        [`event ${EV}, attribute (no uuid)`, '"bad domain" is not a domain name'],
        [`event ${EV}, attribute ${uuid(12)}`, 'MISP attribute type "" has no STIX pattern in Tessera'],
        [`event ${EV}, attribute ${uuid(13)}`, '"" is not a domain name'],
      ],
    );
    assert.deepEqual(
      c.objects.filter((o) => o.type === 'indicator').map((o) => o.description),
      [
        'MISP event "Test event"',
        'MISP event "Test event"',
        'MISP event "Test event"',
        'MISP event "Test event"',
        'MISP event "Test event" — object file',
        'MISP event "Test event" — object object',
      ],
    );
    assert.equal(c.complete, true);
  });

  it('an indicator and its report, property by property', () => {
    const s = stamp({ labels: ['misp', 'feed-label'], confidence: 70 });
    const c = convertMispEvent(
      event({
        info: 'Phishing wave',
        date: '2025-02-20',
        publish_timestamp: '1740700100',
        Orgc: { name: 'Partner CERT' },
        Tag: [
          { name: 'tlp:amber' },
          { name: ' campaign:x ' },
          { name: 'misp' },
          { name: '' },
          { name: '   ' },
          { name: 5 },
          'tag',
          null,
        ],
        Attribute: [
          attr(1, 'domain', 'login.example', {
            category: 'Network activity',
            comment: '  landing page  ',
            timestamp: '1740600000',
            // MISP's form: microseconds and an offset, honoured (10:00 at +02:00 is 08:00 UTC).
            first_seen: '2025-02-10T10:00:00.250000+0200',
            Tag: [{ name: 'phishing' }, { name: 'campaign:x' }],
          }),
          attr(2, 'ip-dst', '192.0.2.1', {
            category: 7,
            comment: 7,
            timestamp: 'soon',
            first_seen: '2099-01-01T00:00:00',
            Tag: 'x',
          }),
        ],
      }),
      s,
    );
    for (const o of c.objects) {
      const v = validateStixObject(o, { strict: true });
      assert.ok(v.ok, `${o.id}: ${JSON.stringify(v.errors)}`);
    }
    assert.deepEqual(c.objects[0], {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${uuid(1)}`,
      created_by_ref: s.identityId,
      created: '2025-02-26T20:00:00.000Z',
      modified: '2025-02-26T20:00:00.000Z',
      name: 'login.example',
      indicator_types: ['malicious-activity'],
      pattern: "[domain-name:value = 'login.example']",
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: '2025-02-10T08:00:00.250Z',
      description: 'MISP event "Phishing wave" — Network activity — landing page',
      labels: ['misp', 'feed-label', 'campaign:x', 'phishing'],
      confidence: 70,
      object_marking_refs: [AMBER],
    });
    // No category, comment or tags of its own; an unreadable time is the event's; a first_seen
    // later than that time is not used.
    const second = c.objects[1] as StixObject;
    assert.deepEqual(
      [second.created, second.valid_from, second.description, second.labels],
      [TS_ISO, TS_ISO, 'MISP event "Phishing wave"', ['misp', 'feed-label', 'campaign:x']],
    );
    assert.deepEqual(c.objects[2], {
      type: 'report',
      spec_version: '2.1',
      id: `report--${EV}`,
      created_by_ref: s.identityId,
      created: '2025-02-20T00:00:00.000Z',
      modified: TS_ISO,
      name: 'Phishing wave',
      description: 'MISP event published by Partner CERT',
      report_types: ['threat-report'],
      published: '2025-02-27T23:48:20.000Z',
      object_refs: [`indicator--${uuid(1)}`, `indicator--${uuid(2)}`],
      object_marking_refs: [AMBER],
      labels: ['misp', 'feed-label', 'campaign:x'],
      confidence: 70,
    });
  });

  it('the report: fallbacks for its name, description, dates; no labels or confidence unless given', () => {
    const only = (fields: Record<string, unknown>, s = stamp()) => {
      const c = convertMispEvent(event({ Attribute: [attr(1, 'domain', 'a.example')], ...fields }), s);
      const report = c.objects.find((o) => o.type === 'report');
      assert.ok(report);
      return report;
    };
    const plain = only({ info: 5, date: '2025-03-05', Orgc: 'CIRCL' });
    assert.deepEqual(
      [
        plain.name,
        plain.description,
        plain.created,
        plain.published,
        'labels' in plain,
        'confidence' in plain,
      ],
      [`MISP event ${EV}`, 'MISP event', TS_ISO, TS_ISO, false, false],
      'info not text, date after the last change, Orgc not an object, nothing published',
    );
    assert.deepEqual(
      [
        only({ date: 20250220 }).created,
        only({ Orgc: null }).description,
        only({ Orgc: { name: 7 } }).description,
      ],
      [TS_ISO, 'MISP event', 'MISP event'],
    );
    assert.deepEqual(only({}, stamp({ labels: ['x', 'x'], confidence: 0 })).labels, ['x']);
    assert.equal(only({}, stamp({ confidence: 0 })).confidence, 0);
    // An event without any indicator has no report.
    const none = convertMispEvent(
      event({ Attribute: [attr(1, 'domain', 'a.example', { to_ids: false })] }),
      stamp(),
    );
    assert.deepEqual([none.objects, none.read, none.skipped], [[], 1, 1]);
    const nothing = convertMispEvent(event({ Attribute: 'x', Object: 'y' }), stamp());
    assert.deepEqual([nothing.objects, nothing.read], [[], 0]);
    // A first_seen that is not text (MISP writes an ISO string) is not read.
    const numeric = convertMispEvent(
      event({ Attribute: [attr(1, 'domain', 'a.example', { first_seen: 1700000000 })] }),
      stamp(),
    );
    assert.equal(numeric.objects[0]?.valid_from, TS_ISO);
  });

  it('TLP tags: the strictest wins, an attribute tag over the event, tlp:white is clear, the feed default otherwise', () => {
    const marking = (eventTags: string[], attrTags: string[] = [], tlp: FeedStamp['tlp'] = 'green') => {
      const c = convertMispEvent(
        event({
          Tag: eventTags.map((name) => ({ name })),
          Attribute: [attr(1, 'domain', 'a.example', { Tag: attrTags.map((name) => ({ name })) })],
        }),
        stamp({ tlp }),
      );
      return [c.objects[0]?.object_marking_refs, c.objects[0]?.labels, c.objects[1]?.object_marking_refs];
    };
    assert.deepEqual(marking([]), [[GREEN], undefined, [GREEN]]);
    assert.deepEqual(marking([], [], 'red'), [[RED], undefined, [RED]]);
    assert.deepEqual(marking(['tlp:green', 'TLP:AMBER']), [[AMBER], undefined, [AMBER]]);
    assert.deepEqual(marking(['tlp:red', 'tlp:amber+strict']), [[RED], undefined, [RED]]);
    assert.deepEqual(marking([' TLP:Amber+Strict ']), [[AMBER_STRICT], undefined, [AMBER_STRICT]]);
    assert.deepEqual(marking(['tlp:white']), [[CLEAR], undefined, [CLEAR]]);
    assert.deepEqual(marking(['tlp:clear'], ['tlp:red']), [[RED], undefined, [CLEAR]]);
    assert.deepEqual(marking(['tlp:red'], ['tlp:green']), [[GREEN], undefined, [RED]]);
    assert.deepEqual(marking(['xtlp:red', 'tlp:redx', 'tlp:ex:chr']), [
      [GREEN],
      ['xtlp:red', 'tlp:redx', 'tlp:ex:chr'],
      [GREEN],
    ]);
  });

  it('ids: MISP uuids in lower case; an attribute without one gets an id of the feed, its event and its pattern', () => {
    const c = convertMispEvent(
      event({
        Attribute: [
          { ...attr(1, 'domain', 'a.example'), uuid: uuid(1).toUpperCase() },
          { ...attr(2, 'domain', 'b.example'), uuid: 'legacy-17' },
          { ...attr(3, 'domain', 'c.example'), uuid: undefined },
          // Only a string is a uuid (an array holding one is not).
          { ...attr(4, 'domain', 'd.example'), uuid: [uuid(4)] },
        ],
      }),
      stamp(),
    );
    assert.deepEqual(
      c.objects.map((o) => o.id),
      [
        `indicator--${uuid(1)}`,
        `indicator--${stableUuid(`misp\n${EV}\n[domain-name:value = 'b.example']`)}`,
        `indicator--${stableUuid(`misp\n${EV}\n[domain-name:value = 'c.example']`)}`,
        `indicator--${stableUuid(`misp\n${EV}\n[domain-name:value = 'd.example']`)}`,
        `report--${EV}`,
      ],
    );
    assert.deepEqual(c.rejected, []);
  });
});
