// The source tree's floors: a src/ folder imports its own files and the folders below it, never
// one above, so the math core (nn ... train) knows nothing of files, workers or the CLI, and a
// newcomer can read the tree bottom up. The entry files (src/index.ts, src/index.node.ts, src/internals.ts)
// stand above all floors.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import floors from '../../src/floors.json';

const SRC = resolve(__dirname, '../../src');
/** Bottom to top (eslint.config.js builds its import rule from the same list). */
const FLOORS: string[] = floors;
const IMPORT = /(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

const floorOf = (file: string) => relative(SRC, file).split(sep)[0];

describe('src/ floors', () => {
  const files = sourceFiles(SRC).filter((file) => dirname(file) !== SRC);

  it('every folder has a floor', () => {
    expect([...new Set(files.map(floorOf))].filter((folder) => !FLOORS.includes(folder))).toEqual([]);
  });

  it('no folder imports one above it', () => {
    const upward: string[] = [];
    for (const file of files) {
      const floor = FLOORS.indexOf(floorOf(file));
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = floorOf(resolve(dirname(file), match[1] ?? match[2]));
        if (FLOORS.indexOf(target) > floor)
          upward.push(`${relative(SRC, file)} imports ${match[1] ?? match[2]} (${target} is above ${floorOf(file)})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
