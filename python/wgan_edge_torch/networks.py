"""The networks of src/models, in PyTorch, with wgan-edge's weight names and layouts.

Inputs and outputs are NHWC, as on the TypeScript side (images [n, height, width, channels],
vectors [n, d]); the convolutions run NCHW inside. Padding is TensorFlow's 'same' (for a 5x5
stride-2 convolution of an even side: 1 before, 2 after), which no symmetric PyTorch padding
gives, so it is padded (conv) or cropped (transposed conv) explicitly. The DCGAN pairs' resampling
options are src/models/resample.ts's: resize x2 then a 5x5 'same' conv ('upconvN') in place of the
transposed conv ('deconvN'), and a 5x5 conv then 2x2 'same' average pooling in place of the critic's
strided conv. Weights cross to and from a model folder by wgan-edge's names ('deconv1/kernel') in
its layouts (EDGE_LAYOUTS).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .arch import sample_size, scale_width, validate_arch
from .rng import Rng

KERNEL_SIZE = 5
STRIDE = 2
# The resampling factor of resample.ts: resize x2, pool 2x2 with stride 2.
FACTOR = 2
LEAKY_SLOPE = 0.2
BASE_SIDE = 4
# src/nn/layers.ts: layer norm's variance floor.
LAYER_NORM_EPSILON = 1e-5
# src/models/latent_mixture.ts: the centres are a pure function of the sizes and this seed.
CENTRES_SEED = 20261128
# Abramowitz and Stegun 7.1.26, the erf of latent_mixture.ts anchorOf (not torch.erf: the anchor
# of a latent next to a boundary must be the one wgan-edge picks).
ERF_P = 0.3275911
ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


class ChannelLayerNorm(nn.Module):
    """Layer norm over all of a sample's values (never across the batch: the gradient penalty is
    per sample), then a scale and shift per channel (axis 1, NCHW or [n, features])."""

    def __init__(self, channels):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        axes = tuple(range(1, x.dim()))
        centred = x - x.mean(axes, keepdim=True)
        variance = centred.square().mean(axes, keepdim=True)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return centred * torch.rsqrt(variance + LAYER_NORM_EPSILON) * self.gamma.view(shape) + self.beta.view(shape)


def same_padding(size, kernel, stride):
    """TensorFlow's 'same' padding of one axis: (before, after)."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv_same(layer, x):
    before, after = same_padding(x.shape[-1], layer.kernel_size[0], layer.stride[0])
    return layer(F.pad(x, (before, after, before, after)))


def deconv_same(layer, x):
    """The transposed 'same' conv that multiplies the side by its stride: the full transposed
    conv (no padding), cropped as the forward conv of the larger side pads."""
    side = x.shape[-1] * layer.stride[0]
    before, _ = same_padding(side, layer.kernel_size[0], layer.stride[0])
    return layer(x)[:, :, before:before + side, before:before + side]


def upsample_name(mode, index):
    """resample.ts upsampleLayerName: the transposed conv keeps 'deconvN' (existing weights load)."""
    return f'deconv{index}' if mode == 'transposed' else f'upconv{index}'


def upsample_same(layer, mode, x):
    """resample.ts upsample: doubles the side. 'nearest' is tf.image.resizeNearestNeighbor's
    default (source pixel floor(dst / 2), as PyTorch's 'nearest' reads it for a factor of 2);
    'bilinear' is resizeBilinear with half-pixel centres (PyTorch's align_corners=False, both
    clamping at the edges). Then the 5x5 stride-1 'same' conv."""
    if mode == 'transposed':
        return deconv_same(layer, x)
    size = (x.shape[-2] * FACTOR, x.shape[-1] * FACTOR)
    resized = F.interpolate(x, size=size, mode='nearest') if mode == 'nearest' else F.interpolate(x, size=size, mode='bilinear', align_corners=False)
    return conv_same(layer, resized)


