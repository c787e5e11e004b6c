/**
 * A real hub for HTTP tests: createApp over a fresh test store (backend from TESSERA_STORE),
 * listening on an ephemeral loopback port. Fixtures (members, groups, collections) are created
 * through the store contract, as the admin CLI does.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../server/app';
import { hashSecret } from '../../server/access/secrets';
import { AuditTrail } from '../../server/audit/trail';
import { loadConfig, type Config } from '../../server/config';
import { createServer, listen, loadTls } from '../../server/listen';
import { createLogger, type Logger } from '../../server/logger';
import type { ObjectValidator, PrepareFn } from '../../server/ingest';
import type { CollectionRecord, CreateCollectionArgs, GrantInput, Stores } from '../../server/store/contract';
import { stixValidator } from '../../server/stix/plug';
import type { Metrics } from '../../server/telemetry/metrics';
import { openStore } from '../../server/store';
import { openTestStore, type TestStores } from './store';

export const TAXII = 'application/taxii+json;version=2.1';

/** An HTTP Basic Authorization header value. */
export function basic(name: string, password: string): string {
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}

export interface TestHub {
  url: string;
  stores: Stores;
  storeUrl: string;
  config: Config;
  server: Server;
  /** The hub's audit trail: `await hub.audit.flush()` before reading records from the store. */
  audit: AuditTrail;
  /** Creates a member with this password, in these trust groups (created when missing). */
  addMember(name: string, password: string, groups?: string[]): Promise<void>;
  addCollection(args: {
    apiRoot?: string;
    title?: string;
    id?: string;
    alias?: string;
    grants: GrantInput[];
  }): Promise<CollectionRecord>;
  /** Basic Authorization header value. */
  basic(name: string, password: string): string;
  close(): Promise<void>;
}

export interface HubOptions {
  env?: Record<string, string>;
  /** Override the STIX validator (default: the production one). */
  validate?: ObjectValidator | null;
  /** How POSTed envelopes are prepared (default: inline, as createApp does). */
  prepare?: PrepareFn;
  /** The hub's logger (default: silent). */
  logger?: Logger;
  /** Prometheus metrics handed to createApp (default: none). */
  metrics?: Metrics;
  /**
   * Serve an existing store (another hub's `storeUrl`: a second instance of the same hub) instead
   * of a fresh one; close() then leaves its data alone.
   */
  storeUrl?: string;
}

/** Another instance on an existing store: cleanup() only closes it. */
async function sharedStore(url: string): Promise<TestStores> {
  const stores = await openStore(url);
  return Object.assign(stores, { url, cleanup: () => stores.close() });
}

export async function startHub(opts: HubOptions = {}): Promise<TestHub> {
  const ts = opts.storeUrl === undefined ? await openTestStore() : await sharedStore(opts.storeUrl);
  const config = loadConfig({ TESSERA_STORE: ts.url, TESSERA_LOG_LEVEL: 'silent', ...opts.env });
  const logger = opts.logger ?? createLogger('silent');
  const { registry, principals } = ts;
  if (!(await registry.getApiRoot(config.defaultApiRoot))) {
    await registry.createApiRoot({ name: config.defaultApiRoot, title: 'Test API root' });
  }
  const validate =
    opts.validate === undefined ? stixValidator(config.strictValidation) : (opts.validate ?? undefined);
  const audit = new AuditTrail(ts.audit, logger);
  const app = await createApp({
    config,
    stores: ts,
    logger,
    audit,
    ...(validate ? { validate } : {}),
    ...(opts.prepare ? { prepare: opts.prepare } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  const tls = loadTls(config);
  const server: Server = createServer(app, tls, config, logger);
  await listen(server, 0, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  const groupsMade = new Set<string>();
  const ensureGroup = async (g: string) => {
    if (groupsMade.has(g)) return;
    if (!(await principals.listGroups()).some((x) => x.name === g)) await principals.createGroup(g);
    groupsMade.add(g);
  };
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    stores: ts,
    storeUrl: ts.url,
    config,
    server,
    audit,
    async addMember(name, password, groups = []) {
      await principals.createMember({ name, secretHash: await hashSecret(password) });
      for (const g of groups) {
        await ensureGroup(g);
        await principals.joinGroup({ group: g, member: name });
      }
    },
    async addCollection(args) {
      for (const g of args.grants) await ensureGroup(g.group);
      const create: CreateCollectionArgs = {
        id: args.id ?? randomUUID(),
        apiRoot: args.apiRoot ?? config.defaultApiRoot,
        title: args.title ?? 'Test collection',
        mediaTypes: ['application/stix+json;version=2.1'],
        grants: args.grants,
      };
      if (args.alias !== undefined) create.alias = args.alias;
      return registry.createCollection(create);
    },
    basic,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await audit.close();
      await ts.cleanup();
    },
  };
}
