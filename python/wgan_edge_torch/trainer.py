"""Training under torchrun: DistributedDataParallel over the processes (nccl on GPUs, gloo on
CPUs), one process per device. Each step is wgan-edge's (src/train/trainer.ts): the critic
updates of the step (nCritic, or WGAN's warm-up), each followed by clipping when the loss clips,
then one generator update and the moving average of its weights.

Every process draws its own batches (batchSize each, so a step sees world x batchSize samples),
and DDP averages the gradients, so all processes hold the same weights. Without torchrun it runs
as one process. Checkpoints are one file, written by rank 0 whole or not at all; --resume goes
on from one, exactly when the number of processes is the same.
"""
import copy
import math
import os
import sys
import time
import warnings

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .arch import validate_arch
from .losses import (critic_loss, critic_steps_at, ema_decay_at, generator_loss, gradient_penalty, interpolate,
                     learning_rate_at, make_optimizer, mixture_weights)
from .networks import Critic, Generator, MixtureCritic, initialize, load_edge_arrays

CHECKPOINT_FORMAT = 'wgan-edge-torch/checkpoint'
# The penalty's double backward hands DDP the output layer's [1, n] weight gradient transposed in
# memory; DDP copies it into its bucket and says so on every step. The values are right.
warnings.filterwarnings('ignore', message='Grad strides do not match bucket view strides')
CHECKPOINT_VERSION = 1


class Placement:
    """Where this process runs: rank, world size, device, and the process group's backend (None alone)."""

    def __init__(self, device_choice='auto'):
        use_cuda = device_choice == 'cuda' or (device_choice == 'auto' and torch.cuda.is_available())
        if device_choice == 'cuda' and not torch.cuda.is_available():
            raise RuntimeError('--device cuda: torch sees no CUDA device here')
        self.rank = int(os.environ.get('RANK', 0))
        self.world = int(os.environ.get('WORLD_SIZE', 1))
        local_rank = int(os.environ.get('LOCAL_RANK', 0))
        self.device = torch.device(f'cuda:{local_rank}' if use_cuda else 'cpu')
        if use_cuda:
            torch.cuda.set_device(self.device)
            # Plain float32 products and convolutions, as wgan-edge computes them.
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
        self.backend = None
        if 'RANK' in os.environ and self.world > 1:
            self.backend = 'nccl' if use_cuda else 'gloo'
            dist.init_process_group(self.backend)

    @property
    def distributed(self):
        return self.backend is not None

    def describe(self):
        name = torch.cuda.get_device_name(self.device) if self.device.type == 'cuda' else 'cpu'
        return {'engine': 'pytorch', 'torch': torch.__version__, 'device': name, 'processes': self.world, 'distributed': self.backend}

    def close(self):
        if self.distributed:
            dist.destroy_process_group()

    def exit_when_done(self):
        """A distributed process whose run is done (output written) leaves at once, freeing nothing.

        In torch 1.13, freeing DDP's reducer after destroy_process_group frees the gloo process
        group with the GIL held, and its destructor joins a gloo worker thread that may still be
        freeing the last collective's tensors, for which it waits on the GIL: a deadlock after the
        run has finished (1 start in 15 to 40 here, seen with gdb), which leaves torchrun waiting
        for that process for ever. A process that fails is stopped by torchrun, so only success
        needs this.
        """
        if self.distributed:
            self.close()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)


def _wrap(module, placement, find_unused=False):
    if not placement.distributed:
        return module
    ids = [placement.device.index] if placement.device.type == 'cuda' else None
    return DistributedDataParallel(module, device_ids=ids, find_unused_parameters=find_unused)


def _rank_generator(placement, seed, rank):
    g = torch.Generator(device=placement.device)
    g.manual_seed((rank << 32) | seed)
    return g


def _is_finite(*values):
    return all(math.isfinite(v) for v in values)


