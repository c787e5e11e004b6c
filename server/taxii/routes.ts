/**
 * The TAXII 2.1 endpoints (§4, §5). Every request runs the same chain: negotiate the media type
 * → authenticate → resolve the API root / collection → decide access (server/access/policy) →
 * parse and check the TAXII parameters → call the store → present the resource.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../access/authenticate';
import { decide, isVisible, rightsOn, scopeOf, type Action, type Principal } from '../access/policy';
import type { Config } from '../config';
import { ForbiddenError, NotAcceptableError, NotFoundError, UnsupportedMediaTypeError } from '../errors';
import { commitPrepared, type PrepareFn } from '../ingest';
import type { ApiRootRecord, CollectionRecord, ObjectFilter, Store, StoredVersion } from '../store/contract';
import { formatTaxiiTimestamp, nowMicros } from '../time';
import { CursorCodec, type Endpoint } from './cursor';
import { readBody, sendTaxii } from './http';
import { acceptsTaxii, isTaxiiContentType, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './media';
import { presentCollection, presentStatus } from './presenters';
import { parseTaxiiQuery, type QueryParam, type TaxiiQuery } from './query';

export interface TaxiiDeps {
  store: Store;
  config: Config;
  cursors: CursorCodec;
  authenticator: Authenticator;
  /** Parses, checks and validates a POSTed envelope (a worker pool in production). */
  prepare: PrepareFn;
  logger: Logger;
}

interface Ctx {
  principal: Principal;
}

const LIST_PARAMS: readonly QueryParam[] = [
  'added_after',
  'limit',
  'next',
  'match[id]',
  'match[type]',
  'match[version]',
  'match[spec_version]',
];
const OBJECT_PARAMS: readonly QueryParam[] = [
  'added_after',
  'limit',
  'next',
  'match[version]',
  'match[spec_version]',
];
const VERSIONS_PARAMS: readonly QueryParam[] = ['added_after', 'limit', 'next', 'match[spec_version]'];
const DELETE_PARAMS: readonly QueryParam[] = ['match[version]', 'match[spec_version]'];

function ctx(res: Response): Ctx {
  return res.locals as Ctx;
}

function searchOf(req: Request): string {
  const q = req.originalUrl.indexOf('?');
  return q < 0 ? '' : req.originalUrl.slice(q + 1);
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  if (typeof v !== 'string') throw new NotFoundError('not found');
  return v;
}

