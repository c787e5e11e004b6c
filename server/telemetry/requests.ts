/**
 * One observer per request, installed first in the app: when the response is finished (or the
 * client went away), it writes the access-log line and feeds the request metrics.
 *
 * Access log (pino, level info; probes and /metrics at debug so a health check every few seconds
 * does not bury the traffic): member (or `triedUser`, the user name a refused request tried),
 * `ip` (the client's address, honouring TESSERA_TRUST_PROXY), method, path (without the query,
 * which is logged apart), status, duration in ms, the number of objects served, received or
 * deleted, and `aborted` when the client closed the connection before the response was complete.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { parseAuthorization } from '../access/credentials';
import { factsOf } from './facts';
import type { Metrics } from './metrics';
import { routeTemplate } from './route';

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const MAX_QUERY = 512;
const MAX_USER = 128;

export interface AccessLine {
  member?: string;
  triedUser?: string;
  ip: string | undefined;
  method: string;
  path: string;
  query?: string;
  status: number;
  ms: number;
  objects?: number;
  aborted?: true;
}

export function observeRequests(logger: Logger, metrics: Metrics | null) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const url = req.originalUrl;
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const facts = factsOf(res);
      const member = (res.locals as { principal?: { member?: string } }).principal?.member;
      const line: AccessLine = {
        ip: req.ip,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(seconds * 10_000) / 10,
      };
      if (member !== undefined) line.member = member;
      else if (res.statusCode === 401 || res.statusCode === 429) {
        // Refused: the user name tried, read with the one parser of Authorization headers.
        const cred = parseAuthorization(req.headers.authorization);
        if (cred.kind === 'basic') line.triedUser = cred.user.slice(0, MAX_USER);
      }
      if (q >= 0) line.query = url.slice(q + 1, q + 1 + MAX_QUERY);
      if (facts.objects !== undefined) line.objects = facts.objects;
      if (!res.writableFinished) line.aborted = true;
      if (QUIET_PATHS.has(path)) logger.debug(line, 'request');
      else logger.info(line, 'request');

      if (metrics) {
        const route = routeTemplate(path);
        metrics.httpRequests.observe({ route, method: req.method, status: String(res.statusCode) }, seconds);
        if (facts.objects !== undefined && req.method === 'GET' && res.statusCode === 200) {
          metrics.objectsServed.inc({ route }, facts.objects);
        }
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}
