/**
 * Progress: a one-line bar on a terminal, a plain line every half minute when stderr is a file
 * or pipe (a log of a long run), or (training) one JSON object per line with --json.
 */
import type { StepMetrics } from '../train/trainer';

export interface ProgressLine {
  step: number;
  steps: number;
  criticLoss: number;
  wasserstein: number;
  penalty: number;
  generatorLoss: number;
  stepsPerSecond: number;
}

const BAR_WIDTH = 24;
/** Redraw the terminal bar at most this often. */
const REDRAW_MS = 100;
/** Without a terminal, write a line at most this often. */
const LOG_EVERY_MS = 30_000;

export class Progress {
  private readonly started = performance.now();
  private readonly firstStep: number;
  private lastDraw = 0;

  constructor(
    private readonly steps: number,
    startStep: number,
    private readonly json: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.firstStep = startStep;
  }

  report(m: StepMetrics): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const line: ProgressLine = {
      step: m.step,
      steps: this.steps,
      criticLoss: m.criticLoss,
      wasserstein: m.wasserstein,
      penalty: m.penalty,
      generatorLoss: m.generatorLoss,
      stepsPerSecond: (m.step - this.firstStep) / Math.max(elapsed, 1e-9),
    };
    if (this.json) {
      process.stdout.write(JSON.stringify(line) + '\n');
      return;
    }
    const now = performance.now();
    const tty = Boolean(this.out.isTTY);
    if (now - this.lastDraw < (tty ? REDRAW_MS : LOG_EVERY_MS) && m.step < this.steps) return;
    this.lastDraw = now;
    const eta = line.stepsPerSecond > 0 ? (this.steps - m.step) / line.stepsPerSecond : 0;
    const status =
      `${m.step}/${this.steps}  W ${m.wasserstein.toFixed(4)}  critic ${m.criticLoss.toFixed(4)}  ` +
      `${line.stepsPerSecond.toFixed(2)} steps/s  eta ${Math.ceil(eta)}s`;
    if (!tty) {
      this.out.write(`step ${status}\n`);
      return;
    }
    this.out.write(`\r${bar(m.step, this.steps)} ${status} `);
  }

  end(): void {
    if (!this.json && this.out.isTTY) this.out.write('\n');
  }
}

/** Progress of work counted in items (samples drawn, samples measured): the same bar or log lines, on stderr. */
export class CountProgress {
  private readonly started = performance.now();
  private lastDraw = -Infinity;

  constructor(
    private readonly total: number,
    private readonly what: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  report(done: number): void {
    const now = performance.now();
    const tty = Boolean(this.out.isTTY);
    if (now - this.lastDraw < (tty ? REDRAW_MS : LOG_EVERY_MS) && done < this.total) return;
    this.lastDraw = now;
    const rate = done / Math.max((now - this.started) / 1000, 1e-9);
    const status = `${done}/${this.total} ${this.what}  ${rate.toFixed(0)}/s  eta ${Math.ceil((this.total - done) / Math.max(rate, 1e-9))}s`;
    this.out.write(tty ? `\r${bar(done, this.total)} ${status} ${done === this.total ? '\n' : ''}` : `${status}\n`);
  }
}

function bar(done: number, total: number): string {
  const filled = Math.round((BAR_WIDTH * done) / total);
  return `[${'='.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}]`;
}
