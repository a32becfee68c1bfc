"""Trained networks in and out: checkpoint -> model folder (export), model folder -> networks
(the way back from wgan-edge), and samples of given latents."""
import numpy as np
import torch

from .arch import validate_arch
from .model_folder import read_model_dir
from .networks import Critic, Generator, load_edge_arrays, to_edge_arrays


def _checked_arch(architecture, source):
    try:
        return validate_arch(dict(architecture))
    except ValueError as e:
        raise ValueError(f'{source}: bad architecture: {e}') from e


def load_model(directory, device='cpu'):
    """A wgan-edge model folder as (generator, critic or None, contents), in eval mode."""
    contents = read_model_dir(directory)
    arch = _checked_arch(contents['architecture'], directory)
    generator = load_edge_arrays(Generator(arch), contents['generator'], f'{directory}: generator').to(device).eval()
    critic = None
    if contents['critic'] is not None:
        critic = load_edge_arrays(Critic(arch), contents['critic'], f'{directory}: critic').to(device).eval()
    return generator, critic, contents


def checkpoint_generator(record, device='cpu'):
    """The generator a checkpoint ships: its moving average when it keeps one, as wgan-edge's export."""
    generator = Generator(record['arch'])
    generator.load_state_dict(record['ema'] if record['ema'] is not None else record['generator'])
    return generator.to(device).eval()


def checkpoint_contents(record, source):
    """What a model folder holds, from a checkpoint: the shipped generator, the critic (none for
    WGAN-C, whose mixture is no critic a model describes) and the provenance."""
    arch = record['arch']
    critic = None
    if record['loss'] != 'wgan-c':
        critic = Critic(arch)
        critic.load_state_dict(record['critic'])
    provenance = {
        'dataset': record['data'],
        'loss': record['loss'],
        'steps': record['step'],
        'seed': record['seed'],
        'backend': 'pytorch',
        'seconds': round(record['seconds'], 2),
        # Where and how: engine, device, processes, batch per process, the settings trained with.
        'trainedWith': {**record['trainedWith'], 'batchPerProcess': record['settings']['batchSize'], 'settings': record['settings'],
                        'checkpoint': source},
    }
    if record.get('initializedFrom') is not None:
        provenance['initializedFrom'] = record['initializedFrom']
    return {
        'architecture': arch,
        'latentDim': arch['latentDim'],
        'outputShape': arch['outputShape'],
        'outputRange': arch['outputRange'],
        'provenance': provenance,
        'generator': to_edge_arrays(checkpoint_generator(record)),
        'critic': to_edge_arrays(critic) if critic is not None else None,
    }


def check_latents(latents, latent_dim, source):
    """Latents must be [n, latentDim] float32 or float64, finite; returned as float32."""
    z = np.asarray(latents)
    if z.dtype not in (np.float32, np.float64):
        raise ValueError(f'{source}: latents must be float32 or float64, got {z.dtype}')
    if z.ndim != 2 or z.shape[1] != latent_dim or z.shape[0] < 1:
        raise ValueError(f'{source}: latents must have shape [n, {latent_dim}] (n >= 1), got {list(z.shape)}')
    bad = np.flatnonzero(~np.isfinite(z))
    if bad.size:
        raise ValueError(f'{source}: latent value {z.ravel()[bad[0]]} at index {bad[0]} is not finite')
    return z.astype(np.float32)


def check_labels(labels, count, classes, source):
    """Labels must be [count] integers in 0..classes-1; returned as int64."""
    y = np.asarray(labels)
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f'{source}: labels must be integers, got {y.dtype}')
    if y.shape != (count,):
        raise ValueError(f'{source}: labels must have shape [{count}] (one per latent), got {list(y.shape)}')
    bad = np.flatnonzero((y < 0) | (y >= classes))
    if bad.size:
        raise ValueError(f'{source}: label {y[bad[0]]} at index {bad[0]} is outside 0..{classes - 1}')
    return y.astype(np.int64)


@torch.no_grad()
def sample(generator, latents, labels=None, batch=1000):
    """Samples of the latents (float32 [n, latentDim]), and for a conditional generator their
    labels (int64 [n]), as float32 [n, *outputShape] (NHWC)."""
    device = next(generator.parameters()).device

    def part(i):
        y = None if labels is None else torch.from_numpy(labels[i:i + batch]).to(device)
        return generator(torch.from_numpy(latents[i:i + batch]).to(device), y).cpu().numpy()

    parts = [part(i) for i in range(0, len(latents), batch)]
    return np.concatenate(parts).astype(np.float32)
