"""wgan-edge model folders (src/io/format.ts, src/io/codec.ts): model.json plus one shard per
network (generator.bin, critic.bin) in the tfjs weights-manifest layout, each with its sha256.

Weights are float32 in memory; on disk float32, float16 or uint8 (value = q * scale + min, per
weight), as --storage picks. Reading checks what wgan-edge's loader checks: format and version,
plain shard names, sizes, checksums, finite values.
"""
import hashlib
import json
import math
import os
import re
import shutil

import numpy as np

MODEL_FORMAT = 'wgan-edge/model'
MODEL_FORMAT_VERSION = 1
MODEL_JSON = 'model.json'
STORAGES = ('float32', 'float16', 'uint8')
NETWORKS = ('generator', 'critic')
SAFE_SHARD_NAME = re.compile(r'^[\w-][\w.-]*$')
# As src/io/node_files.ts: a real model.json is a few KB.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


class ModelFormatError(ValueError):
    """A model folder is unusable; the message names the file at fault."""


def _encode(values, storage):
    values = np.ascontiguousarray(values, dtype=np.float32).ravel()
    if storage == 'float32':
        return values.astype('<f4').tobytes(), None
    if storage == 'float16':
        return values.astype('<f2').tobytes(), {'dtype': 'float16'}
    low = float(values.min()) if values.size else 0.0
    high = float(values.max()) if values.size else 0.0
    scale = (high - low) / 255 if high > low else 1.0
    # floor(x + 0.5): JavaScript's Math.round, as src/io/quantize.ts rounds.
    q = np.floor((values.astype(np.float64) - low) / scale + 0.5).astype(np.uint8)
    return q.tobytes(), {'dtype': 'uint8', 'scale': scale, 'min': low}


def _bytes_per_value(quantization):
    if quantization is None:
        return 4
    return 2 if quantization['dtype'] == 'float16' else 1


def _decode(data, count, quantization):
    if quantization is None:
        return np.frombuffer(data, dtype='<f4', count=count).astype(np.float32)
    if quantization['dtype'] == 'float16':
        return np.frombuffer(data, dtype='<f2', count=count).astype(np.float32)
    q = np.frombuffer(data, dtype=np.uint8, count=count).astype(np.float64)
    return (q * quantization.get('scale', 1) + quantization.get('min', 0)).astype(np.float32)


def encode_model(contents, storage='float32'):
    """contents: architecture, latentDim, outputShape, outputRange, provenance, generator, critic
    (arrays by wgan-edge name, or None). Returns (model.json dict, {shard name: bytes})."""
    if storage not in STORAGES:
        raise ValueError(f"storage must be one of {', '.join(STORAGES)}, got {storage!r}")
    files, manifest = {}, []
    for network in NETWORKS:
        arrays = contents.get(network)
        if arrays is None:
            continue
        weights, parts = [], []
        for name, values in arrays.items():
            bad = np.flatnonzero(~np.isfinite(values))
            if bad.size:
                raise ValueError(f"{network} weight '{name}' holds {np.ravel(values)[bad[0]]} at index {bad[0]}: refusing to write non-finite weights")
            data, quantization = _encode(values, storage)
            weights.append({'name': name, 'shape': list(np.shape(values)), 'dtype': 'float32', **({'quantization': quantization} if quantization else {})})
            parts.append(data)
        shard = b''.join(parts)
        path = f'{network}.bin'
        files[path] = shard
        manifest.append({'network': network, 'paths': [path], 'sha256': [hashlib.sha256(shard).hexdigest()], 'weights': weights})
    model_json = {
        'format': MODEL_FORMAT,
        'formatVersion': MODEL_FORMAT_VERSION,
        'architecture': contents['architecture'],
        'latentDim': contents['latentDim'],
        'outputShape': contents['outputShape'],
        'outputRange': contents['outputRange'],
        'provenance': contents['provenance'],
        'weightsManifest': manifest,
    }
    return model_json, files


