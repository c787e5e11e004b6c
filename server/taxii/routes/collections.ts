/** Collections (§5.1) and one collection (§5.2). */
import type { Router } from 'express';
import { isVisible, rightsOn, scopeOf } from '../../access/policy';
import { NotFoundError } from '../../errors';
import type { RegistryStore } from '../../store/contract';
import { sendTaxii } from '../http';
import { presentCollection } from '../presenters';
import { ctx, param } from './context';

export interface CollectionDeps {
  registry: RegistryStore;
}

export function collectionRoutes(router: Router, deps: CollectionDeps): void {
  const { registry } = deps;

  router.get('/:root/collections/', async (req, res) => {
    const principal = ctx(res).principal;
    const root = await registry.getApiRoot(param(req, 'root'));
    if (!root) throw new NotFoundError(`API root ${param(req, 'root')} not found`);
    const cols = await registry.listCollections({ apiRoot: root.name, visibleTo: scopeOf(principal) });
    // The store lists only collections granting this member read or write (GroupScope).
    const presented = cols.map((c) => presentCollection(c, rightsOn(principal, c)));
    if (presented.length === 0) {
      // A root with nothing visible is hidden like the root itself.
      throw new NotFoundError(`API root ${root.name} not found`);
    }
    sendTaxii(res, 200, { collections: presented });
  });

  router.get('/:root/collections/:collection/', async (req, res) => {
    const principal = ctx(res).principal;
    const collection = await registry.findCollection({
      apiRoot: param(req, 'root'),
      idOrAlias: param(req, 'collection'),
    });
    if (!collection) throw new NotFoundError('collection not found');
    const rights = rightsOn(principal, collection);
    if (!isVisible(rights)) throw new NotFoundError('collection not found');
    sendTaxii(res, 200, presentCollection(collection, rights));
  });
}
