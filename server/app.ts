/**
 * createApp(deps): the Express application, fully wired but not listening (tests import it,
 * server/main.ts listens).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { CHALLENGES, MemberAuthenticator, type Authenticator } from './access/authenticate';
import type { Config } from './config';
import { NotFoundError } from './errors';
import type { ObjectValidator } from './ingest';
import { prepareEnvelopeText, type PrepareFn } from './ingest-prepare';
import type { Store } from './store/contract';
import { CursorCodec } from './taxii/cursor';
import { errorHandler } from './taxii/http';
import { taxiiRouter } from './taxii/routes';

export interface AppDeps {
  config: Config;
  store: Store;
  logger: Logger;
  /** Full STIX validation applied to every incoming object (absent: structural checks only). */
  validate?: ObjectValidator;
  /** How POSTed envelopes are prepared (default: inline with `validate`; main.ts uses a worker pool). */
  prepare?: PrepareFn;
  authenticator?: Authenticator;
  /** Reports whether the hub is ready to serve (store reachable, start-up done). */
  ready?: () => Promise<boolean>;
}

export async function createApp(deps: AppDeps): Promise<express.Express> {
  const { config, store, logger } = deps;
  const authenticator =
    deps.authenticator ?? new MemberAuthenticator(store, { throttle: config.authThrottle });
  const cursors = new CursorCodec(await store.sharedSecret('cursor'));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (config.trustProxy) app.set('trust proxy', config.trustProxy);
  app.use(helmet({ contentSecurityPolicy: false, crossOriginResourcePolicy: false }));

  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const member = (res.locals as { principal?: { member: string } }).principal?.member;
      logger.debug(
        { method: req.method, url: req.originalUrl, status: res.statusCode, ms, member },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    let ok = false;
    try {
      await store.ping();
      ok = deps.ready ? await deps.ready() : true;
    } catch {
      ok = false;
    }
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', store: store.backend });
  });

  const validate = deps.validate;
  const prepare: PrepareFn = deps.prepare ?? (async (text) => prepareEnvelopeText(text, validate));
  const routerDeps = { store, config, cursors, authenticator, logger, prepare };
  app.use(taxiiRouter(routerDeps));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new NotFoundError(`no TAXII resource at ${req.path}`));
  });
  app.use(errorHandler(logger, CHALLENGES));
  return app;
}
