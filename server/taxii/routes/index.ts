/**
 * The TAXII 2.1 endpoints (§4, §5). Every request runs the same chain: negotiate the media type
 * → authenticate → resolve the API root / collection → decide access (server/access/policy) →
 * parse and check the TAXII parameters → call the store → present the resource.
 *
 * One file per endpoint group, each given only the concern stores it touches:
 *   ./discovery.ts    discovery, API roots, status    registry, statuses
 *   ./collections.ts  collections                     registry
 *   ./pages.ts        manifest, objects, versions     registry, objects
 *   ./writes.ts       POST objects, DELETE object     registry, objects, statuses
 * They register on one router, in this order (`/:root/` must follow `/taxii2/`).
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { authRequestOf, type Authenticator } from '../../access/authenticate';
import type { Config } from '../../config';
import { auditOfRequest } from '../../audit/records';
import type { AuditTrail } from '../../audit/trail';
import { NotAcceptableError } from '../../errors';
import type { PrepareFn } from '../../ingest';
import type { ObjectStore, RegistryStore, StatusStore } from '../../store/contract';
import type { CursorCodec } from '../cursor';
import { acceptsTaxii, TAXII_MEDIA_TYPE } from '../media';
import { collectionRoutes } from './collections';
import { ctx } from './context';
import { discoveryRoutes } from './discovery';
import { pageRoutes } from './pages';
import type { Metrics } from '../../telemetry/metrics';
import { writeRoutes } from './writes';

export interface TaxiiDeps {
  registry: RegistryStore;
  objects: ObjectStore;
  statuses: StatusStore;
  config: Config;
  cursors: CursorCodec;
  authenticator: Authenticator;
  /** Parses, checks and validates a POSTed envelope (a worker pool in production). */
  prepare: PrepareFn;
  logger: Logger;
  /** Receives a record of every request on a collection's objects. */
  audit: AuditTrail;
  /** Prometheus metrics, or null when off. */
  metrics: Metrics | null;
}

export function taxiiRouter(deps: TaxiiDeps): Router {
  const { registry, objects, statuses, config, cursors, authenticator, prepare, logger, audit, metrics } =
    deps;
  // Express's default, not strict: '/taxii2' is served as '/taxii2/' (its options object is left out
  // because { strict: false } is exactly the default).
  const router = Router();

  // Content negotiation, then authentication: every TAXII endpoint needs both.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (!acceptsTaxii(req.headers.accept)) {
      throw new NotAcceptableError(`this server answers only with ${TAXII_MEDIA_TYPE}`);
    }
    const authReq = authRequestOf(req);
    const principal = await authenticator.authenticate(authReq);
    ctx(res).principal = principal;
    res.once('close', () => {
      const a = ctx(res).audit;
      if (!a) return;
      audit.record(
        auditOfRequest(a, {
          member: principal.member,
          ...(principal.credential ? { credential: principal.credential } : {}),
          address: authReq.address,
          status: res.statusCode,
          completed: res.writableFinished,
        }),
      );
    });
    next();
  });

  discoveryRoutes(router, { registry, statuses, config });
  collectionRoutes(router, { registry });
  pageRoutes(router, { registry, objects, config, cursors });
  writeRoutes(router, { registry, objects, statuses, config, prepare, logger, metrics });
  return router;
}