def avg_pool_same(x):
    """tf.avgPool(x, 2, 2, 'same'): on an odd side the last window hangs over the edge and
    TensorFlow averages only its cells inside the image (1 or 2 of them, not 4): sums over the
    padded windows, divided by the count of real cells in each."""
    before, after = same_padding(x.shape[-1], FACTOR, FACTOR)
    pad = (before, after, before, after)
    sums = F.avg_pool2d(F.pad(x, pad), FACTOR, FACTOR, divisor_override=1)
    counts = F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), pad), FACTOR, FACTOR, divisor_override=1)
    return sums / counts


def downsample_same(layer, mode, x):
    """resample.ts downsample: halves the side, rounding up; the layer's stride is 2 ('strided') or 1 ('avgpool')."""
    h = conv_same(layer, x)
    return h if mode == 'strided' else avg_pool_same(h)


def squash(x, output_range):
    if output_range is None:
        return x
    return torch.sigmoid(x) if output_range[0] == 0 else torch.tanh(x)


_centres_memo = {}


def mixture_centres(components, noise_dim):
    """The K x noiseDim centres of latent_mixture.ts, the same float32 numbers."""
    key = (components, noise_dim)
    if key not in _centres_memo:
        rng = Rng(CENTRES_SEED)
        values = [rng.normal() for _ in range(components * noise_dim)]
        _centres_memo[key] = np.array(values, dtype=np.float32).reshape(components, noise_dim)
    return _centres_memo[key]


def anchor_of(first, anchors):
    """latent_mixture.ts anchorOf: min(A - 1, floor(A Phi(z_0))) for a tensor of first latent
    values, Phi by A&S 7.1.26 in float64 with anchorOf's operations in its order."""
    x = first.double() / math.sqrt(2)
    t = 1 / (1 + ERF_P * x.abs())
    a1, a2, a3, a4, a5 = ERF_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    erf = torch.sign(x) * (1 - poly * torch.exp(-x * x))
    return torch.clamp(torch.floor(anchors * (1 + erf) / 2), max=anchors - 1).long()


def check_input(x, sample_shape, what):
    if x.dim() != len(sample_shape) + 1 or list(x.shape[1:]) != list(sample_shape):
        raise ValueError(f"{what} expects input [batch, {', '.join(map(str, sample_shape))}], got {list(x.shape)}")


def check_labels(labels, x, classes, what):
    """network.ts checkLabels: labels only for a conditional network, one integer per sample;
    and each in 0..classes-1 (a one-hot of another value would be all zeros)."""
    if classes is None:
        if labels is not None:
            raise ValueError(f'{what} is unconditional: it takes no labels, got a {list(labels.shape)} label tensor')
        return
    if labels is None:
        raise ValueError(f'{what} is conditional ({classes} labels): it needs labels, an integer tensor [{x.shape[0]}]')
    if labels.dim() != 1 or labels.shape[0] != x.shape[0] or labels.dtype.is_floating_point or labels.dtype == torch.bool:
        raise ValueError(f'{what} expects labels as integers [{x.shape[0]}] (one per sample), got {labels.dtype} {list(labels.shape)}')
    if labels.numel() and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)][0].item()
        raise ValueError(f'{what}: label {bad} is outside 0..{classes - 1}')


def one_hot(labels, classes):
    return F.one_hot(labels.long(), classes).float()


