/**
 * The paged reads: manifest (§5.3), objects (§5.4), one object (§5.5) and its versions (§5.7).
 * Each page is one keyset query of the objects store; `next` is a signed cursor (../cursor.ts).
 */
import type { Request, Response, Router } from 'express';
import { objectScope } from '../../access/policy';
import type { Config } from '../../config';
import { NotFoundError } from '../../errors';
import type { ObjectFilter, ObjectStore, RegistryStore, StoredVersion } from '../../store/contract';
import { formatTaxiiTimestamp } from '../../time';
import type { CursorCodec, Endpoint } from '../cursor';
import { sendTaxii } from '../http';
import { STIX_MEDIA_TYPE } from '../media';
import { noteObjects } from '../../telemetry/facts';
import { parseTaxiiQuery, QUERY_PARAMS, type QueryParam, type TaxiiQuery } from '../query';
import { audited, authorisedCollection, ctx, param, searchOf } from './context';

export interface PageDeps {
  registry: RegistryStore;
  objects: ObjectStore;
  config: Config;
  cursors: CursorCodec;
}

/** The list endpoints (objects, manifest) take every filter and paging parameter. */
const LIST_PARAMS: readonly QueryParam[] = QUERY_PARAMS;
const OBJECT_PARAMS: readonly QueryParam[] = [
  'added_after',
  'limit',
  'next',
  'match[version]',
  'match[spec_version]',
];
const VERSIONS_PARAMS: readonly QueryParam[] = ['added_after', 'limit', 'next', 'match[spec_version]'];

interface Plan {
  filter: ObjectFilter;
  after: number | undefined;
  limit: number;
}

function dateHeaders(res: Response, items: StoredVersion[]): void {
  const ends = { First: items[0], Last: items.at(-1) };
  for (const [end, item] of Object.entries(ends)) {
    if (item) res.setHeader(`X-TAXII-Date-Added-${end}`, formatTaxiiTimestamp(item.dateAdded));
  }
}

export function pageRoutes(router: Router, deps: PageDeps): void {
  const { registry, objects, config, cursors } = deps;

  /** Merge the request's parameters with those carried by a `next` token (request wins). */
  function plan(q: TaxiiQuery, endpoint: Endpoint, collectionId: string, objectId?: string): Plan {
    // The filters given (absent ones left out, so that those of a `next` token stay).
    const given = {
      ids: q.ids,
      types: q.types,
      specVersions: q.specVersions,
      versions: q.versions,
      addedAfter: q.addedAfter,
    };
    const fromQuery = Object.fromEntries(
      Object.entries(given).filter(([, v]) => v !== undefined),
    ) as ObjectFilter;
    let filter = fromQuery;
    let after: number | undefined;
    let limit = q.limit ?? config.pageSize;
    if (q.next !== undefined) {
      const state = cursors.decode(q.next, { endpoint, collectionId, objectId });
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
    return cursors.encode({
      endpoint,
      collectionId,
      objectId,
      position: last.dateAdded,
      filter: p.filter,
      limit: p.limit,
    });
  }

  /** Serve one page of objects, manifest records or versions. */
  async function servePage(req: Request, res: Response, endpoint: Endpoint): Promise<void> {
    const objectId = endpoint === 'object' || endpoint === 'versions' ? param(req, 'object') : undefined;
    const audit = audited(req, res, 'read', `GET ${endpoint}`, objectId ?? null);
    const collection = await authorisedCollection(registry, req, res, 'read', audit);
    const allowed =
      endpoint === 'object' ? OBJECT_PARAMS : endpoint === 'versions' ? VERSIONS_PARAMS : LIST_PARAMS;
    const p = plan(parseTaxiiQuery(searchOf(req), allowed), endpoint, collection.id, objectId);
    const withBody = endpoint === 'objects' || endpoint === 'object';
    // What the requester may see is part of the query, so limit, more, next and the date headers
    // are computed over visible versions only.
    const visibleTo = objectScope(ctx(res).principal, collection);
    const page = await objects.queryObjects({
      collectionId: collection.id,
      visibleTo,
      filter: p.filter,
      after: p.after,
      limit: p.limit,
      withBody,
      // Large objects end a page early (more: true, and `next` continues after the last one).
      ...(withBody ? { maxBytes: config.maxPageBytes } : {}),
    });
    audit.count = page.items.length;
    // An empty first page of one object: 404 unless the object exists (filtered out: 200 {}). A
    // page with versions needs no second query.
    if (objectId !== undefined && page.items.length === 0 && p.after === undefined) {
      if (!(await objects.objectExists({ collectionId: collection.id, id: objectId, visibleTo }))) {
        throw new NotFoundError(`object ${objectId} not found`);
      }
    }
    dateHeaders(res, page.items);
    noteObjects(res, page.items.length);
    const last = page.more ? page.items.at(-1) : undefined;
    let head = '{';
    if (last) {
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
}
