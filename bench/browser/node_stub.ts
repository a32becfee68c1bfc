/**
 * What bench/harness.ts imports from node:fs and node:path, for the bench page: the page uses
 * its timeRuns and rateEntry, which need none of them. saveSuite and saveTable write files and
 * cannot run in a page; it hands its entries to commands.saveBenchSuite instead.
 */
const pageCannot = (name: string) => (): never => {
  throw new Error(`${name}: the bench page cannot write files; save entries with commands.saveBenchSuite`);
};

export const mkdirSync = pageCannot('mkdirSync');
export const writeFileSync = pageCannot('writeFileSync');
export const join = pageCannot('join');