class Generator(nn.Module):
    """Latents [n, latentDim] -> samples [n, *outputShape] (NHWC for images)."""

    def __init__(self, arch):
        super().__init__()
        self.arch = validate_arch(arch)
        c = self.arch
        self.components = c.get('latentComponents') or 0
        self.allowed = c.get('latentComponentsAllowed')
        anchors = c.get('latentAnchors')
        self.anchor_spread = anchors['spread'] if anchors is not None else None
        self.labels = c.get('labels')
        noise = c['latentDim'] - self.components
        if anchors is not None:
            # Not weights: the architecture holds them, so the state dict does not.
            self.register_buffer('centres', torch.tensor(anchors['points'], dtype=torch.float32), persistent=False)
        elif self.components:
            self.register_buffer('centres', torch.from_numpy(mixture_centres(self.components, noise).copy()), persistent=False)
        # The layers read the latent (after the mixture's transform), then a one-hot label.
        inputs = noise + (self.labels or 0)
        if c['kind'] == 'mlp':
            for i in range(c['depth']):
                setattr(self, f'dense{i}', nn.Linear(inputs, c['hidden']))
                inputs = c['hidden']
            self.output = nn.Linear(inputs, sample_size(c))
        else:
            dim, channels = c['dim'], c['outputShape'][2]
            self.upsample = c.get('upsample', 'transposed')
            self.input = nn.Linear(inputs, BASE_SIDE * BASE_SIDE * 4 * dim)
            for i, (ins, outs) in enumerate(((4 * dim, 2 * dim), (2 * dim, dim), (dim, channels)), 1):
                layer = (nn.ConvTranspose2d(ins, outs, KERNEL_SIZE, FACTOR) if self.upsample == 'transposed'
                         else nn.Conv2d(ins, outs, KERNEL_SIZE, 1))
                setattr(self, upsample_name(self.upsample, i), layer)

    def mixture_input(self, z):
        """latent_mixture.ts mixtureInput: the argmax of the first K values (over the allowed
        components only, when the architecture names some) picks a centre; the rest is its noise.
        With latentAnchors, z_0 picks an anchor and the input is (anchor + spread noise) / sqrt(2)."""
        k = self.components
        if self.anchor_spread is not None:
            anchor = anchor_of(z[:, 0], len(self.centres))
            return (self.centres[anchor] + self.anchor_spread * z[:, k:]) * math.sqrt(0.5)
        choice = z[:, :k]
        if self.allowed is not None and len(self.allowed) < k:
            allowed = torch.tensor(self.allowed, device=z.device)
            component = allowed[torch.argmax(choice[:, allowed], 1)]
        else:
            component = torch.argmax(choice, 1)
        return (self.centres[component] + z[:, k:]) * math.sqrt(0.5)

    def forward(self, z, labels=None):
        c = self.arch
        what = f"the {c['kind']} generator"
        check_input(z, [c['latentDim']], what)
        check_labels(labels, z, self.labels, what)
        h = self.mixture_input(z) if self.components else z
        if self.labels is not None:
            h = torch.cat([h, one_hot(labels, self.labels)], 1)
        n = z.shape[0]
        if c['kind'] == 'mlp':
            for i in range(c['depth']):
                h = torch.relu(getattr(self, f'dense{i}')(h))
            return squash(self.output(h), c['outputRange']).reshape(n, *c['outputShape'])
        dim = c['dim']
        h = torch.relu(self.input(h)).view(n, BASE_SIDE, BASE_SIDE, 4 * dim).permute(0, 3, 1, 2)
        mode = self.upsample
        h = torch.relu(upsample_same(getattr(self, upsample_name(mode, 1)), mode, h))
        if c['kind'] == 'dcgan28':
            h = h[:, :, :7, :7]
        h = torch.relu(upsample_same(getattr(self, upsample_name(mode, 2)), mode, h))
        return squash(upsample_same(getattr(self, upsample_name(mode, 3)), mode, h), c['outputRange']).permute(0, 2, 3, 1)


