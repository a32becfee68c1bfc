"""The family's losses, settings and schedules, as src/losses and src/train/optimizers.ts.

Settings are wgan-edge's TrainSettings record (camelCase keys, the same defaults per loss and
architecture kind), so a checkpoint's settings read the same on both sides.
"""
import math

import torch
import torch.nn.functional as F

LOSS_NAMES = ('gan', 'wgan', 'wgan-gp', 'wgan-c')
# The WGAN-GP authors' batch sizes: gan_toy.py 256, gan_mnist.py 50, gan_cifar.py 64.
BATCH_SIZE = {'mlp': 256, 'dcgan28': 50, 'dcgan32': 64}
WGAN_CLIP = 0.01
WGAN_LEARNING_RATE = 5e-5
WGAN_CRITIC_WARMUP = {'criticSteps': 100, 'firstGeneratorSteps': 25, 'every': 500}
GP_LAMBDA = 10
GP_LAMBDA_TOY = 0.1
GP_TOY_LEARNING_RATE = 2e-3
GP_TOY_EMA_DECAY = 0.99
CURRICULUM_CRITICS = 3
CURRICULUM_FADE = 0.5
CURRICULUM_STEPS = {'mlp': 1000, 'dcgan28': 10000, 'dcgan32': 20000}
# src/losses/penalty.ts: keeps the norm's gradient finite where the critic is flat.
NORM_EPSILON = 1e-12


def base_settings(arch_kind):
    return {
        'batchSize': BATCH_SIZE[arch_kind], 'optimizer': 'adam', 'learningRate': 1e-4, 'beta1': 0.5, 'beta2': 0.9,
        'rmsDecay': 0.99, 'epsilon': 1e-8, 'nCritic': 5, 'criticWarmup': None, 'clip': None, 'lambda': 0,
        'ganForm': 'non-saturating', 'curriculum': None, 'emaDecay': None, 'learningRateDecay': None,
    }


def default_settings(loss, arch_kind):
    """The settings a run of `loss` on an `arch_kind` network starts from (losses/index.ts defaultsFor)."""
    if loss not in LOSS_NAMES:
        raise ValueError(f"unknown loss '{loss}': use one of {', '.join(LOSS_NAMES)}")
    base = base_settings(arch_kind)
    if loss == 'gan':
        return {**base, 'learningRate': 2e-4, 'beta1': 0.5, 'beta2': 0.999, 'nCritic': 1}
    if loss == 'wgan':
        return {**base, 'optimizer': 'rmsprop', 'learningRate': WGAN_LEARNING_RATE, 'clip': WGAN_CLIP, 'criticWarmup': dict(WGAN_CRITIC_WARMUP)}
    gp = {**base, 'lambda': GP_LAMBDA} if arch_kind != 'mlp' else {
        **base, 'lambda': GP_LAMBDA_TOY, 'learningRate': GP_TOY_LEARNING_RATE, 'emaDecay': GP_TOY_EMA_DECAY}
    if loss == 'wgan-gp':
        return gp
    return {**gp, 'curriculum': {'critics': CURRICULUM_CRITICS, 'schedule': 'step', 'steps': CURRICULUM_STEPS[arch_kind], 'fade': CURRICULUM_FADE}}


def resolve_settings(loss, arch_kind, overrides):
    defaults = default_settings(loss, arch_kind)
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise ValueError(f"trainer config: unknown setting {', '.join(unknown)}; settings are {', '.join(defaults)}")
    return validate_settings({**defaults, **{k: v for k, v in overrides.items() if v is not None}})


def validate_settings(s):
    def bad(field, want):
        return ValueError(f'training settings: {field} must be {want}, got {s.get(field)!r}')

    def positive_int(v):
        return isinstance(v, int) and not isinstance(v, bool) and v >= 1

    def positive(v):
        return isinstance(v, (int, float)) and math.isfinite(v) and v > 0

    def unit_open(v):
        return isinstance(v, (int, float)) and 0 <= v < 1

    if not positive_int(s['batchSize']):
        raise bad('batchSize', 'a positive integer')
    if s['optimizer'] not in ('adam', 'rmsprop'):
        raise bad('optimizer', "'adam' or 'rmsprop'")
    if not positive(s['learningRate']):
        raise bad('learningRate', 'a positive number')
    for field in ('beta1', 'beta2', 'rmsDecay'):
        if not unit_open(s[field]):
            raise bad(field, 'in [0, 1)')
    if not positive(s['epsilon']):
        raise bad('epsilon', 'a positive number')
    if not positive_int(s['nCritic']):
        raise bad('nCritic', 'a positive integer')
    if s['clip'] is not None and not positive(s['clip']):
        raise bad('clip', 'null or a positive number')
    if not (isinstance(s['lambda'], (int, float)) and math.isfinite(s['lambda']) and s['lambda'] >= 0):
        raise bad('lambda', 'a number >= 0')
    if s['ganForm'] not in ('non-saturating', 'minimax'):
        raise bad('ganForm', "'non-saturating' or 'minimax'")
    if s['emaDecay'] is not None and not unit_open(s['emaDecay']):
        raise bad('emaDecay', 'null or in [0, 1)')
    d = s['learningRateDecay']
    if d is not None and not (isinstance(d, dict) and isinstance(d.get('start'), int) and d['start'] >= 0 and isinstance(d.get('end'), int) and d['end'] > d['start']):
        raise bad('learningRateDecay', 'null or { start >= 0, end > start } (integers)')
    return s