class Trainer:
    def __init__(self, loss, arch, settings, seed, data, placement):
        self.loss, self.arch, self.settings, self.seed = loss, validate_arch(arch), settings, seed
        self.data, self.placement = data, placement
        if list(data.sample_shape) != list(self.arch['outputShape']):
            raise ValueError(f"the data's samples are {data.sample_shape}, the {self.arch['kind']} generator makes {self.arch['outputShape']}")
        classes = self.arch.get('labels')
        if classes is not None and getattr(data, 'classes', None) != classes:
            has = 'has no labels' if getattr(data, 'classes', None) is None else f'has {data.classes} classes'
            raise ValueError(f'trainer config: the architecture is conditional on {classes} labels, the data {has}')
        device = placement.device
        init = torch.Generator().manual_seed(seed)  # the same weights on every process
        self.generator = initialize(Generator(self.arch), init).to(device)
        curriculum = settings['curriculum']
        if curriculum is None:
            self.critic = initialize(Critic(self.arch), init).to(device)
        else:
            self.critic = MixtureCritic(self.arch, curriculum['critics'])
            for member in self.critic.members:
                initialize(member, init)
            self.critic.to(device)
        self.ema = copy.deepcopy(self.generator).requires_grad_(False) if settings['emaDecay'] is not None else None
        self.generator_ddp = _wrap(self.generator, placement)
        # WGAN-C does not run the critics that have no weight yet: DDP must look for unused ones.
        self.critic_ddp = _wrap(self.critic, placement, find_unused=curriculum is not None)
        self.generator_optimizer = make_optimizer(self.generator.parameters(), settings)
        self.critic_optimizer = make_optimizer(self.critic.parameters(), settings)
        self.rng = _rank_generator(placement, seed, placement.rank)
        self.step = 0

    def _critic_fn(self, ddp):
        module = self.critic_ddp if ddp else self.critic
        if self.settings['curriculum'] is None:
            return module
        weights = mixture_weights(self.settings['curriculum'], self.step)
        return lambda x, labels=None: module(x, weights, labels)

    def _latents(self, n):
        return torch.randn(n, self.arch['latentDim'], device=self.placement.device, generator=self.rng)

    def critic_update(self, lr):
        """A conditional run gives the fakes the real batch's labels (trainer.ts criticUpdate),
        so each interpolate of the penalty lies between two samples of one label, which it keeps."""
        s = self.settings
        n = s['batchSize']
        conditional = self.arch.get('labels') is not None
        real, labels = self.data.batch_labelled(n, self.rng) if conditional else (self.data.batch(n, self.rng), None)
        with torch.no_grad():
            fake = self.generator(self._latents(n), labels)
        critic = self._critic_fn(ddp=True)
        if s['lambda'] > 0:
            eps = torch.rand(n, *([1] * (real.dim() - 1)), device=real.device, generator=self.rng)
            xhat = interpolate(real, fake, eps)
            if self.placement.distributed:
                # One pass of the critic through DDP per update: the penalty's inputs go with the batch.
                scores = critic(torch.cat([real, fake, xhat]), None if labels is None else labels.repeat(3)).reshape(-1)
                real_scores, fake_scores, xhat_scores = scores.split(n)
            else:
                # Alone, the penalty's pass is a pass of its own: its double backward then runs over
                # n samples, not 3n (0.2 s instead of 0.34 s a critic update, DIM 32, one CPU thread).
                real_scores, fake_scores = critic(torch.cat([real, fake]), None if labels is None else labels.repeat(2)).reshape(-1).split(n)
                xhat_scores = critic(xhat, labels).reshape(-1)
            penalty = gradient_penalty(xhat_scores, xhat)
        else:
            scores = critic(torch.cat([real, fake]), None if labels is None else labels.repeat(2)).reshape(-1)
            real_scores, fake_scores = scores.split(n)
            penalty = torch.zeros((), device=real.device)
        loss = critic_loss(self.loss, real_scores, fake_scores) + s['lambda'] * penalty
        self.critic_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        _set_lr(self.critic_optimizer, lr)
        self.critic_optimizer.step()
        if s['clip'] is not None:
            with torch.no_grad():
                for p in self.critic.parameters():
                    p.clamp_(-s['clip'], s['clip'])
        return loss.detach(), (real_scores.mean() - fake_scores.mean()).detach(), penalty.detach()

    def generator_update(self, lr):
        s = self.settings
        z = self._latents(s['batchSize'])
        # Labels drawn from the data's own label distribution, as trainer.ts generatorUpdate.
        labels = self.data.batch_labels(s['batchSize'], self.rng) if self.arch.get('labels') is not None else None
        fake = self.generator_ddp(z, labels)
        # The critic outside DDP, and gradients into the generator's weights only: the critic's
        # are not wanted, and no reduction of them is started.
        loss = generator_loss(self.loss, self._critic_fn(ddp=False)(fake, labels).reshape(-1), s)
        self.generator_optimizer.zero_grad(set_to_none=True)
        loss.backward(inputs=list(self.generator.parameters()))
        _set_lr(self.generator_optimizer, lr)
        self.generator_optimizer.step()
        if self.ema is not None:
            decay = ema_decay_at(self.step, s['emaDecay'])
            with torch.no_grad():
                for e, p in zip(self.ema.parameters(), self.generator.parameters()):
                    e.mul_(decay).add_(p, alpha=1 - decay)
        return loss.detach()

    def train_step(self):
        """One generator step; returns its metrics (this process's batches)."""
        started = time.perf_counter()
        lr = learning_rate_at(self.settings, self.step)
        critic_steps = critic_steps_at(self.step, self.settings)
        sums = torch.zeros(3, device=self.placement.device)
        for _ in range(critic_steps):
            sums += torch.stack(self.critic_update(lr))
        generator = self.generator_update(lr)
        critic_loss_mean, wasserstein, penalty = (sums / critic_steps).tolist()
        metrics = {'step': self.step + 1, 'criticSteps': critic_steps, 'criticLoss': critic_loss_mean, 'wasserstein': wasserstein,
                   'penalty': penalty, 'generatorLoss': generator.item(), 'stepMs': (time.perf_counter() - started) * 1000}
        if not _is_finite(critic_loss_mean, wasserstein, penalty, metrics['generatorLoss']):
            raise FloatingPointError(f'training diverged at generator step {self.step}: a non-finite loss ({metrics}); lower the learning rate or check the data')
        self.step += 1
        return metrics

    def state(self):
        """This process's part of a checkpoint; rank 0 joins the RNG states of all (checkpoint())."""
        return {
            'generator': _cpu(self.generator.state_dict()),
            'critic': _cpu(self.critic.state_dict()),
            'ema': _cpu(self.ema.state_dict()) if self.ema is not None else None,
            'generatorOptimizer': _cpu(self.generator_optimizer.state_dict()),
            'criticOptimizer': _cpu(self.critic_optimizer.state_dict()),
            'step': self.step,
        }

    def rng_states(self):
        state = self.rng.get_state()
        if not self.placement.distributed:
            return [state]
        gathered = [None] * self.placement.world
        dist.all_gather_object(gathered, state)
        return gathered

    def restore(self, checkpoint):
        self.generator.load_state_dict(checkpoint['generator'])
        self.critic.load_state_dict(checkpoint['critic'])
        if self.ema is not None:
            self.ema.load_state_dict(checkpoint['ema'])
        self.generator_optimizer.load_state_dict(checkpoint['generatorOptimizer'])
        self.critic_optimizer.load_state_dict(checkpoint['criticOptimizer'])
        self.step = checkpoint['step']
        states = checkpoint['rng']
        if len(states) == self.placement.world:
            self.rng.set_state(states[self.placement.rank])
        else:
            # Another number of processes: new streams, seeded by the step too, so none repeats.
            self.rng.manual_seed((self.placement.rank << 32) ^ (self.seed + 7919 * self.step))

    def start_from_model(self, contents, source):
        """Starts from a wgan-edge model's networks (fine-tuned in a browser, say): its generator
        (as the weights and their average) and critic; steps count on from its provenance."""
        if self.settings['curriculum'] is not None:
            raise ValueError(f'{source}: a wgan-c run trains a mixture of critics, which no model critic can start')
        if contents.get('critic') is None:
            raise ValueError(f'{source}: the model has no critic to go on training against')
        load_edge_arrays(self.generator, contents['generator'], f'{source}: generator')
        load_edge_arrays(self.critic, contents['critic'], f'{source}: critic')
        if self.ema is not None:
            self.ema.load_state_dict(self.generator.state_dict())
        self.step = int(contents.get('provenance', {}).get('steps') or 0)


def _set_lr(optimizer, lr):
    for group in optimizer.param_groups:
        group['lr'] = lr


def _cpu(value):
    if isinstance(value, torch.Tensor):
        return value.detach().to('cpu', copy=True)
    if isinstance(value, dict):
        return {k: _cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cpu(v) for v in value)
    return value


def save_checkpoint(path, record):
    """Whole or not at all: written beside `path`, then renamed over it."""
    partial = f'{path}.partial-{os.getpid()}'
    try:
        torch.save(record, partial)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def load_checkpoint(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{path}: no such checkpoint file')
    try:
        record = torch.load(path, map_location='cpu')
    except Exception as e:
        raise ValueError(f'{path}: not a readable checkpoint ({e})') from e
    if not isinstance(record, dict) or record.get('format') != CHECKPOINT_FORMAT:
        raise ValueError(f'{path}: not a wgan_edge_torch checkpoint (a wgan-edge model folder is read with read_model_dir)')
    if record.get('version') != CHECKPOINT_VERSION:
        raise ValueError(f"{path}: checkpoint version {record.get('version')!r}; this wgan_edge_torch reads version {CHECKPOINT_VERSION}")
    return record