class Critic(nn.Module):
    """Samples [n, *outputShape] (NHWC for images) -> scores [n, 1], no sigmoid. A conditional
    critic adds the projection <embed(y), h> of its features h (src/models/index.ts createCritic);
    the embedding 'projection/kernel' is [labels, features], wgan-edge's layout."""

    def __init__(self, arch):
        super().__init__()
        self.arch = validate_arch(arch)
        c = self.arch
        layer_norm = c['criticNorm'] == 'layer'
        if c['kind'] == 'mlp':
            inputs = sample_size(c)
            for i in range(c['depth']):
                setattr(self, f'dense{i}', nn.Linear(inputs, c['hidden']))
                if layer_norm:
                    setattr(self, f'norm{i}', ChannelLayerNorm(c['hidden']))
                inputs = c['hidden']
            self.output = nn.Linear(inputs, 1)
        else:
            dim, channels = c['dim'], c['outputShape'][2]
            self.downsample = c.get('criticDownsample', 'strided')
            # The first conv is strided either way; 'avgpool' pools after convs 2 and 3.
            stride = STRIDE if self.downsample == 'strided' else 1
            self.conv1 = nn.Conv2d(channels, dim, KERNEL_SIZE, STRIDE)
            self.conv2 = nn.Conv2d(dim, 2 * dim, KERNEL_SIZE, stride)
            if layer_norm:
                self.norm2 = ChannelLayerNorm(2 * dim)
            self.conv3 = nn.Conv2d(2 * dim, 4 * dim, KERNEL_SIZE, stride)
            if layer_norm:
                self.norm3 = ChannelLayerNorm(4 * dim)
            self.output = nn.Linear(BASE_SIDE * BASE_SIDE * 4 * dim, 1)
        self.labels = c.get('labels')
        if self.labels is not None:
            self.projection = nn.Parameter(torch.zeros(self.labels, self.output.in_features))

    def forward(self, x, labels=None):
        h = self.features(x, labels)
        score = self.output(h)
        if self.labels is None:
            return score
        # A matmul picks the rows, as layers.ts projection does.
        return score + (h * (one_hot(labels, self.labels) @ self.projection)).sum(1, keepdim=True)

    def features(self, x, labels=None):
        """What the head reads: [n, features]."""
        c = self.arch
        what = f"the {c['kind']} critic"
        check_input(x, c['outputShape'], what)
        check_labels(labels, x, self.labels, what)
        n = x.shape[0]
        layer_norm = c['criticNorm'] == 'layer'
        if c['kind'] == 'mlp':
            h = x.reshape(n, sample_size(c))
            for i in range(c['depth']):
                h = getattr(self, f'dense{i}')(h)
                if layer_norm:
                    h = getattr(self, f'norm{i}')(h)
                h = torch.relu(h)
            return h
        h = F.leaky_relu(conv_same(self.conv1, x.permute(0, 3, 1, 2)), LEAKY_SLOPE)
        for i in (2, 3):
            h = downsample_same(getattr(self, f'conv{i}'), self.downsample, h)
            if layer_norm:
                h = getattr(self, f'norm{i}')(h)
            h = F.leaky_relu(h, LEAKY_SLOPE)
        return h.permute(0, 2, 3, 1).reshape(n, -1)


class MixtureCritic(nn.Module):
    """WGAN-C's convex mixture of critics of rising width (src/losses/wgan_c.ts): critic i of K
    has 2^(i - K + 1) times the architecture's width. Members with zero weight are not run."""

    def __init__(self, arch, critics):
        super().__init__()
        self.arch = validate_arch(arch)
        self.members = nn.ModuleList([Critic(scale_width(arch, 2 ** (i - critics + 1))) for i in range(critics)])

    def forward(self, x, weights, labels=None):
        if len(weights) != len(self.members):
            raise ValueError(f'mixture critic: {len(self.members)} critics, {len(weights)} weights given')
        terms = [member(x, labels) * w for member, w in zip(self.members, weights) if w > 0]
        if not terms:
            raise ValueError(f'mixture critic: all weights are zero ({weights})')
        return sum(terms[1:], terms[0])


def initialize(network, generator):
    """src/nn/init.ts, drawn from the torch.Generator `generator`: the DCGAN pair takes PyTorch's
    default layer init (U(+-1/sqrt(fan-in)) for weights and biases); the MLPs He normal before
    ReLU and Glorot uniform on their last layer, zero biases. Same distributions as wgan-edge,
    not the same numbers (tfjs draws its own)."""
    kind = network.arch['kind']
    last = network.output if kind == 'mlp' else None
    with torch.no_grad():
        for layer in network.modules():
            if not isinstance(layer, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                continue
            w = layer.weight
            # PyTorch's fan-in: a transposed conv reads it off its weight's second dimension.
            fan_in = w.shape[1] * (w[0][0].numel() if w.dim() > 2 else 1)
            if kind != 'mlp':
                bound = 1 / math.sqrt(fan_in)
                w.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)
            elif layer is last:
                limit = math.sqrt(6 / (fan_in + w.shape[0]))
                w.uniform_(-limit, limit, generator=generator)
                layer.bias.zero_()
            else:
                w.normal_(0, math.sqrt(2 / fan_in), generator=generator)
                layer.bias.zero_()
        # The class embedding, scaled like a dense layer of `features` inputs (layers.ts defineProjection).
        for critic in network.modules():
            if isinstance(critic, Critic) and critic.labels is not None:
                features = critic.projection.shape[1]
                bound = 1 / math.sqrt(features) if kind != 'mlp' else math.sqrt(6 / (features + 1))
                critic.projection.uniform_(-bound, bound, generator=generator)
    return network