export function taxiiRouter(deps: TaxiiDeps): Router {
  const { store, config, cursors, authenticator } = deps;
  const router = Router({ strict: false });

  // Content negotiation, then authentication: every TAXII endpoint needs both.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (!acceptsTaxii(req.headers.accept)) {
      throw new NotAcceptableError(`this server answers only with ${TAXII_MEDIA_TYPE}`);
    }
    ctx(res).principal = await authenticator.authenticate({
      headers: req.headers,
      address: req.ip ?? req.socket.remoteAddress ?? '',
    });
    next();
  });

  /** An API root the requester may see: it exists and holds a collection visible to them. */
  async function visibleRoot(name: string, principal: Principal): Promise<ApiRootRecord> {
    const root = await store.getApiRoot(name);
    if (root) {
      const visible = await store.listCollections({ apiRoot: root.name, visibleTo: scopeOf(principal) });
      if (visible.length > 0) return root;
    }
    throw new NotFoundError(`API root ${name} not found`);
  }

  /** A collection the requester may act on; 403/404 as the spec's tables say. */
  async function authorisedCollection(
    req: Request,
    res: Response,
    action: Action,
  ): Promise<CollectionRecord> {
    const principal = ctx(res).principal;
    const root = param(req, 'root');
    const idOrAlias = param(req, 'collection');
    const collection = await store.findCollection({ apiRoot: root, idOrAlias });
    if (!collection) throw new NotFoundError(`collection ${idOrAlias} not found`);
    const verdict = decide(rightsOn(principal, collection), action);
    if (verdict === 404) throw new NotFoundError(`collection ${idOrAlias} not found`);
    if (verdict === 403) {
      throw new ForbiddenError(
        action === 'delete'
          ? 'deleting objects needs both read and write access to the collection'
          : `you have no ${action} access to this collection`,
      );
    }
    return collection;
  }

  function rootUrl(name: string): string {
    return `${config.publicUrl ?? ''}/${name}/`;
  }

  // ------------------------------------------------------------------ discovery and API roots

  router.get('/taxii2/', async (_req, res) => {
    const principal = ctx(res).principal;
    const roots = await store.listApiRoots();
    const visible: string[] = [];
    for (const r of roots) {
      const cols = await store.listCollections({ apiRoot: r.name, visibleTo: scopeOf(principal) });
      if (cols.length > 0) visible.push(r.name);
    }
    const body: Record<string, unknown> = { title: config.title };
    if (config.description) body.description = config.description;
    if (config.contact) body.contact = config.contact;
    if (visible.includes(config.defaultApiRoot)) body.default = rootUrl(config.defaultApiRoot);
    if (visible.length > 0) body.api_roots = visible.map(rootUrl);
    sendTaxii(res, 200, body);
  });

  router.get('/:root/', async (req, res) => {
    const root = await visibleRoot(param(req, 'root'), ctx(res).principal);
    const body: Record<string, unknown> = { title: root.title };
    if (root.description) body.description = root.description;
    body.versions = [TAXII_MEDIA_TYPE];
    body.max_content_length = config.maxContentLength;
    sendTaxii(res, 200, body);
  });

  router.get('/:root/status/:status/', async (req, res) => {
    const principal = ctx(res).principal;
    const root = await visibleRoot(param(req, 'root'), principal);
    const status = await store.getStatus({ apiRoot: root.name, id: param(req, 'status') });
    // A status is its submitter's: to anyone else it does not exist.
    if (!status || status.member !== principal.member) throw new NotFoundError('status not found');
    sendTaxii(res, 200, presentStatus(status));
  });

  // ------------------------------------------------------------------ collections

  router.get('/:root/collections/', async (req, res) => {
    const principal = ctx(res).principal;
    const root = await store.getApiRoot(param(req, 'root'));
    if (!root) throw new NotFoundError(`API root ${param(req, 'root')} not found`);
    const cols = await store.listCollections({ apiRoot: root.name, visibleTo: scopeOf(principal) });
    const presented = cols
      .map((c) => ({ c, rights: rightsOn(principal, c) }))
      .filter(({ rights }) => isVisible(rights))
      .map(({ c, rights }) => presentCollection(c, rights));
    if (presented.length === 0) {
      // A root with nothing visible is hidden like the root itself.
      throw new NotFoundError(`API root ${root.name} not found`);
    }
    sendTaxii(res, 200, { collections: presented });
  });

  router.get('/:root/collections/:collection/', async (req, res) => {
    const principal = ctx(res).principal;
    const collection = await store.findCollection({
      apiRoot: param(req, 'root'),
      idOrAlias: param(req, 'collection'),
    });
    const rights = collection ? rightsOn(principal, collection) : null;
    if (!collection || !rights || !isVisible(rights)) throw new NotFoundError('collection not found');
    sendTaxii(res, 200, presentCollection(collection, rights));
  });

  // ------------------------------------------------------------------ paged reads

  interface Plan {
    filter: ObjectFilter;
    after: number | undefined;
    limit: number;
  }

  /** Merge the request's parameters with those carried by a `next` token (request wins). */
  function plan(q: TaxiiQuery, endpoint: Endpoint, collectionId: string, objectId?: string): Plan {
    const fromQuery: ObjectFilter = {};
    if (q.ids) fromQuery.ids = q.ids;
    if (q.types) fromQuery.types = q.types;
    if (q.specVersions) fromQuery.specVersions = q.specVersions;
    if (q.versions) fromQuery.versions = q.versions;
    if (q.addedAfter !== undefined) fromQuery.addedAfter = q.addedAfter;
    let filter = fromQuery;
    let after: number | undefined;
    let limit = q.limit ?? config.pageSize;
    if (q.next !== undefined) {
      const expect: { endpoint: Endpoint; collectionId: string; objectId?: string } = {
        endpoint,
        collectionId,
      };
      if (objectId !== undefined) expect.objectId = objectId;
      const state = cursors.decode(q.next, expect);
      filter = { ...state.filter, ...fromQuery };
      after = state.position;
      limit = q.limit ?? state.limit;
    }
    if (objectId !== undefined) filter.ids = [objectId];
    if (endpoint === 'versions') filter.versions = { kind: 'all' };
    return { filter, after, limit: Math.min(limit, config.maxPageSize) };
  }

  function nextToken(
    p: Plan,
    endpoint: Endpoint,
    collectionId: string,
    last: StoredVersion,
    objectId?: string,
  ): string {
    const state = { endpoint, collectionId, position: last.dateAdded, filter: p.filter, limit: p.limit };
    return cursors.encode(objectId === undefined ? state : { ...state, objectId });
  }

  function dateHeaders(res: Response, items: StoredVersion[]): void {
    const first = items[0];
    const last = items[items.length - 1];
    if (first && last) {
      res.setHeader('X-TAXII-Date-Added-First', formatTaxiiTimestamp(first.dateAdded));
      res.setHeader('X-TAXII-Date-Added-Last', formatTaxiiTimestamp(last.dateAdded));
    }
  }

  /** Serve one page of objects, manifest records or versions. */
  async function servePage(req: Request, res: Response, endpoint: Endpoint): Promise<void> {
    const collection = await authorisedCollection(req, res, 'read');
    const objectId = endpoint === 'object' || endpoint === 'versions' ? param(req, 'object') : undefined;
    const allowed =
      endpoint === 'object' ? OBJECT_PARAMS : endpoint === 'versions' ? VERSIONS_PARAMS : LIST_PARAMS;
    const p = plan(parseTaxiiQuery(searchOf(req), allowed), endpoint, collection.id, objectId);
    const withBody = endpoint === 'objects' || endpoint === 'object';
    const page = await store.queryObjects({
      collectionId: collection.id,
      filter: p.filter,
      after: p.after,
      limit: p.limit,
      withBody,
    });
    if (objectId !== undefined && page.items.length === 0 && p.after === undefined) {
      if (!(await store.objectExists({ collectionId: collection.id, id: objectId }))) {
        throw new NotFoundError(`object ${objectId} not found`);
      }
    }
    dateHeaders(res, page.items);
    const last = page.items[page.items.length - 1];
    let head = '{';
    if (page.more && last) {
      head += `"more":true,"next":${JSON.stringify(nextToken(p, endpoint, collection.id, last, objectId))}`;
    }
    if (page.items.length === 0) {
      sendTaxii(res, 200, `${head}}`);
      return;
    }
    const sep = head === '{' ? '' : ',';
    let list: string;
    if (withBody) {
      list = `"objects":[${page.items.map((i) => i.body as string).join(',')}]`;
    } else if (endpoint === 'manifest') {
      list = `"objects":${JSON.stringify(
        page.items.map((i) => ({
          id: i.id,
          date_added: formatTaxiiTimestamp(i.dateAdded),
          version: i.version,
          media_type: STIX_MEDIA_TYPE,
        })),
      )}`;
    } else {
      list = `"versions":${JSON.stringify(page.items.map((i) => i.version))}`;
    }
    sendTaxii(res, 200, `${head}${sep}${list}}`);
  }

  router.get('/:root/collections/:collection/manifest/', (req, res) => servePage(req, res, 'manifest'));
  router.get('/:root/collections/:collection/objects/', (req, res) => servePage(req, res, 'objects'));
  router.get('/:root/collections/:collection/objects/:object/', (req, res) => servePage(req, res, 'object'));
  router.get('/:root/collections/:collection/objects/:object/versions/', (req, res) =>
    servePage(req, res, 'versions'),
  );

  // ------------------------------------------------------------------ writes

  router.post('/:root/collections/:collection/objects/', async (req, res) => {
    const principal = ctx(res).principal;
    const collection = await authorisedCollection(req, res, 'write');
    if (!isTaxiiContentType(req.headers['content-type'])) {
      throw new UnsupportedMediaTypeError(`the request body must be sent as ${TAXII_MEDIA_TYPE}`);
    }
    const raw = await readBody(req, config.maxContentLength);
    const requestTimestamp = nowMicros();
    const prepared = await deps.prepare(raw.toString('utf8'));
    const status = await commitPrepared(
      { store, statusTtlHours: config.statusTtlHours },
      { apiRoot: collection.apiRoot, collectionId: collection.id, member: principal.member },
      prepared,
      requestTimestamp,
    );
    deps.logger.info(
      {
        member: principal.member,
        collection: collection.id,
        total: status.totalCount,
        successes: status.successes.length,
        failures: status.failures.length,
      },
      'objects added',
    );
    sendTaxii(res, 202, presentStatus(status));
  });

  router.delete('/:root/collections/:collection/objects/:object/', async (req, res) => {
    const collection = await authorisedCollection(req, res, 'delete');
    const objectId = param(req, 'object');
    const q = parseTaxiiQuery(searchOf(req), DELETE_PARAMS);
    const args: Parameters<Store['deleteObject']>[0] = { collectionId: collection.id, id: objectId };
    if (q.versions) args.versions = q.versions;
    if (q.specVersions) args.specVersions = q.specVersions;
    const deleted = await store.deleteObject(args);
    if (deleted === 0) throw new NotFoundError(`object ${objectId} not found`);
    deps.logger.info(
      { member: ctx(res).principal.member, collection: collection.id, object: objectId, deleted },
      'object deleted',
    );
    res.status(200).setHeader('Content-Type', TAXII_MEDIA_TYPE);
    res.end();
  });

  return router;
}
