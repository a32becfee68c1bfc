"""wgan_edge_torch: wgan-edge's networks, losses and model folders in PyTorch, for training on many GPUs."""
from .arch import arch_config, validate_arch
from .losses import default_settings
from .model import check_latents, checkpoint_contents, checkpoint_generator, load_model, sample
from .model_folder import ModelFormatError, read_model_dir, write_model_dir
from .networks import Critic, Generator, MixtureCritic, load_edge_arrays, to_edge_arrays
from .trainer import Placement, Trainer, load_checkpoint

__all__ = ['arch_config', 'validate_arch', 'default_settings', 'check_latents', 'checkpoint_contents', 'checkpoint_generator',
           'load_model', 'sample', 'ModelFormatError', 'read_model_dir', 'write_model_dir', 'Critic', 'Generator',
           'MixtureCritic', 'load_edge_arrays', 'to_edge_arrays', 'Placement', 'Trainer', 'load_checkpoint']
