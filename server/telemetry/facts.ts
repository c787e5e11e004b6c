/**
 * What a request did, noted by the code that knows it and read once the response is finished by
 * the access log and the metrics: how many objects it carried (served, POSTed or deleted).
 */
import type { Response } from 'express';

export interface RequestFacts {
  /** Objects served (GET) or received (POST), versions deleted (DELETE). */
  objects?: number;
}

const KEY = 'telemetry';

export function factsOf(res: Response): RequestFacts {
  const locals = res.locals as Record<string, unknown>;
  let facts = locals[KEY] as RequestFacts | undefined;
  if (!facts) {
    facts = {};
    locals[KEY] = facts;
  }
  return facts;
}

/** Notes the number of objects the request served, received or deleted. */
export function noteObjects(res: Response, count: number): void {
  factsOf(res).objects = count;
}
