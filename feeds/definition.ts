/**
 * Feed definitions: which peer feed to pull, how often, and into which collection. Read from the
 * JSON file named by TESSERA_FEEDS_FILE (a list of definitions) and validated at boot with every
 * problem listed. Secrets are never in the file: `passwordEnv` names the environment variable
 * holding the peer password.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type JSONSchemaType } from 'ajv';
import cron from 'node-cron';

export type FeedKind = 'taxii21' | 'stix-bundle' | 'ioc-list';

export interface FeedDefinition {
  /** Unique name; objects are recorded as added by `feed:<name>`. */
  name: string;
  kind: FeedKind;
  /** node-cron expression. */
  schedule: string;
  /** taxii21: the peer collection's objects URL (…/collections/<id>/objects/); otherwise the file URL. */
  url: string;
  username?: string;
  /** Name of the environment variable that holds the peer password (Basic auth). */
  passwordEnv?: string;
  target: { apiRoot: string; collection: string };
  /** taxii21: page size asked of the peer (default 1000). */
  pageSize?: number;
  /** Request timeout in ms (default 30000). */
  timeoutMs?: number;
  enabled?: boolean;
}

const schema: JSONSchemaType<FeedDefinition> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'schedule', 'url', 'target'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
    kind: { type: 'string', enum: ['taxii21', 'stix-bundle', 'ioc-list'] },
    schedule: { type: 'string', minLength: 1 },
    url: { type: 'string', pattern: '^https?://' },
    username: { type: 'string', nullable: true, minLength: 1 },
    passwordEnv: { type: 'string', nullable: true, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['apiRoot', 'collection'],
      properties: { apiRoot: { type: 'string', minLength: 1 }, collection: { type: 'string', minLength: 1 } },
    },
    pageSize: { type: 'integer', nullable: true, minimum: 1, maximum: 10000 },
    timeoutMs: { type: 'integer', nullable: true, minimum: 100, maximum: 600000 },
    enabled: { type: 'boolean', nullable: true },
  },
};

const validate = new Ajv({ allErrors: true }).compile(schema);

export class FeedConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid feed definitions:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Check a parsed list of definitions; throws FeedConfigError listing every problem. */
export function checkFeedDefinitions(
  data: unknown,
  env: Record<string, string | undefined> = process.env,
): FeedDefinition[] {
  const problems: string[] = [];
  if (!Array.isArray(data))
    throw new FeedConfigError(['the feeds file must hold a JSON list of feed definitions']);
  const names = new Set<string>();
  const feeds: FeedDefinition[] = [];
  data.forEach((d: unknown, i) => {
    const where = `feed #${i + 1}${d && typeof d === 'object' && 'name' in d ? ` (${String((d as { name: unknown }).name)})` : ''}`;
    if (!validate(d)) {
      for (const e of validate.errors ?? [])
        problems.push(`${where}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
      return;
    }
    if (names.has(d.name)) problems.push(`${where}: the name ${d.name} is used twice`);
    names.add(d.name);
    if (!cron.validate(d.schedule))
      problems.push(`${where}: schedule ${JSON.stringify(d.schedule)} is not a cron expression`);
    if (d.passwordEnv && env[d.passwordEnv] === undefined) {
      problems.push(`${where}: the environment variable ${d.passwordEnv} (passwordEnv) is not set`);
    }
    if (d.passwordEnv && !d.username) problems.push(`${where}: passwordEnv needs a username`);
    feeds.push(d);
  });
  if (problems.length > 0) throw new FeedConfigError(problems);
  return feeds;
}

export function loadFeedFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): FeedDefinition[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new FeedConfigError([`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`]);
  }
  return checkFeedDefinitions(data, env);
}
