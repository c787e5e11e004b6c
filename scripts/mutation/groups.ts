/**
 * Mutation-testing groups: each names the code Stryker mutates and the test files that exercise
 * it, so one group runs only its own tests (a full run is expensive on a small machine).
 *
 * Paths are Stryker globs relative to the repository; `!glob` excludes. Keep them in step with
 * the source tree: a group whose globs match no file is reported and skipped.
 */
export interface MutationGroup {
  name: string;
  description: string;
  /** Globs of the files whose code is mutated. */
  mutate: string[];
  /** Globs of the test files that exercise that code (and nothing slower than needed). */
  tests: string[];
  /** Runs its tests against the MongoDB-wire server at TESSERA_MONGO_URL. */
  mongodb?: boolean;
}

export const GROUPS: readonly MutationGroup[] = [
  {
    name: 'pattern',
    description: 'STIX patterning language: lexer, parser, AST helpers',
    mutate: ['server/stix/pattern/**/*.ts'],
    tests: [
      'test/stix/pattern.test.ts',
      'test/hostile/patterns.test.ts',
      'test/stix/rules.test.ts',
      'test/stix/verdicts.test.ts',
    ],
  },
  {
    name: 'stix',
    description: 'STIX 2.1 object validation: rules, schemas, vocabularies, markings',
    mutate: [
      'server/stix/rules.ts',
      'server/stix/validate.ts',
      'server/stix/basic.ts',
      'server/stix/check.ts',
      'server/stix/depth.ts',
      'server/stix/issues.ts',
      'server/stix/markings.ts',
      'server/stix/registry.ts',
      'server/stix/vocab.ts',
      'server/stix/timestamp.ts',
      'server/stix/schemas/**/*.ts',
    ],
    tests: [
      'test/stix/rules.test.ts',
      'test/stix/verdicts.test.ts',
      'test/stix/pattern.test.ts',
      'test/stix/corpus.test.ts',
      'test/stix/basic.test.ts',
      'test/stix/issues.test.ts',
      'test/stix/validate.test.ts',
      'test/stix/edges.test.ts',
      'test/stix/timestamp.test.ts',
      'test/stix/tables.test.ts',
      'test/stix/vocab.test.ts',
      'test/stix/schemas.test.ts',
    ],
  },
  {
    name: 'query',
    description: 'TAXII filter/paging parameters and the signed paging cursor',
    mutate: ['server/taxii/query.ts', 'server/taxii/cursor.ts'],
    tests: [
      'test/taxii/**/*.test.ts',
      'test/http/filters.test.ts',
      'test/http/paging.test.ts',
      'test/http/versions.test.ts',
      'test/http/manifest.test.ts',
    ],
  },
  {
    name: 'routes',
    description: 'TAXII endpoints, media types, presenters, HTTP error mapping',
    mutate: ['server/taxii/**/*.ts', '!server/taxii/query.ts', '!server/taxii/cursor.ts'],
    tests: ['test/http/**/*.test.ts', 'test/taxii/**/*.test.ts'],
  },
  {
    name: 'access',
    description: 'authentication, secrets and the trust-group access policy',
    mutate: ['server/access/**/*.ts'],
    tests: ['test/access/**/*.test.ts', 'test/http/**/*.test.ts'],
  },
  {
    name: 'ingest',
    description: 'POSTed envelopes: preparation, worker pool, status resources',
    mutate: ['server/ingest/**/*.ts'],
    tests: [
      'test/ingest/**/*.test.ts',
      'test/http/post.test.ts',
      'test/http/status.test.ts',
      'test/http/objects.test.ts',
    ],
  },
  {
    name: 'sqlite',
    description: 'the embedded SQLite store, through the store contract suite and its own tests',
    mutate: ['server/store/sqlite/**/*.ts', 'server/store/index.ts'],
    tests: ['test/contract/**/*.test.ts', 'test/sqlite/**/*.test.ts'],
  },
  {
    name: 'mongodb',
    description: 'the MongoDB store, through the store contract suite and its own tests',
    mutate: ['server/store/mongodb/**/*.ts'],
    tests: ['test/contract/**/*.test.ts', 'test/mongodb/**/*.test.ts'],
    mongodb: true,
  },
  {
    name: 'feeds',
    description: 'feed converters: source formats (CSV, lists, MISP) to STIX indicators, pure functions',
    mutate: ['feeds/formats/**/*.ts'],
    tests: [
      'test/feeds/formats.test.ts',
      'test/feeds/values.test.ts',
      'test/feeds/csv.test.ts',
      'test/feeds/misp.test.ts',
    ],
  },
];

/** Whether `file` (a repository-relative path) is matched by a glob using `*` and `**`. */
export function globMatches(glob: string, file: string): boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(file);
}

/** Whether the group mutates `file`: a positive glob matches it and no `!` glob excludes it. */
export function groupMutates(group: MutationGroup, file: string): boolean {
  const included = group.mutate.some((g) => !g.startsWith('!') && globMatches(g, file));
  return included && !group.mutate.some((g) => g.startsWith('!') && globMatches(g.slice(1), file));
}
