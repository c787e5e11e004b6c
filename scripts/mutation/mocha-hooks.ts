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
}

export const mochaHooks = {
  afterEach(): void {
    const ns = (globalThis as { __stryker__?: StrykerNamespace }).__stryker__;
    if (ns) ns.currentTestId = undefined;
  },
};
