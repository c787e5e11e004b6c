/** Adding objects (§5.4 POST) and deleting an object (§5.6). */
import type { Router } from 'express';
import type { Logger } from 'pino';
import { objectScope } from '../../access/policy';
import type { Config } from '../../config';
import { NotFoundError, UnsupportedMediaTypeError } from '../../errors';
import { boundStatus, commitPrepared, statusBudget, summarise, type PrepareFn } from '../../ingest';
import { noteObjects } from '../../telemetry/facts';
import type { Metrics } from '../../telemetry/metrics';
import type { ObjectStore, RegistryStore, StatusStore } from '../../store/contract';
import { nowMicros } from '../../time';
import { readBody, sendTaxii } from '../http';
import { isTaxiiContentType, TAXII_MEDIA_TYPE } from '../media';
import { presentStatus } from '../presenters';
import { parseTaxiiQuery, type QueryParam } from '../query';
import { audited, authorisedCollection, ctx, param, searchOf } from './context';

export interface WriteDeps {
  registry: RegistryStore;
  objects: ObjectStore;
  statuses: StatusStore;
  config: Config;
  /** Parses, checks and validates a POSTed envelope (a worker pool in production). */
  prepare: PrepareFn;
  logger: Logger;
  metrics: Metrics | null;
}

const DELETE_PARAMS: readonly QueryParam[] = ['match[version]', 'match[spec_version]'];

export function writeRoutes(router: Router, deps: WriteDeps): void {
  const { registry, objects, statuses, config } = deps;

  router.post('/:root/collections/:collection/objects/', async (req, res) => {
    const audit = audited(req, res, 'write', 'POST objects', null);
    const principal = ctx(res).principal;
    const collection = await authorisedCollection(registry, req, res, 'write', audit);
    if (!isTaxiiContentType(req.headers['content-type'])) {
      throw new UnsupportedMediaTypeError(`the request body must be sent as ${TAXII_MEDIA_TYPE}`);
    }
    const raw = await readBody(req, {
      maxBytes: config.maxContentLength,
      idleTimeoutMs: config.bodyTimeoutMs,
    });
    const requestTimestamp = nowMicros();
    const statusBytes = statusBudget(raw.length, config.maxStatusBytes);
    const prepared = await deps.prepare(raw.toString('utf8'));
    const status = await commitPrepared(
      {
        objects,
        statuses,
        statusTtlHours: config.statusTtlHours,
        statusBytes,
        logger: deps.logger,
      },
      { apiRoot: collection.apiRoot, collectionId: collection.id, member: principal.member },
      prepared,
      requestTimestamp,
    );
    audit.count = status.successes.length;
    audit.detail = `${status.totalCount} objects: ${status.successes.length} stored, ${status.failures.length} failed`;
    const summary = summarise(status);
    deps.logger.info(
      {
        member: principal.member,
        collection: collection.id,
        total: summary.total,
        added: summary.added,
        duplicates: summary.duplicates,
        failed: summary.failed,
      },
      `objects received: ${summary.added} added, ${summary.duplicates} duplicates, ${summary.failed} failed`,
    );
    deps.metrics?.ingested('taxii', summary);
    noteObjects(res, summary.total);
    // As stored: the lists bounded (GET status serves the same).
    sendTaxii(res, 202, presentStatus(boundStatus(status, statusBytes)));
  });

  router.delete('/:root/collections/:collection/objects/:object/', async (req, res) => {
    const objectId = param(req, 'object');
    const audit = audited(req, res, 'delete', 'DELETE object', objectId);
    const collection = await authorisedCollection(registry, req, res, 'delete', audit);
    const q = parseTaxiiQuery(searchOf(req), DELETE_PARAMS);
    // Only versions the requester can see are deleted; none → 404, as for a missing object.
    const visibleTo = objectScope(ctx(res).principal, collection);
    const deleted = await objects.deleteObject({
      collectionId: collection.id,
      id: objectId,
      visibleTo,
      versions: q.versions,
      specVersions: q.specVersions,
    });
    audit.count = deleted;
    if (deleted === 0) throw new NotFoundError(`object ${objectId} not found`);
    noteObjects(res, deleted);
    deps.logger.info(
      { member: ctx(res).principal.member, collection: collection.id, object: objectId, deleted },
      'object deleted',
    );
    res.status(200).setHeader('Content-Type', TAXII_MEDIA_TYPE);
    res.end();
  });
}
