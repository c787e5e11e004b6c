/**
 * What every TAXII route group shares: the request's principal, its path parameters and query
 * string, and the resolution of the API root or collection it names, with the access decision
 * (server/access/policy) applied. Resolution reads the registry only.
 */
import type { Request, Response } from 'express';
import { decide, rightsOn, scopeOf, type Action, type Principal } from '../../access/policy';
import type { RequestAudit } from '../../audit/records';
import { ForbiddenError, NotFoundError } from '../../errors';
import type { ApiRootRecord, CollectionRecord, RegistryStore } from '../../store/contract';

interface Ctx {
  principal: Principal;
  /** Set by the routes on a collection's objects: recorded in the audit trail when the response ends. */
  audit?: RequestAudit;
}

/** Marks this request for the audit trail (./index.ts records it when the response ends). */
export function audited(
  req: Request,
  res: Response,
  kind: RequestAudit['kind'],
  endpoint: string,
  detail: string | null,
): RequestAudit {
  const a: RequestAudit = {
    kind,
    endpoint,
    apiRoot: param(req, 'root'),
    collection: null,
    count: null,
    detail,
  };
  ctx(res).audit = a;
  return a;
}

/** Per-request state set by the authentication middleware (./index.ts). */
export function ctx(res: Response): Ctx {
  return res.locals as Ctx;
}

/** The query string of the request ('?…', or '' when none). */
export function searchOf(req: Request): string {
  return new URL(req.originalUrl, 'http://taxii.invalid').search;
}

/** A path parameter of the route (every caller names one of its own route's, which Express sets). */
export function param(req: Request, name: string): string {
  return String(req.params[name]);
}

/** An API root the requester may see: it exists and holds a collection visible to them. */
export async function visibleRoot(
  registry: RegistryStore,
  name: string,
  principal: Principal,
): Promise<ApiRootRecord> {
  const root = await registry.getApiRoot(name);
  if (root) {
    const visible = await registry.listCollections({ apiRoot: root.name, visibleTo: scopeOf(principal) });
    if (visible.length > 0) return root;
  }
  throw new NotFoundError(`API root ${name} not found`);
}

/** A collection the requester may act on; 403/404 as the spec's tables say. */
export async function authorisedCollection(
  registry: RegistryStore,
  req: Request,
  res: Response,
  action: Action,
  audit: RequestAudit,
): Promise<CollectionRecord> {
  const principal = ctx(res).principal;
  const root = param(req, 'root');
  const idOrAlias = param(req, 'collection');
  const collection = await registry.findCollection({ apiRoot: root, idOrAlias });
  if (!collection) throw new NotFoundError(`collection ${idOrAlias} not found`);
  audit.collection = collection.id; // also when refused below: who tried what is recorded
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