# wgan-edge layout <- PyTorch layout, per layer type: dense kernels are [in, out] (Linear's
# weight is [out, in]); conv kernels [k, k, in, out] (Conv2d: [out, in, k, k]); transposed conv
# kernels [k, k, out, in] (ConvTranspose2d: [in, out, k, k]). Both conv kinds permute alike.
def _edge_kernel(layer, w):
    return w.t() if isinstance(layer, nn.Linear) else w.permute(2, 3, 1, 0)


def _torch_kernel(layer, k):
    return k.t() if isinstance(layer, nn.Linear) else k.permute(3, 2, 0, 1)


def _edge_layers(network, prefix=''):
    """(wgan-edge layer name, layer) in the order src/models defines them."""
    for name, layer in network.named_children():
        if isinstance(layer, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d, ChannelLayerNorm)):
            yield prefix + name, layer


def _edge_params(network, prefix=''):
    """(wgan-edge weight name, parameter, to edge layout, from edge layout), in wgan-edge's order."""
    if isinstance(network, MixtureCritic):
        for i, member in enumerate(network.members):
            yield from _edge_params(member, f'{prefix}critic{i}/')
        return
    for name, layer in _edge_layers(network, prefix):
        if isinstance(layer, ChannelLayerNorm):
            yield f'{name}/gamma', layer.gamma, None, None
            yield f'{name}/beta', layer.beta, None, None
        else:
            yield f'{name}/kernel', layer.weight, lambda w, l=layer: _edge_kernel(l, w), lambda k, l=layer: _torch_kernel(l, k)
            yield f'{name}/bias', layer.bias, None, None
    if isinstance(network, Critic) and network.labels is not None:
        yield f'{prefix}projection/kernel', network.projection, None, None


def edge_shapes(network):
    return {name: list((to_edge(p) if to_edge else p).shape) for name, p, to_edge, _ in _edge_params(network)}


def to_edge_arrays(network, gradients=False):
    """The weights (or their gradients) as wgan-edge names them: {name: float32 array in its
    layout}, in its order."""
    out = {}
    with torch.no_grad():
        for name, p, to_edge, _ in _edge_params(network):
            value = p.grad if gradients else p
            if value is None:
                raise ValueError(f"'{name}' has no gradient")
            value = to_edge(value) if to_edge else value
            out[name] = value.detach().to('cpu', torch.float32).contiguous().numpy().copy()
    return out


def load_edge_arrays(network, arrays, what):
    """Sets the weights from wgan-edge arrays, checking names, shapes and finiteness first (all or nothing)."""
    expected = edge_shapes(network)
    missing = [n for n in expected if n not in arrays]
    extra = [n for n in arrays if n not in expected]
    if missing or extra:
        raise ValueError(f"{what}: names do not match the network" + (f"; missing {', '.join(missing)}" if missing else '')
                         + (f"; unexpected {', '.join(extra)}" if extra else ''))
    for name, shape in expected.items():
        got = list(np.shape(arrays[name]))
        if got != shape:
            raise ValueError(f"{what}: '{name}' has shape {got}, the network needs {shape}")
        bad = np.flatnonzero(~np.isfinite(arrays[name]))
        if bad.size:
            raise ValueError(f"{what}: '{name}' holds a non-finite value ({np.ravel(arrays[name])[bad[0]]}) at index {bad[0]}")
    with torch.no_grad():
        for name, p, _, from_edge in _edge_params(network):
            value = torch.from_numpy(np.ascontiguousarray(arrays[name], dtype=np.float32))
            p.copy_(from_edge(value) if from_edge else value)
    return network