def critic_loss(loss, real, fake):
    """Scores [m] -> the critic's loss, without any penalty."""
    if loss == 'gan':
        # -log sigmoid(s) = softplus(-s), -log(1 - sigmoid(s)) = softplus(s).
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    return fake.mean() - real.mean()


def generator_loss(loss, fake, settings):
    if loss == 'gan':
        return -F.softplus(fake).mean() if settings['ganForm'] == 'minimax' else F.softplus(-fake).mean()
    return -fake.mean()


def interpolate(real, fake, eps):
    """xhat = eps real + (1 - eps) fake, eps [m, 1, ...]: one per sample. Leaves xhat requiring grad."""
    return (eps * real + (1 - eps) * fake).requires_grad_(True)


def gradient_penalty(xhat_scores, xhat):
    """E[(||d(sum D)/dxhat|| - 1)^2] from the critic's scores of xhat, the norm over all of a
    sample's values, kept differentiable in the critic's weights (double backprop)."""
    (gradient,) = torch.autograd.grad(xhat_scores.sum(), xhat, create_graph=True)
    norms = torch.sqrt(gradient.square().flatten(1).sum(1) + NORM_EPSILON)
    return (norms - 1).square().mean()


def critic_steps_at(step, settings):
    """Critic updates in generator step `step` (from 0): WGAN's warm-up, else nCritic."""
    w = settings['criticWarmup']
    if w is not None and (step < w['firstGeneratorSteps'] or step % w['every'] == 0):
        return w['criticSteps']
    return settings['nCritic']


def learning_rate_at(settings, step):
    decay = settings['learningRateDecay']
    if decay is None or step < decay['start']:
        return settings['learningRate']
    return settings['learningRate'] * max(0, (decay['end'] - step) / (decay['end'] - decay['start']))


def ema_decay_at(step, decay):
    """min(decay, (1 + step) / (10 + step)), the trainer's warm-up of the average."""
    return min(decay, (1 + step) / (10 + step))


def mixture_weights(curriculum, step):
    """WGAN-C's weights at generator step `step` (wgan_c.ts mixtureWeights)."""
    stages = curriculum['critics'] - 1
    position = min(step / curriculum['steps'], 1) * stages
    stage = min(math.floor(position), stages)
    weights = [0.0] * curriculum['critics']
    if stage == stages:
        weights[stages] = 1.0
        return weights
    fade = 1 if curriculum['schedule'] == 'linear' else curriculum['fade']
    moved = max(0, (position - stage - (1 - fade)) / fade)
    weights[stage] = 1 - moved
    weights[stage + 1] = moved
    return weights


class TfAdam(torch.optim.Optimizer):
    """Adam as TensorFlow's AdamOptimizer and src/train/optimizers.ts compute it (the WGAN-GP
    authors' code): lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), p -= lr_t m / (sqrt(v) + eps).
    torch.optim.Adam puts eps inside the bias correction instead."""

    def __init__(self, params, lr, betas, eps):
        super().__init__(params, {'lr': lr, 'betas': betas, 'eps': eps})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state['step'] = 0
                    state['m'] = torch.zeros_like(p)
                    state['v'] = torch.zeros_like(p)
                state['step'] += 1
                t = state['step']
                step_size = group['lr'] * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                state['m'].mul_(beta1).add_(p.grad, alpha=1 - beta1)
                state['v'].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                p.addcdiv_(state['m'], state['v'].sqrt().add_(group['eps']), value=-step_size)


def make_optimizer(params, settings):
    """RMSProp as PyTorch's (no momentum; the WGAN authors' code), which optimizers.ts follows."""
    if settings['optimizer'] == 'adam':
        return TfAdam(params, settings['learningRate'], (settings['beta1'], settings['beta2']), settings['epsilon'])
    return torch.optim.RMSprop(params, lr=settings['learningRate'], alpha=settings['rmsDecay'], eps=settings['epsilon'])
