// `wgan-edge train --out`: the output rule refuses what is not a model folder (and names it),
// and a training process killed at each point of a save (WGAN_EDGE_KILL_AT, src/io/node_files.ts)
// leaves a state that `--resume` recovers, going on from the newest complete save.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVE_POINTS } from '../../src/io/node_files';
import { runCli } from '../helpers/cli';
import { folderBytes } from '../helpers/folder_bytes';
import { TINY } from './tiny_run';

const RULE =
  'A model folder is written only where nothing is yet, into an empty folder, or over a folder wgan-edge wrote (its model.json says "format": "wgan-edge/model"); choose another path.';

describe('train --out', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-out-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses a folder of the user\'s files, a file, ".", "", /dev/null and an unwritable place, naming --out and the rule; nothing changes', async () => {
    const mine = join(dir, 'mine');
    await mkdir(mine);
    await writeFile(join(mine, 'thesis.tex'), 'years of work');
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'precious');
    const before = await folderBytes(dir);
    for (const [out, cwd, message] of [
      [mine, dir, `--out ${mine}: is a folder of other files (thesis.tex), with no model.json. ${RULE}`],
      [file, dir, `--out ${file}: is a file, not a folder. ${RULE}`],
      ['.', mine, `--out .: is a folder of other files (thesis.tex), with no model.json. ${RULE}`],
      ['', dir, `--out : is an empty path. ${RULE}`],
      ['/dev/null', dir, `--out /dev/null: is a device, not a folder. ${RULE}`],
    ]) {
      const r = await runCli(['train', ...TINY, '--steps', '1', '--out', out], { cwd });
      expect(r.code, out).toBe(2);
      expect(r.stderr).toBe(`wgan-edge: ${message}\n`);
    }
    const proc = await runCli(['train', ...TINY, '--steps', '1', '--out', '/proc/x']);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(
      /^wgan-edge: --out \/proc\/x: cannot create files beside it \(ENOENT: .*'\/proc\/\.x\.lock'\); --out must name a folder in a place this user can write\.\n$/,
    );
    expect(await folderBytes(dir)).toEqual(before);
    expect(await readdir(dir)).toEqual(['mine', 'notes.txt']);
  });

  it('a run killed at each point of a save resumes from the newest complete save, and ends as an unbroken run', async () => {
    const straight = join(dir, 'straight');
    expect((await runCli(['train', ...TINY, '--seed', '3', '--steps', '6', '--out', straight])).code).toBe(0);
    // The copies a cut save leaves (a killed run's lock file stays too, and the next run takes it over).
    const leftovers = async (out: string) =>
      (await readdir(dir))
        .filter((name) => name.startsWith(`.${out}.`) && !name.endsWith('.lock'))
        .map((name) => name.replace(/-\d+-\d+$/, ''));
    // What each point leaves, and the step the next --resume goes on from.
    const expected: Record<(typeof SAVE_POINTS)[number], { left: string[]; model: boolean; from: number }> = {
      writing: { left: ['new'], model: true, from: 2 },
      written: { left: ['new'], model: true, from: 4 },
      'moved-aside': { left: ['new', 'old'], model: false, from: 4 },
      swapped: { left: ['old'], model: true, from: 4 },
    };
    for (const point of SAVE_POINTS) {
      const out = join(dir, point);
      expect((await runCli(['train', ...TINY, '--seed', '3', '--steps', '2', '--out', out])).code).toBe(0);
      const killed = await runCli(['train', ...TINY, '--steps', '4', '--out', out, '--resume'], {
        env: { WGAN_EDGE_KILL_AT: point },
      });
      expect(killed.signal, point).toBe('SIGKILL');
      expect((await leftovers(point)).sort(), point).toEqual(expected[point].left.map((role) => `.${point}.${role}`));
      expect((await readdir(dir)).includes(point), point).toBe(expected[point].model);

      const resumed = await runCli(['train', ...TINY, '--steps', '6', '--out', out, '--resume', '--json']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(new RegExp(`^${out}: a save was cut short; `));
      expect(JSON.parse(resumed.stdout.split('\n')[0]).step, point).toBe(expected[point].from + 1);
      expect(await leftovers(point)).toEqual([]);
      for (const file of ['generator.bin', 'critic.bin'])
        expect(await readFile(join(out, file)), `${point} ${file}`).toEqual(await readFile(join(straight, file)));
    }
  });
});
