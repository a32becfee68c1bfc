"""What test/python/parity.test.ts compares with wgan-edge, computed by the PyTorch twin from a
model folder wgan-edge wrote: samples of z, critic scores of x, the critic objective's gradient
(WGAN-GP's, penalty at the given xhat) and the gradient of sum(u * G(z)), both in wgan-edge's layout.

Usage: twin_outputs.py MODEL_DIR IN_DIR OUT_DIR LAMBDA (IN_DIR holds z, x, fake, xhat, u as .npy)
"""
import os
import sys

import numpy as np
import torch

from wgan_edge_torch import load_model, sample, to_edge_arrays
from wgan_edge_torch.losses import critic_loss, gradient_penalty


def flat(arrays):
    """All arrays, by name in sorted order, as one float32 vector (the test concatenates alike)."""
    return np.concatenate([arrays[name].ravel() for name in sorted(arrays)]).astype(np.float32)


def main(model_dir, in_dir, out_dir, penalty_weight):
    inputs = {name: torch.from_numpy(np.load(os.path.join(in_dir, f'{name}.npy'))) for name in ('z', 'x', 'fake', 'xhat', 'u')}
    generator, critic, _ = load_model(model_dir)
    np.save(os.path.join(out_dir, 'samples.npy'), sample(generator, inputs['z'].numpy()))
    with torch.no_grad():
        np.save(os.path.join(out_dir, 'scores.npy'), critic(inputs['x']).numpy())

    xhat = inputs['xhat'].clone().requires_grad_(True)
    objective = critic_loss('wgan-gp', critic(inputs['x']).reshape(-1), critic(inputs['fake']).reshape(-1))
    objective = objective + penalty_weight * gradient_penalty(critic(xhat).reshape(-1), xhat)
    objective.backward()
    np.save(os.path.join(out_dir, 'critic_grads.npy'), flat(to_edge_arrays(critic, gradients=True)))

    (generator(inputs['z']) * inputs['u']).sum().backward()
    np.save(os.path.join(out_dir, 'generator_grads.npy'), flat(to_edge_arrays(generator, gradients=True)))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
