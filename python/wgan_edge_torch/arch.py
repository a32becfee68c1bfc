"""Architecture configs, as src/models/config.ts: the same JSON a model.json's "architecture" holds.

A config is a plain dict ({'kind': 'dcgan28', 'latentDim': 128, 'dim': 64, ...}), checked by
validate_arch with the TypeScript side's rules and messages.
"""
import copy
import json
import math

ARCH_KINDS = ('mlp', 'dcgan28', 'dcgan32')
# The toy nets' hidden units (config.ts TOY_WIDTH).
TOY_WIDTH = 128
# Classes a conditional pair may have (config.ts MAX_LABELS).
MAX_LABELS = 1024
# How a DCGAN generator doubles its resolution, and its critic halves it (config.ts UPSAMPLES,
# CRITIC_DOWNSAMPLES; networks.py builds them as src/models/resample.ts); absent: the first.
UPSAMPLES = ('transposed', 'nearest', 'bilinear')
CRITIC_DOWNSAMPLES = ('strided', 'avgpool')
RESAMPLING_FIELDS = ('upsample', 'criticDownsample')

COMMON_FIELDS = {'kind', 'latentDim', 'latentComponents', 'latentComponentsAllowed', 'latentAnchors', 'labels', 'outputShape', 'outputRange', 'criticNorm'}
DCGAN_FIELDS = COMMON_FIELDS | {'dim', *RESAMPLING_FIELDS}
KNOWN_FIELDS = {'mlp': COMMON_FIELDS | {'hidden', 'depth'}, 'dcgan28': DCGAN_FIELDS, 'dcgan32': DCGAN_FIELDS}

DEFAULT_ARCHS = {
    'mlp': {'kind': 'mlp', 'latentDim': 2, 'outputShape': [2], 'outputRange': None, 'criticNorm': 'none', 'hidden': TOY_WIDTH, 'depth': 3},
    'dcgan28': {'kind': 'dcgan28', 'latentDim': 128, 'outputShape': [28, 28, 1], 'outputRange': [0, 1], 'criticNorm': 'none', 'dim': 64},
    'dcgan32': {'kind': 'dcgan32', 'latentDim': 128, 'outputShape': [32, 32, 3], 'outputRange': [-1, 1], 'criticNorm': 'none', 'dim': 128},
}


def arch_config(kind, **overrides):
    """The default config of `kind` with some fields replaced, checked (config.ts archConfig)."""
    if kind not in ARCH_KINDS:
        raise ValueError(f"unknown architecture kind '{kind}': use one of {', '.join(ARCH_KINDS)}")
    config = {**copy.deepcopy(DEFAULT_ARCHS[kind]), **{k: v for k, v in overrides.items() if v is not None}, 'kind': kind}
    return validate_arch(config)


def _positive_int(c, field):
    v = c.get(field)
    if not _is_int(v) or v < 1:
        raise ValueError(f'architecture config: {field} must be a positive integer, got {v!r}')


def _one_of(c, field, allowed):
    """An optional field: absent, or one of `allowed` (config.ts oneOf)."""
    if field in c and c[field] not in allowed:
        raise ValueError(f"architecture config: {field} must be {', '.join(repr(a) for a in allowed)} or absent, got {_js(c[field])}")


def _js(v):
    """JSON.stringify's text of a JSON value (compact)."""
    return json.dumps(v, separators=(',', ':'), default=repr)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_anchors(anchors, components, noise_dim):
    """A few-shot fine-tune's anchors (latent_mixture.ts): { points: A lists of noise_dim finite
    numbers, spread in (0, 1] }, only with latentComponents set."""
    points = anchors.get('points') if isinstance(anchors, dict) else None
    spread = anchors.get('spread') if isinstance(anchors, dict) else None
    ok = (components is not None and isinstance(points, list) and len(points) >= 1
          and all(isinstance(p, list) and len(p) == noise_dim and all(_is_number(v) and math.isfinite(v) for v in p) for p in points)
          and _is_number(spread) and 0 < spread <= 1)
    if not ok:
        shown = json.dumps(anchors, separators=(',', ':'), default=repr)[:200]
        raise ValueError(f'architecture config: latentAnchors must be {{ points: one or more lists of latentDim - latentComponents ({noise_dim}) finite numbers, '
                         f'spread: a number in (0, 1] }}, with latentComponents set; got {shown}')


