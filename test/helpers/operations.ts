/**
 * Every operation of every concern store, each with the name it gives itself in the error of a
 * driver failure (the "what" of each backend's guard/translate): the table of the "a driver failure
 * names the store operation" tests of both backends (test/sqlite/labels.test.ts,
 * test/mongodb/failures.test.ts). The arguments name things that need not exist: each call is
 * expected to fail in the driver before it gets that far.
 */
import type { ObjectScope, Stores } from '../../server/store/contract';
import { emptyStatus } from './store';

export type StoreOperation = [label: string, op: (s: Stores) => Promise<unknown>];

const scope: ObjectScope = { ranks: [], unmarked: true, publisher: null };

export const STORE_OPERATIONS: StoreOperation[] = [
  // registry
  ['API root r1', (s) => s.registry.createApiRoot({ name: 'r1', title: 't' })],
  ['get API root', (s) => s.registry.getApiRoot('r1')],
  ['list API roots', (s) => s.registry.listApiRoots()],
  ['remove API root r1', (s) => s.registry.removeApiRoot('r1')],
  [
    'collection c1',
    (s) => s.registry.createCollection({ id: 'c1', apiRoot: 'r1', title: 't', mediaTypes: [], grants: [] }),
  ],
  ['grants of c1', (s) => s.registry.setGrants({ collectionId: 'c1', grants: [] })],
  [
    'grant of c1',
    (s) => s.registry.putGrant({ collectionId: 'c1', grant: { group: 'g', read: true, write: false } }),
  ],
  ['grant of c2', (s) => s.registry.removeGrant({ collectionId: 'c2', group: 'g' })],
  ['default TLP of c1', (s) => s.registry.setDefaultTlp({ collectionId: 'c1', defaultTlp: 'green' })],
  ['find collection', (s) => s.registry.findCollection({ apiRoot: 'r1', idOrAlias: 'c1' })],
  ['remove collection c1', (s) => s.registry.removeCollection({ collectionId: 'c1' })],
  ['list collections', (s) => s.registry.listCollections({ apiRoot: 'r1', visibleTo: 'all' })],
  // principals
  ['member m1', (s) => s.principals.createMember({ name: 'm1', secretHash: 'h' })],
  ['member m2', (s) => s.principals.setMemberSecret({ name: 'm2', secretHash: 'h' })],
  ['get member', (s) => s.principals.getMember('m1')],
  ['list members', (s) => s.principals.listMembers()],
  ['group g1', (s) => s.principals.createGroup('g1')],
  ['list groups', (s) => s.principals.listGroups()],
  ['join m1 to g1', (s) => s.principals.joinGroup({ member: 'm1', group: 'g1' })],
  ['remove m1 from g1', (s) => s.principals.leaveGroup({ member: 'm1', group: 'g1' })],
  ['member m3', (s) => s.principals.setMemberDisabled({ name: 'm3', disabled: true })],
  ['remove member m1', (s) => s.principals.removeMember('m1')],
  ['remove group g1', (s) => s.principals.removeGroup('g1')],
  [
    'API key k1',
    (s) => s.principals.createApiKey({ id: 'k1', member: 'm1', name: null, hash: 'h', expiresAt: null }),
  ],
  ['get API key', (s) => s.principals.getApiKey('k1')],
  ['list API keys', (s) => s.principals.listApiKeys({})],
  ['list API keys', (s) => s.principals.listApiKeys({ member: 'm1' })],
  ['revoke API key k1', (s) => s.principals.revokeApiKey({ id: 'k1', at: 1 })],
  ['certificate f1', (s) => s.principals.bindCertificate({ fingerprint: 'f1', member: 'm1', subject: null })],
  ['unbind certificate f1', (s) => s.principals.unbindCertificate('f1')],
  ['get certificate', (s) => s.principals.getCertificate('f1')],
  ['list certificates', (s) => s.principals.listCertificates({})],
  ['list certificates', (s) => s.principals.listCertificates({ member: 'm1' })],
  // objects
  [
    'add objects',
    (s) =>
      s.objects.addObjects({
        collectionId: 'c1',
        addedBy: 'm1',
        objects: [
          {
            id: 'x--1',
            type: 'x',
            specVersion: '2.1',
            version: null,
            versionKey: null,
            body: '{}',
            tlp: null,
          },
        ],
      }),
  ],
  [
    'query objects',
    (s) =>
      s.objects.queryObjects({
        collectionId: 'c1',
        filter: {},
        limit: 10,
        withBody: true,
        visibleTo: 'all',
      }),
  ],
  ['object exists', (s) => s.objects.objectExists({ collectionId: 'c1', id: 'x--1', visibleTo: scope })],
  ['delete object', (s) => s.objects.deleteObject({ collectionId: 'c1', id: 'x--1', visibleTo: 'all' })],
  ['purge collection c1', (s) => s.objects.purgeCollection({ collectionId: 'c1', limit: 10 })],
  ['count objects', (s) => s.objects.countObjects('c1')],
  // statuses
  [
    'put status',
    (s) =>
      s.statuses.putStatus(
        emptyStatus({
          id: 's1',
          apiRoot: 'r1',
          collectionId: 'c1',
          member: 'm1',
          requestTimestamp: 1,
          expiresAt: 2,
        }),
      ),
  ],
  ['get status', (s) => s.statuses.getStatus({ id: 's1', apiRoot: 'r1' })],
  ['purge statuses', (s) => s.statuses.purgeStatuses({ before: 3 })],
  ['purge the statuses of a collection', (s) => s.statuses.purgeCollectionStatuses({ collectionId: 'c1' })],
  // state
  ['shared secret', (s) => s.state.sharedSecret('cursor')],
  ['get state', (s) => s.state.getState('k')],
  ['put state', (s) => s.state.putState({ key: 'k', value: 'v', expectedVersion: 0 })],
  ['put state', (s) => s.state.putState({ key: 'k', value: 'v', expectedVersion: 1 })],
  // audit
  [
    'append audit records',
    (s) =>
      s.audit.appendAudit([
        {
          at: 1,
          kind: 'read',
          member: null,
          address: null,
          endpoint: '/',
          apiRoot: null,
          collection: null,
          count: null,
          status: 200,
          detail: null,
        },
      ]),
  ],
  ['query audit records', (s) => s.audit.queryAudit({ limit: 10 })],
  ['purge audit records', (s) => s.audit.purgeAudit({ before: 1 })],
];
