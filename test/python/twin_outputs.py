"""What test/python/parity.test.ts compares with wgan-edge, computed by the PyTorch twin from a
model folder wgan-edge wrote: samples of z, critic scores of x, the critic objective's gradient
(WGAN-GP's, penalty at the given xhat), the penalty itself and the gradient of sum(u * G(z)), both
gradients in wgan-edge's layout. A conditional model reads labels.npy (one label per row, used by
the generator and by every critic pass, the penalty's included).

Usage: twin_outputs.py MODEL_DIR IN_DIR OUT_DIR LAMBDA (IN_DIR holds z, x, fake, xhat, u, and labels when conditional, as .npy)
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
    labels_path = os.path.join(in_dir, 'labels.npy')
    labels = np.load(labels_path).astype(np.int64) if os.path.exists(labels_path) else None
    y = None if labels is None else torch.from_numpy(labels)
    generator, critic, _ = load_model(model_dir)
    np.save(os.path.join(out_dir, 'samples.npy'), sample(generator, inputs['z'].numpy(), labels))
    with torch.no_grad():
        np.save(os.path.join(out_dir, 'scores.npy'), critic(inputs['x'], y).numpy())

    xhat = inputs['xhat'].clone().requires_grad_(True)
    objective = critic_loss('wgan-gp', critic(inputs['x'], y).reshape(-1), critic(inputs['fake'], y).reshape(-1))
    penalty = gradient_penalty(critic(xhat, y).reshape(-1), xhat)
    np.save(os.path.join(out_dir, 'penalty.npy'), penalty.detach().reshape(1).numpy())
    (objective + penalty_weight * penalty).backward()
    np.save(os.path.join(out_dir, 'critic_grads.npy'), flat(to_edge_arrays(critic, gradients=True)))

    (generator(inputs['z'], y) * inputs['u']).sum().backward()
    np.save(os.path.join(out_dir, 'generator_grads.npy'), flat(to_edge_arrays(generator, gradients=True)))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
