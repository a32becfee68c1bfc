// The lint rule that keeps the floors (eslint.config.js, import-x/no-restricted-paths) fires on
// an upward import and only there: a fixture file in each floor imports a real file of the
// floor above it, and one of the floor below it.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import floors from '../../src/floors.json';

const ROOT = resolve(__dirname, '../..');
const RULE = 'import-x/no-restricted-paths';

/** A module of `floor` to import: its index, or its first file. */
function moduleOf(floor: string): string {
  const files = readdirSync(resolve(ROOT, 'src', floor)).filter((name) => name.endsWith('.ts'));
  const file = files.includes('index.ts') ? 'index.ts' : files.sort()[0];
  return `../${floor}/${file.replace(/\.ts$/, '')}`;
}

async function floorMessages(floor: string, importPath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(`import * as m from '${importPath}';\nexport const used = m;\n`, {
    filePath: resolve(ROOT, 'src', floor, 'lint_fixture.ts'),
  });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('the floors lint rule', () => {
  it('fires on an import of the floor above, in every floor', async () => {
    for (const [i, floor] of floors.slice(0, -1).entries()) {
      const messages = await floorMessages(floor, moduleOf(floors[i + 1]));
      expect(messages, `src/${floor} importing src/${floors[i + 1]}`).toHaveLength(1);
      expect(messages[0]).toContain(`src/${floor} is below`);
    }
  }, 60_000);

  it('lets a floor import the floor below it and its own files', async () => {
    for (const [i, floor] of floors.slice(1).entries()) {
      expect(await floorMessages(floor, moduleOf(floors[i])), `src/${floor} importing src/${floors[i]}`).toEqual([]);
      expect(await floorMessages(floor, moduleOf(floor).replace(`../${floor}/`, './'))).toEqual([]);
    }
  }, 60_000);
});
