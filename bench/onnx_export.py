#!/usr/bin/python3
"""The onnxruntime side of bench/onnx.bench.ts: a wgan-edge model folder's generator, exported to
ONNX by the PyTorch twin (python/wgan_edge_torch reads the folder, so the weights are the very
values the wgan-edge side loads).

  /usr/bin/python3 bench/onnx_export.py --model DIR --out FILE.onnx [--check LATENTS.f32 --check-out OUT.f32]

Latents [n, latentDim] in, samples [n, height, width, channels] (NHWC, as wgan-edge) out; the
batch axis is dynamic. With --check, also writes the PyTorch generator's samples of the given
float32 latents, so that the bench can compare three runtimes on the same input.
Needs Debian's python3-torch (torch 1.13, whose exporter needs no onnx package).
"""
import argparse
import json
import os
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
from wgan_edge_torch.model import load_model  # noqa: E402

# Opset 13 has every op the DCGAN generators use (Gemm, ConvTranspose, Slice, Transpose, Sigmoid/Tanh).
OPSET = 13


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--model', required=True, help='wgan-edge model folder')
    parser.add_argument('--out', required=True, help='the .onnx file to write')
    parser.add_argument('--check', help='float32 latents [n, latentDim], raw little-endian')
    parser.add_argument('--check-out', help="where the PyTorch generator's samples of --check go (float32)")
    args = parser.parse_args()
    if (args.check is None) != (args.check_out is None):
        parser.error('--check and --check-out go together')

    torch.set_num_threads(1)
    # The trace fixes the image sides (the paddings computed from them); only the batch is dynamic.
    warnings.filterwarnings('ignore', category=torch.jit.TracerWarning)
    generator, _, contents = load_model(args.model)
    latent_dim = contents['latentDim']
    example = torch.zeros(2, latent_dim)
    with torch.no_grad():
        torch.onnx.export(
            generator, example, args.out, opset_version=OPSET,
            input_names=['latents'], output_names=['samples'],
            dynamic_axes={'latents': {0: 'batch'}, 'samples': {0: 'batch'}},
        )
        if args.check is not None:
            latents = np.fromfile(args.check, dtype='<f4').reshape(-1, latent_dim)
            samples = generator(torch.from_numpy(latents)).numpy().astype('<f4')
            samples.tofile(args.check_out)
    print(json.dumps({'torch': torch.__version__, 'opset': OPSET, 'latentDim': latent_dim, 'out': args.out}))


if __name__ == '__main__':
    main()
