#!/usr/bin/python3
"""PyTorch anchor for `npm run bench`: the same WGAN-GP iteration as bench/gan_iteration.ts.

gan_mnist.py's pair (dcgan28 at width --dim), batch --batch, 5 critic steps with the gradient
penalty (lambda 10) + 1 generator step, Adam 1e-4 (0.5, 0.9), on the CPU with --threads threads.
Driven over stdin/stdout so that the bench can interleave its runs with the tfjs ones:
prints one JSON line {"ready": ...} once built, then reads one line per iteration ("run") and
answers {"ms": wall time of that iteration}; exits at end of input.
Needs Debian's python3-torch: apt-get install -y python3-torch libopenblas0-pthread
"""
import argparse
import json
import sys
import time

import torch
from torch import nn

LATENT = 128
KERNEL = 5
STRIDE = 2
PADDING = 2  # 'same' for a 5x5 stride-2 conv
LEAKY_SLOPE = 0.2
N_CRITIC = 5
LAMBDA = 10.0
LEARNING_RATE = 1e-4
BETAS = (0.5, 0.9)
NORM_EPSILON = 1e-12  # as src/losses/penalty.ts
IMAGE_COUNT = 256


class Generator(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.input = nn.Linear(LATENT, 4 * 4 * 4 * dim)
        # output_padding 1 doubles the side, as tf's 'same' transposed conv does.
        self.deconv1 = nn.ConvTranspose2d(4 * dim, 2 * dim, KERNEL, STRIDE, PADDING, output_padding=1)
        self.deconv2 = nn.ConvTranspose2d(2 * dim, dim, KERNEL, STRIDE, PADDING, output_padding=1)
        self.deconv3 = nn.ConvTranspose2d(dim, 1, KERNEL, STRIDE, PADDING, output_padding=1)

    def forward(self, z):
        h = torch.relu(self.input(z)).view(-1, 4 * self.dim, 4, 4)
        h = torch.relu(self.deconv1(h))[:, :, :7, :7]
        h = torch.relu(self.deconv2(h))
        return torch.sigmoid(self.deconv3(h))


class Critic(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.convs = nn.ModuleList([
            nn.Conv2d(1, dim, KERNEL, STRIDE, PADDING),
            nn.Conv2d(dim, 2 * dim, KERNEL, STRIDE, PADDING),
            nn.Conv2d(2 * dim, 4 * dim, KERNEL, STRIDE, PADDING),
        ])
        self.output = nn.Linear(4 * 4 * 4 * dim, 1)

    def forward(self, x):
        h = x
        for conv in self.convs:
            h = nn.functional.leaky_relu(conv(h), LEAKY_SLOPE)
        return self.output(h.flatten(1))


def gradient_penalty(critic, real, fake):
    eps = torch.rand(real.shape[0], 1, 1, 1, device=real.device)
    xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(xhat).sum(), xhat, create_graph=True)
    norms = torch.sqrt(gradient.pow(2).flatten(1).sum(1) + NORM_EPSILON)
    return ((norms - 1) ** 2).mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--dim', type=int, default=64)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    generator, critic = Generator(args.dim), Critic(args.dim)
    generator_optimizer = torch.optim.Adam(generator.parameters(), lr=LEARNING_RATE, betas=BETAS)
    critic_optimizer = torch.optim.Adam(critic.parameters(), lr=LEARNING_RATE, betas=BETAS)
    images = torch.rand(IMAGE_COUNT, 1, 28, 28)

    def iteration():
        for p in critic.parameters():
            p.requires_grad_(True)
        for _ in range(N_CRITIC):
            real = images[torch.randint(IMAGE_COUNT, (args.batch,))]
            with torch.no_grad():
                fake = generator(torch.randn(args.batch, LATENT))
            loss = critic(fake).mean() - critic(real).mean() + LAMBDA * gradient_penalty(critic, real, fake)
            critic_optimizer.zero_grad()
            loss.backward()
            critic_optimizer.step()
        for p in critic.parameters():
            p.requires_grad_(False)
        generator_loss = -critic(generator(torch.randn(args.batch, LATENT))).mean()
        generator_optimizer.zero_grad()
        generator_loss.backward()
        generator_optimizer.step()
        return generator_loss.item()

    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        iteration()
        print(json.dumps({'ms': (time.perf_counter() - start) * 1000}), flush=True)


if __name__ == '__main__':
    main()