def write_model_dir(directory, contents, storage='float32', extra_files=None):
    """Writes the folder whole or not at all: into a sibling, then renamed over `directory`. An
    existing `directory` is replaced only when it is a model folder (never another folder).
    extra_files: {name: bytes} written beside the model's own (a run's history.json)."""
    directory = os.path.normpath(directory)
    if os.path.exists(directory):
        if not os.path.isdir(directory):
            raise ValueError(f'{directory}: exists and is not a folder')
        if os.listdir(directory) and not os.path.isfile(os.path.join(directory, MODEL_JSON)):
            raise ValueError(f'{directory}: a folder that is not a model folder (no {MODEL_JSON}); choose another --out')
    model_json, files = encode_model(contents, storage)
    files = {**(extra_files or {}), **files}
    partial = f'{directory}.partial-{os.getpid()}'
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    try:
        for name, data in files.items():
            with open(os.path.join(partial, name), 'wb') as f:
                f.write(data)
        with open(os.path.join(partial, MODEL_JSON), 'w') as f:
            f.write(json.dumps(model_json, indent=2) + '\n')
        if os.path.exists(directory):
            old = f'{directory}.old-{os.getpid()}'
            os.rename(directory, old)
            os.rename(partial, directory)
            shutil.rmtree(old)
        else:
            os.rename(partial, directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return model_json


def _fail(file, why):
    raise ModelFormatError(f'{file}: {why}')


def _read_file(path, limit):
    if not os.path.exists(path):
        _fail(path, 'not found.')
    if not os.path.isfile(path):
        _fail(path, 'is not a regular file.')
    size = os.path.getsize(path)
    if size > limit:
        _fail(path, f'is {size} bytes, larger than {limit} ({"the limit for a manifest" if limit == MAX_MANIFEST_BYTES else "what its manifest needs"}).')
    with open(path, 'rb') as f:
        return f.read()


def read_model_dir(directory, networks=NETWORKS):
    """A model folder as contents (encode_model's form), every file checked first."""
    json_path = os.path.join(directory, MODEL_JSON)
    try:
        m = json.loads(_read_file(json_path, MAX_MANIFEST_BYTES))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        _fail(json_path, f'is not valid JSON ({e}).')
    if not isinstance(m, dict) or m.get('format') != MODEL_FORMAT:
        _fail(json_path, f'is not a wgan-edge model (format is {json.dumps(m.get("format") if isinstance(m, dict) else None)}, expected "{MODEL_FORMAT}").')
    if m.get('formatVersion') != MODEL_FORMAT_VERSION:
        _fail(json_path, f'has format version {json.dumps(m.get("formatVersion"))}; this reader knows version {MODEL_FORMAT_VERSION}.')
    if not isinstance(m.get('architecture'), dict):
        _fail(json_path, 'has no "architecture" object.')
    manifest = m.get('weightsManifest')
    if not isinstance(manifest, list) or not manifest:
        _fail(json_path, 'has no weightsManifest.')
    decoded = {}
    for group in manifest:
        network = group.get('network')
        if network not in NETWORKS:
            _fail(json_path, f'names an unknown network {json.dumps(network)}.')
        if network in networks:
            decoded[network] = _read_group(directory, group, json_path)
    if 'generator' not in decoded:
        _fail(json_path, 'has no generator weights.')
    return {
        'architecture': m['architecture'],
        'latentDim': m.get('latentDim'),
        'outputShape': m.get('outputShape'),
        'outputRange': m.get('outputRange'),
        'provenance': m.get('provenance', {}),
        'generator': decoded['generator'],
        'critic': decoded.get('critic'),
    }


def _read_group(directory, group, json_path):
    paths, sums, weights = group.get('paths'), group.get('sha256'), group.get('weights')
    if not isinstance(paths, list) or not isinstance(sums, list) or len(paths) != len(sums) or not isinstance(weights, list):
        _fail(json_path, f'the {group["network"]} group needs "paths", one "sha256" per path and "weights".')
    for path in paths:
        if not isinstance(path, str) or not SAFE_SHARD_NAME.match(path):
            _fail(json_path, f'shard path {json.dumps(path)} must be a plain file name beside {MODEL_JSON}.')
    for w in weights:
        q = w.get('quantization')
        if w.get('dtype') != 'float32' or (q is not None and q.get('dtype') not in ('float16', 'uint8')):
            _fail(json_path, f"{group['network']} weight {json.dumps(w.get('name'))}: only float32, optionally stored as float16 or uint8, is supported.")
    expected = sum(math.prod(w['shape']) * _bytes_per_value(w.get('quantization')) for w in weights)
    shards = []
    for path, digest in zip(paths, sums):
        file = os.path.join(directory, path)
        data = _read_file(file, expected - sum(map(len, shards)))
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest:
            _fail(file, f'checksum mismatch (sha256 {actual}, {MODEL_JSON} expects {digest}): the file is corrupt or from another model.')
        shards.append(data)
    data = b''.join(shards)
    if len(data) != expected:
        _fail(os.path.join(directory, ', '.join(paths)), f'truncated ({len(data)} bytes, the manifest needs {expected}).')
    arrays, offset = {}, 0
    for w in weights:
        count = math.prod(w['shape'])
        length = count * _bytes_per_value(w.get('quantization'))
        values = _decode(data[offset:offset + length], count, w.get('quantization')).reshape(w['shape'])
        offset += length
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            _fail(os.path.join(directory, paths[0]), f"weight '{w['name']}' holds {values.ravel()[bad[0]]} at index {bad[0]}: refusing a model with non-finite weights.")
        arrays[w['name']] = values
    return arrays
