/**
 * Mends the order in which tfjs-core 4.x records saved outputs on the gradient tape.
 *
 * When a kernel's gradient needs the kernel's own output (Tanh, Sigmoid, Exp, Softmax,
 * Elu, Pow, customGrad `save()`), the engine saves a clone of that output. The clone's
 * Identity node is pushed onto the tape *inside* the kernel call, so it lands before the
 * kernel's own node. The tape is walked in order to find what depends on x, so the path
 * x -> kernel -> output -> saved clone is cut, and any second-order gradient that flows
 * through the saved output is silently dropped (d/dw (d/dx tanh(wx))^2 comes out 0.599
 * instead of -0.187).
 *
 * A node can never legitimately consume a tensor produced by a node recorded after it, so
 * when a node is added we move the nodes just before it that read its outputs to just
 * after it. One fix at the mechanism, instead of re-deriving every such gradient.
 *
 * The node also gets its own copy of its outputs list: tfjs records the very array that a
 * multi-output op (split, unstack) returns, so `tf.split(x, 2).reverse()` reordered the
 * node's outputs and handed each piece the other's gradient, silently.
 */
import { engine } from '@tensorflow/tfjs-core';

interface TapeTensor {
  id: number;
}
interface TapeNode {
  inputs: Record<string, TapeTensor>;
  outputs: TapeTensor[];
}
interface EngineInternals {
  state: { activeTape: TapeNode[] };
  addTapeNode: (...args: unknown[]) => void;
  __wganEdgeTapeOrder?: true;
}

/** Reorders in place: trailing nodes that read `node`'s outputs go after `node`. */
export function moveSavedOutputClonesAfter(tape: TapeNode[]): void {
  const node = tape[tape.length - 1];
  const produced = new Set(node.outputs.map((t) => t.id));
  let first = tape.length - 1;
  while (first > 0 && Object.values(tape[first - 1].inputs).some((t) => produced.has(t.id))) {
    first--;
  }
  if (first === tape.length - 1) return;
  const clones = tape.splice(first, tape.length - 1 - first);
  tape.push(...clones);
}

export function installTapeOrderFix(): void {
  const eng = engine() as unknown as EngineInternals;
  if (eng.__wganEdgeTapeOrder) return;
  if (typeof eng.addTapeNode !== 'function' || eng.state == null) {
    throw new Error(
      'wgan-edge: this tfjs-core has no Engine.addTapeNode; the second-order gradient fix ' +
        'was written for tfjs-core 4.22. Pin @tensorflow/tfjs-core to 4.22.x.',
    );
  }
  const addTapeNode = eng.addTapeNode;
  eng.addTapeNode = function (this: EngineInternals, ...args: unknown[]) {
    const [kernelName, inputs, outputs, ...rest] = args;
    addTapeNode.apply(this, [kernelName, inputs, [...(outputs as TapeTensor[])], ...rest]);
    moveSavedOutputClonesAfter(this.state.activeTape);
  };
  eng.__wganEdgeTapeOrder = true;
}
