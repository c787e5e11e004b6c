/** Discovery (§4.1), API root information (§4.2) and status resources (§4.3). */
import type { Router } from 'express';
import { scopeOf } from '../../access/policy';
import type { Config } from '../../config';
import { NotFoundError } from '../../errors';
import type { RegistryStore, StatusStore } from '../../store/contract';
import { sendTaxii } from '../http';
import { TAXII_MEDIA_TYPE } from '../media';
import { presentStatus } from '../presenters';
import { ctx, param, visibleRoot } from './context';

export interface DiscoveryDeps {
  registry: RegistryStore;
  statuses: StatusStore;
  config: Config;
}

export function discoveryRoutes(router: Router, deps: DiscoveryDeps): void {
  const { registry, statuses, config } = deps;

  function rootUrl(name: string): string {
    return `${config.publicUrl ?? ''}/${name}/`;
  }

  router.get('/taxii2/', async (_req, res) => {
    const principal = ctx(res).principal;
    const roots = await registry.listApiRoots();
    const visible: string[] = [];
    for (const r of roots) {
      const cols = await registry.listCollections({ apiRoot: r.name, visibleTo: scopeOf(principal) });
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
    const root = await visibleRoot(registry, param(req, 'root'), ctx(res).principal);
    const body: Record<string, unknown> = { title: root.title };
    if (root.description) body.description = root.description;
    body.versions = [TAXII_MEDIA_TYPE];
    body.max_content_length = config.maxContentLength;
    // Further limits on what a POST may bring (custom properties, TAXII §7.1): beyond the first the
    // request gets 413, beyond the second an object is refused in the status.
    body.x_tessera_max_envelope_objects = config.maxEnvelopeObjects;
    body.x_tessera_max_object_bytes = config.maxObjectBytes;
    sendTaxii(res, 200, body);
  });

  router.get('/:root/status/:status/', async (req, res) => {
    const principal = ctx(res).principal;
    const root = await visibleRoot(registry, param(req, 'root'), principal);
    const status = await statuses.getStatus({ apiRoot: root.name, id: param(req, 'status') });
    // A status is its submitter's: to anyone else it does not exist.
    if (!status || status.member !== principal.member) throw new NotFoundError('status not found');
    sendTaxii(res, 200, presentStatus(status));
  });
}
