/**
 * The runtime's way through a lost WebGPU device: it watches the device, keeps a CPU copy of a
 * run's state (snapshots), and when the device is lost moves to WASM (CPU where WASM cannot
 * start) and has the host rebuild its model there from the copies; a call that failed across
 * the move runs again on the new backend. The host (host.ts) owns the model; this owns when
 * and how the move happens.
 */
import { initBackend, type BackendOptions, type BackendReport } from '../backend/init';
import { forgetWebGpuBackend, webGpuDeviceLost } from '../backend/webgpu_device';
import type { TrainerState } from '../train/state';
import type { Trainer } from '../train/trainer';
import type { BackendFallback } from './protocol';

/**
 * On WebGPU a run keeps a CPU copy of its state (weights, EMA, optimizer slots, RNG) to go on
 * from if the device is lost. A copy reads all of that back, so it is taken every step while
 * the state is under 2^20 floats (4 MB; the default toy MLP's is 0.24M), else every k steps,
 * k chosen to read ~4 MB per step on average (the default 28x28 DCGAN's, 9.3M: every 9 steps).
 */
export const SNAPSHOT_FLOATS_PER_STEP = 1 << 20;
/** A call that failed on WebGPU with a DOMException waits this long for the device's lost promise before taking the failure as its own. */
const LOSS_GRACE_MS = 1000;

/** What the recovery needs of the host that owns the model. */
export interface RecoveryHost {
  report(): BackendReport;
  setReport(report: BackendReport): void;
  /** The options the backend was started with (the fallback keeps its WASM paths and threads). */
  backendOptions(): BackendOptions;
  /** The trainer whose run the snapshots copy (null: none). */
  currentTrainer(): Trainer | null;
  /**
   * Frees the model's tensors on the lost device, and returns what rebuilds the model on the
   * new backend: a trainer from `state` (or from its config when null), a loaded model from its
   * contents. The rebuild returns the step a trainer goes on from, null without a trainer.
   */
  releaseModel(): (state: TrainerState | null) => number | null;
}

export class DeviceRecovery {
  /** While on WebGPU: resolves with the reason when the device is lost. */
  private deviceLost: Promise<string> | null = null;
  /** Set when the device is lost, until the move to WASM is done. */
  private lostReason: string | null = null;
  /** The move to WASM: started once, when the device is lost; every call waits for it. */
  private recovery: Promise<BackendFallback> | null = null;
  /** Backend moves done: a call that failed across one retries on the new backend. */
  private switches = 0;
  /** On WebGPU, the trainer's state at its last snapshot (null: its first step, rebuilt from its config). */
  private trainerState: TrainerState | null = null;
  private snapshotEvery = 1;
  /** The training pass in progress: the move off a lost device waits for it to stop. */
  private pass: Promise<unknown> | null = null;

  constructor(private readonly host: RecoveryHost) {}

  /** On WebGPU: when the device is lost, move to WASM (see leaveLostDevice). */
  watch(): void {
    this.deviceLost = webGpuDeviceLost();
    void this.deviceLost?.then((reason) => {
      this.lostReason = reason;
      // A failed move reaches every later call through this.recovery.
      this.recover().catch(() => {});
    });
  }

  /** Backend moves so far: a pass started before a move failed because of it. */
  get moves(): number {
    return this.switches;
  }

  /** The device is lost and the move is not done: no step may run on it. */
  get isLost(): boolean {
    return this.lostReason != null;
  }

  /** Waits for a move in progress, so a call builds on the backend that is live now. */
  async settled(): Promise<void> {
    if (this.recovery != null) await this.recovery;
  }

  /** A new run: a move goes on from `start` until its first snapshot (a fine-tune's start is not what its config rebuilds). */
  startRun(start: TrainerState | null): void {
    if (this.deviceLost != null) this.trainerState = start;
  }

  /** The model was unloaded: its snapshots go with it. */
  forgetRun(): void {
    this.trainerState = null;
    this.snapshotEvery = 1;
  }

  /** The training pass in progress (null when none): a move frees the model's tensors only after it stops. */
  track(pass: Promise<unknown> | null): void {
    this.pass = pass;
  }

