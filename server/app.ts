/**
 * createApp(deps): the Express application, fully wired but not listening (tests import it,
 * server/main.ts listens).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { CHALLENGES, MemberAuthenticator, type AuthFailure, type Authenticator } from './access/authenticate';
import { auditOfFailure } from './audit/records';
import { AuditTrail } from './audit/trail';
import type { FeedDefinition } from '../feeds/definition';
import { feedStatusRouter } from '../feeds/http';
import { contentLimits, type Config } from './config';
import { NotFoundError } from './errors';
import { prepareEnvelopeText, type ObjectValidator, type PrepareFn } from './ingest';
import type { Stores } from './store/contract';
import { CursorCodec } from './taxii/cursor';
import { errorHandler } from './taxii/http';
import { taxiiRouter } from './taxii/routes';
import type { Metrics } from './telemetry/metrics';
import { metricsHandler } from './telemetry/metrics';
import { observeRequests } from './telemetry/requests';

export interface AppDeps {
  config: Config;
  /** The store, every concern of it: the app wires each to the parts that use it. */
  stores: Stores;
  logger: Logger;
  /** Full STIX validation applied to every incoming object (absent: structural checks only). */
  validate?: ObjectValidator;
  /** How POSTed envelopes are prepared (default: inline with `validate`; main.ts uses a worker pool). */
  prepare?: PrepareFn;
  authenticator?: Authenticator;
  /**
   * Where audit records go (main.ts passes one it closes on shutdown, so nothing is lost); default:
   * a trail over `stores.audit` flushed every second.
   */
  audit?: AuditTrail;
  /** Reports whether the hub is ready to serve (store reachable, start-up done). */
  ready?: () => Promise<boolean>;
  /** Prometheus metrics (present when config.metrics enables them). */
  metrics?: Metrics;
  /** The feeds whose status GET /feeds/status shows (default: none). */
  feeds?: FeedDefinition[];
}

export async function createApp(deps: AppDeps): Promise<express.Express> {
  const { config, stores, logger } = deps;
  const { registry, principals, objects, statuses, state } = stores;
  const metrics = deps.metrics ?? null;
  const audit = deps.audit ?? new AuditTrail(stores.audit, logger);
  const authenticator =
    deps.authenticator ??
    new MemberAuthenticator(principals, {
      throttle: config.authThrottle,
      onFailure: (f: AuthFailure) => {
        audit.record(auditOfFailure(f));
        metrics?.authFailures.inc({ scheme: f.form, status: String(f.status) });
      },
    });
  const cursors = new CursorCodec(await state.sharedSecret('cursor'));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (config.trustProxy) app.set('trust proxy', config.trustProxy);
  app.use(helmet({ contentSecurityPolicy: false, crossOriginResourcePolicy: false }));

  // First: the access log and request metrics see every request, whatever answers it.
  app.use(observeRequests(logger, metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    let ok = false;
    try {
      await stores.ping();
      ok = deps.ready ? await deps.ready() : true;
    } catch {
      ok = false;
    }
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', store: stores.backend });
  });

  // /metrics on the hub's own port only behind a bearer token; with TESSERA_METRICS_LISTEN it has
  // its own listener (server/main.ts) and is not served here.
  if (deps.metrics && config.metrics && !config.metrics.listen && config.metrics.token) {
    const m = deps.metrics;
    app.get(
      '/metrics',
      metricsHandler(() => m.registry.metrics(), config.metrics.token, m.registry.contentType),
    );
  }

  const validate = deps.validate;
  const limits = contentLimits(config);
  const prepare: PrepareFn = deps.prepare ?? (async (text) => prepareEnvelopeText(text, validate, limits));
  app.use(feedStatusRouter({ registry, state, authenticator, feeds: deps.feeds ?? [] }));
  app.use(
    taxiiRouter({
      registry,
      objects,
      statuses,
      config,
      cursors,
      authenticator,
      logger,
      prepare,
      audit,
      metrics,
    }),
  );

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new NotFoundError(`no TAXII resource at ${req.path}`));
  });
  app.use(errorHandler(logger, CHALLENGES));
  return app;
}
