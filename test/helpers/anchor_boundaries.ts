/** Latents whose first value lies on either side of every anchor boundary: where Phi evaluated in float32 or with another erf picks the neighbouring anchor. */
import { anchorThresholds } from '../../src/models/latent_mixture';

/** The float32 `steps` steps above x (below for negative steps), -0 and 0 counted as one. */
export function float32Step(x: number, steps: number): number {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  const ordered = (bits[0] >= 0 ? bits[0] : -(bits[0] & 0x7fffffff)) + steps;
  bits[0] = ordered >= 0 ? ordered : -ordered | 0x80000000;
  return f[0];
}

/** For each of the A - 1 boundaries, the float32 values from `reach` steps below its threshold to `reach - 1` above. */
export function boundaryValues(anchors: number, reach: number): number[] {
  return Array.from(anchorThresholds(anchors)).flatMap((t) =>
    Array.from({ length: 2 * reach }, (_, d) => float32Step(t, d - reach)),
  );
}
