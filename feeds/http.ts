/**
 * GET /feeds/status[/<name>]: the feeds' status as JSON for monitoring, the same as
 * `tessera feed status --json`. Authenticated like TAXII requests; a member sees the feeds whose
 * target collection it may read. Why not operators only: the hub has no operator role over HTTP
 * (operators use the CLI on the store), and a feed's runs say nothing that its target collection
 * does not already show its readers — they tell them how fresh that data is and why it may be
 * stale. Members who cannot read the collection do not learn that the feed exists; the feed's URL
 * and credentials are never shown.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { authRequestOf, type Authenticator } from '../server/access/authenticate';
import { rightsOn } from '../server/access/policy';
import { NotFoundError } from '../server/errors';
import type { RegistryStore, StateStore } from '../server/store/contract';
import type { FeedDefinition } from './definition';
import { feedStatus } from './index';

export interface FeedStatusDeps {
  /** The feeds' target collections, whose read rights decide who sees a feed. */
  registry: RegistryStore;
  /** The feeds' run records. */
  state: StateStore;
  authenticator: Authenticator;
  feeds: FeedDefinition[];
}

export function feedStatusRouter(deps: FeedStatusDeps): Router {
  const router = Router();
  const handle =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) =>
      fn(req, res).catch(next);

  async function visibleFeeds(req: Request): Promise<FeedDefinition[]> {
    const principal = await deps.authenticator.authenticate(authRequestOf(req));
    const out: FeedDefinition[] = [];
    for (const f of deps.feeds) {
      const c = await deps.registry.findCollection({
        apiRoot: f.target.apiRoot,
        idOrAlias: f.target.collection,
      });
      if (c && rightsOn(principal, c).canRead) out.push(f);
    }
    return out;
  }

  router.get(
    '/feeds/status',
    handle(async (req, res) => {
      res.json({ feeds: await feedStatus(deps.state, await visibleFeeds(req)) });
    }),
  );
  router.get(
    '/feeds/status/:name',
    handle(async (req, res) => {
      const def = (await visibleFeeds(req)).find((f) => f.name === req.params.name);
      if (!def) throw new NotFoundError('no such feed');
      const [status] = await feedStatus(deps.state, [def], 20);
      res.json(status);
    }),
  );
  return router;
}
