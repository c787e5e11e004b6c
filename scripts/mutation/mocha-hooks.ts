/**
 * Mocha root hooks loaded only under Stryker (scripts/mutation/run.ts).
 *
 * Stryker's mocha runner credits the code that runs to the test it last started (a root
 * beforeEach sets `currentTestId`, nothing clears it). Code run by a later describe block's
 * before() hook — fixtures, stores, hubs — would then be credited to the previous test, often in
 * another file, and a mutant there would be run against that unrelated test alone and "survive".
 * Clearing the id after each test makes such code count as static coverage instead, and Stryker
 * runs every test of the group (in a fresh process) for mutants it reaches.
 */
interface StrykerNamespace {
  currentTestId?: string;
  activeMutant?: string;
}

/** The variable Stryker's instrumented code reads its active mutant from when its global has none. */
const ACTIVE_MUTANT_ENV = '__STRYKER_ACTIVE_MUTANT__';

export const mochaHooks = {
  /**
   * The mutant under test is a global of this thread: worker threads (the ingest pool) and child
   * processes (hubs and CLI runs started by tests) would run the unmutated code, and a test comparing
   * their output with the main thread's would "kill" a mutant it cannot see. They inherit the
   * environment, so the active mutant is put there before each run (Stryker sets it per run).
   */
  beforeAll(): void {
    const ns = (globalThis as { __stryker__?: StrykerNamespace }).__stryker__;
    if (ns?.activeMutant === undefined) delete process.env[ACTIVE_MUTANT_ENV];
    else process.env[ACTIVE_MUTANT_ENV] = String(ns.activeMutant);
  },
  afterEach(): void {
    const ns = (globalThis as { __stryker__?: StrykerNamespace }).__stryker__;
    if (ns) ns.currentTestId = undefined;
  },
};
