#!/usr/bin/python3
"""PyTorch anchor for `npm run bench`: the same WGAN-GP iteration as bench/gan_iteration.ts.

gan_mnist.py's pair (dcgan28 at width --dim), trained by python/wgan_edge_torch's trainer, batch
--batch, 5 critic steps with the gradient penalty (lambda 10) + 1 generator step, Adam 1e-4 (0.5, 0.9),
on the CPU with --threads threads.
Driven over stdin/stdout so that the bench can interleave its runs with the tfjs ones:
prints one JSON line {"ready": ...} once built, then reads one line per iteration ("run") and
answers {"ms": wall time of that iteration}; exits at end of input.
Needs Debian's python3-torch: apt-get install -y python3-torch libopenblas0-pthread
"""
import argparse
import json
import os
import sys
import time

import torch

# The twin's trainer (python/wgan_edge_torch) runs the iteration: wgan-edge's exact networks
# ('same' padding as TensorFlow pads), penalty and Adam, so the anchor times what the runtime computes.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
from wgan_edge_torch import Placement, Trainer, arch_config  # noqa: E402
from wgan_edge_torch.data import ImageData  # noqa: E402
from wgan_edge_torch.losses import resolve_settings  # noqa: E402

IMAGE_COUNT = 256


def anchor_trainer(dim, batch, images, device='cpu', seed=1, **settings):
    """A one-process trainer of the dcgan28 pair at width `dim` on uint8 `images` [n, 28, 28, 1]
    with the WGAN-GP defaults (5 critic steps, lambda 10, Adam 1e-4 (0.5, 0.9)) and `settings`;
    `device` as train --device."""
    arch = arch_config('dcgan28', dim=dim)
    placement = Placement(device)
    data = ImageData(images, arch['outputRange'], placement.device)
    return Trainer('wgan-gp', arch, resolve_settings('wgan-gp', 'dcgan28', {'batchSize': batch, **settings}), seed, data, placement)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--dim', type=int, default=64)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    images = torch.randint(256, (IMAGE_COUNT, 28, 28, 1), dtype=torch.uint8, generator=torch.Generator().manual_seed(1)).numpy()
    trainer = anchor_trainer(args.dim, args.batch, images)
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        trainer.train_step()
        print(json.dumps({'ms': (time.perf_counter() - start) * 1000}), flush=True)


if __name__ == '__main__':
    main()