  /**
   * Runs `call`; when a lost WebGPU device failed it, once more on the backend the runtime moved
   * to. The move is added to `moves` when given (a run's fallbacks).
   */
  async onLiveBackend<T>(call: () => Promise<T>, moves?: BackendFallback[]): Promise<T> {
    await this.settled();
    const switches = this.switches;
    try {
      return await call();
    } catch (e) {
      const fallback = await this.fallbackAfter(switches, e);
      if (fallback == null) throw e;
      moves?.push(fallback);
      return call();
    }
  }

  /**
   * After a call failed: the backend move to retry it on, or null when the failure is its own.
   * A lost device shows up as a DOMException from a read (mapAsync), around the time its lost
   * promise resolves.
   */
  async fallbackAfter(switchesBefore: number, error: unknown): Promise<BackendFallback | null> {
    if (this.switches !== switchesBefore || this.lostReason != null) return this.recover();
    const lost = this.deviceLost;
    if (lost == null || !(error instanceof DOMException)) return null;
    const grace = new Promise<false>((resolve) => setTimeout(() => resolve(false), LOSS_GRACE_MS));
    return (await Promise.race([lost.then(() => true), grace])) ? this.recover() : null;
  }

  /** On WebGPU, a CPU copy of the run's state every snapshotEvery steps, or now (`force`). */
  async snapshot(trainer: Trainer, force = false): Promise<void> {
    if (this.deviceLost == null || this.lostReason != null) return;
    const kept = this.trainerState?.step ?? 0;
    if (trainer.step === kept || (!force && trainer.step - kept < this.snapshotEvery)) return;
    const state = await trainer.getState();
    // Lost while reading: the previous copy is the one the move uses.
    if (trainer !== this.host.currentTrainer() || this.lostReason != null) return;
    this.trainerState = state;
    this.snapshotEvery = Math.max(1, Math.ceil(stateFloats(state) / SNAPSHOT_FLOATS_PER_STEP));
  }

  private recover(): Promise<BackendFallback> {
    // A training pass stops by itself on a lost device (its next read fails); its tensors are
    // freed once it has: never under a step in flight.
    this.recovery ??= (this.pass ?? Promise.resolve()).catch(() => {}).then(() => this.leaveLostDevice());
    return this.recovery;
  }

  /**
   * After a lost WebGPU device: frees the model's tensors (they cannot be read any more), starts
   * WASM (CPU if WASM cannot start), forgets the dead webgpu backend, and has the host rebuild
   * the model from the CPU copies: a trainer from its last snapshot, a loaded model from the
   * contents load() was given. A run in progress stops at the failed step or before the next
   * one, and train() goes on from that snapshot. Happens once: the new backend has no device to lose.
   */
  private async leaveLostDevice(): Promise<BackendFallback> {
    const reason = this.lostReason ?? 'unknown';
    const before = this.host.report();
    const state = this.trainerState;
    const rebuild = this.host.releaseModel();
    // The new backend first: while it starts, tfjs refuses ops ('not yet initialized') instead of
    // picking a backend on its own, which it would do with none set.
    const report = await startFallbackBackend(this.host.backendOptions());
    forgetWebGpuBackend();
    this.host.setReport({
      ...report,
      requested: before.requested,
      reason: `the WebGPU device was lost (${reason}), so the runtime moved to ${report.backend}: ${report.reason}`,
      passedOver: [{ backend: 'webgpu', reason: `its device was lost (${reason})` }, ...report.passedOver],
    });
    this.deviceLost = null;
    this.lostReason = null;
    this.trainerState = null;
    this.switches++;
    return { from: 'webgpu', to: report.backend, atStep: rebuild(state), reason };
  }
}

/** WASM for a runtime whose WebGPU device was lost; CPU where WASM cannot start. */
async function startFallbackBackend(options: BackendOptions): Promise<BackendReport> {
  try {
    return await initBackend({ ...options, backend: 'wasm' });
  } catch {
    return initBackend({ backend: 'cpu' });
  }
}

function stateFloats(state: TrainerState): number {
  const groups = [
    state.generator,
    state.critic,
    state.ema ?? {},
    state.generatorOptimizer.slots,
    state.criticOptimizer.slots,
  ];
  return groups.reduce((n, group) => n + Object.values(group).reduce((m, array) => m + array.values.length, 0), 0);
}
