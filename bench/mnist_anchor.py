#!/usr/bin/python3
"""Reference run: the shipped mnist / fashion-mnist recipe trained by PyTorch, for comparison.

Trains pytorch_anchor.py's pair (gan_mnist.py's DCGAN at width --dim, python/wgan_edge_torch's
trainer) with the project's WGAN-GP recipe (5 critic steps, lambda 10, Adam 1e-4 (0.5, 0.9), batch 64, generator EMA
with the trainer's warm-up min(decay, (1 + t) / (10 + t))) on an idx set, for --seconds or
--steps. At each step of SNAPSHOTS (and the last) it keeps the EMA generator's samples (what
a model ships) for --samples fixed latents as uint8, so that the project's classifier can score
them (scripts/score_anchor.script.ts) against the shipped models' numbers at equal steps.
Out: <out>/<name>.u8.gz ([snapshots, samples, 28, 28] bytes, gzipped) and <name>.json.
Runs on CUDA when there is one (a GPU machine gives tens of thousands of steps in minutes).
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from torch import nn

from pytorch_anchor import anchor_trainer

BATCH = 64
EMA_DECAY = 0.999
LEARNING_RATE = 1e-4
SNAPSHOTS = [500, 1000, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000, 40000, 50000, 75000, 100000]
IDX_HEADER = 16  # magic, count, rows, columns


def read_images(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = np.frombuffer(bytearray(f.read()), dtype=np.uint8, offset=IDX_HEADER)
    return data.reshape(-1, 28, 28, 1)


def project_init(generator, critic):
    """src/nn/init.ts's scheme: He normal (std sqrt(2 / fan-in)) before ReLU / LeakyReLU, Glorot
    uniform on the last layers, zero biases. A transposed conv's fan-in is k^2 in / stride^2."""
    last = {generator.deconv3, critic.output}
    for module in [*generator.modules(), *critic.modules()]:
        if not isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            continue
        w = module.weight
        if isinstance(module, nn.Linear):
            fan_in, fan_out = w.shape[1], w.shape[0]
        elif isinstance(module, nn.ConvTranspose2d):
            k, stride = module.kernel_size[0], module.stride[0]
            fan_in, fan_out = k * k * w.shape[0] / stride ** 2, k * k * w.shape[1]
        else:
            k = module.kernel_size[0]
            fan_in, fan_out = k * k * w.shape[1], k * k * w.shape[0]
        with torch.no_grad():
            if module in last:
                limit = (6 / (fan_in + fan_out)) ** 0.5
                w.uniform_(-limit, limit)
            else:
                w.normal_(0, (2 / fan_in) ** 0.5)
            module.bias.zero_()


def to_bytes(images):
    return (images.clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--images', required=True, help='train-images-idx3-ubyte[.gz]')
    parser.add_argument('--set', required=True, choices=['mnist', 'fashion-mnist'], help="the classifier that scores it")
    parser.add_argument('--name', required=True)
    parser.add_argument('--dim', type=int, default=32)
    parser.add_argument('--seconds', type=float, default=300)
    parser.add_argument('--steps', type=int, default=max(SNAPSHOTS))
    parser.add_argument('--samples', type=int, default=2048)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--lr', type=float, default=LEARNING_RATE, help='Adam learning rate of both nets')
    parser.add_argument('--init', choices=['torch', 'project'], default='torch', help="PyTorch's default, or src/nn/init.ts's")
    parser.add_argument('--out', default='.')
    parser.add_argument('--log-every', type=int, default=500)
    args = parser.parse_args()
    trainer = anchor_trainer(args.dim, BATCH, read_images(args.images), device='auto', seed=args.seed, learningRate=args.lr, emaDecay=EMA_DECAY)
    device = trainer.placement.device
    if args.init == 'project':
        project_init(trainer.generator, trainer.critic)
        trainer.ema.load_state_dict(trainer.generator.state_dict())
    fixed = torch.randn(args.samples, trainer.arch['latentDim'], generator=torch.Generator().manual_seed(args.seed + 1)).to(device)

    snapshots, taken, log = [], [], []
    start = time.perf_counter()
    while True:
        metrics = trainer.train_step()
        step = metrics['step']
        elapsed = time.perf_counter() - start
        done = step >= args.steps or elapsed >= args.seconds
        if step % args.log_every == 0:
            log.append({'step': step, 'seconds': round(elapsed, 1), 'wasserstein': metrics['wasserstein']})
            print(json.dumps({'name': args.name, **log[-1]}), flush=True)
        if step in SNAPSHOTS or done:
            with torch.no_grad():
                snapshots.append(to_bytes(trainer.ema(fixed)))
            taken.append(step)
        if done:
            break

    with gzip.open(os.path.join(args.out, f'{args.name}.u8.gz'), 'wb') as f:
        f.write(np.stack(snapshots).tobytes())
    meta = {'name': args.name, 'set': args.set, 'images': os.path.basename(args.images), 'dim': args.dim, 'init': args.init, 'lr': args.lr, 'seed': args.seed, 'steps': taken,
            'samples': args.samples, 'seconds': round(time.perf_counter() - start, 1), 'device': str(device),
            'torch': torch.__version__, 'log': log}
    with open(os.path.join(args.out, f'{args.name}.json'), 'w') as f:
        json.dump(meta, f)


if __name__ == '__main__':
    main()