def validate_arch(config):
    """Returns the config when it is good; raises ValueError naming the first bad field."""
    if not isinstance(config, dict):
        raise ValueError(f'architecture config must be an object, got {config!r}')
    c = config
    kind = c.get('kind')
    if kind not in ARCH_KINDS:
        raise ValueError(f"architecture config: unknown kind {kind!r}, use one of {', '.join(ARCH_KINDS)}")
    _positive_int(c, 'latentDim')
    k = c.get('latentComponents')
    if k is not None and not (_is_int(k) and 2 <= k < c['latentDim']):
        raise ValueError(f"architecture config: latentComponents must be an integer from 2 to latentDim - 1 ({c['latentDim'] - 1}), got {k!r}")
    allowed = c.get('latentComponentsAllowed')
    if allowed is not None:
        ok = (k is not None and isinstance(allowed, list) and len(allowed) >= 1
              and all(_is_int(a) and 0 <= a < k and (i == 0 or a > allowed[i - 1]) for i, a in enumerate(allowed)))
        if not ok:
            raise ValueError(f'architecture config: latentComponentsAllowed must be a non-empty ascending list of distinct components below latentComponents ({k}), got {allowed!r}')
    if 'latentAnchors' in c:
        _check_anchors(c['latentAnchors'], k, c['latentDim'] - (k or 0))
    labels = c.get('labels')
    if 'labels' in c and not (_is_int(labels) and 2 <= labels <= MAX_LABELS):
        raise ValueError(f'architecture config: labels must be an integer from 2 to {MAX_LABELS} (the number of classes), got {json.dumps(labels, default=repr)}')
    if c.get('criticNorm') not in ('none', 'layer'):
        raise ValueError(f"architecture config: criticNorm must be 'none' or 'layer', got {c.get('criticNorm')!r}")
    output_range = c.get('outputRange')
    if output_range is not None and list(output_range) not in ([0, 1], [-1, 1]):
        raise ValueError(f'architecture config: outputRange must be null, [0, 1] or [-1, 1], got {output_range!r}')
    shape = c.get('outputShape')
    if not isinstance(shape, list) or not shape or not all(_is_int(d) and d > 0 for d in shape):
        raise ValueError(f'architecture config: outputShape must be a list of positive integers, got {shape!r}')
    if kind == 'mlp':
        _positive_int(c, 'hidden')
        _positive_int(c, 'depth')
        for field in RESAMPLING_FIELDS:
            if field in c:
                raise ValueError(f'architecture config: {field} is for the dcgan kinds, not mlp, got {_js(c[field])}')
    else:
        _one_of(c, 'upsample', UPSAMPLES)
        _one_of(c, 'criticDownsample', CRITIC_DOWNSAMPLES)
        _positive_int(c, 'dim')
        side = 28 if kind == 'dcgan28' else 32
        if len(shape) != 3 or shape[0] != side or shape[1] != side:
            raise ValueError(f'architecture config: {kind} makes [{side}, {side}, channels] images, outputShape is {shape}')
    # A field this twin does not know would change the networks: refused, never ignored.
    unknown = sorted(set(c) - KNOWN_FIELDS[kind])
    if unknown:
        raise ValueError(f"architecture config: {', '.join(unknown)} not known to wgan_edge_torch for {kind} (a model of a newer wgan-edge?)")
    return c


def scale_width(config, factor):
    """The same architecture with its width scaled by `factor`, at least 1 (config.ts scaleWidth).
    floor(x + 0.5) is JavaScript's Math.round (Python's round() rounds halves to even)."""
    field = 'hidden' if config['kind'] == 'mlp' else 'dim'
    return {**config, field: max(1, math.floor(config[field] * factor + 0.5))}


def sample_size(config):
    return math.prod(config['outputShape'])
