"""`vidgen train`'s flags -> a `TrainConfig`: a preset or a config file, then every flag given."""

import dataclasses

from keras_vidgen import config as vidgen_config

# Flag -> (config section or None for top level, field name).
_TRAIN_FLAGS = {
    "data": ("data", "data"),
    "frames": ("data", "frames"),
    "size": ("data", "size"),
    "batch_size": ("data", "batch_size"),
    "stride": ("data", "stride"),
    "fps": ("data", "fps"),
    "clips_per_video": ("data", "clips_per_video"),
    "clip_starts": ("data", "clip_starts"),
    "crop": ("data", "crop"),
    "flip": ("data", "flip"),
    "grayscale": ("data", "grayscale"),
    "labels": ("data", "labels"),
    "short_videos": ("data", "short_videos"),
    "on_error": ("data", "on_error"),
    "cache": ("data", "cache"),
    "arch": ("model", "arch"),
    "latent_dim": ("model", "latent_dim"),
    "g_filters": ("model", "g_filters"),
    "d_filters": ("model", "d_filters"),
    "spectral_norm": ("model", "spectral_norm"),
    "ema_decay": ("model", "ema_decay"),
    "num_classes": ("model", "num_classes"),
    "context_frames": ("model", "context_frames"),
    "n_critic": (None, "n_critic"),
    "gp_weight": (None, "gp_weight"),
    "r1_gamma": (None, "r1_gamma"),
    "r1_interval": (None, "r1_interval"),
    "augment": (None, "augment"),
    "recon_weight": (None, "recon_weight"),
    "backup_dir": (None, "backup_dir"),
    "backup_every": (None, "backup_every"),
    "name": (None, "name"),
    "loss": (None, "loss"),
    "g_lr": (None, "g_learning_rate"),
    "d_lr": (None, "d_learning_rate"),
    "lr_schedule": (None, "lr_schedule"),
    "epochs": (None, "epochs"),
    "steps_per_epoch": (None, "steps_per_epoch"),
    "max_minutes": (None, "max_minutes"),
    "strategy": (None, "strategy"),
    "mixed_precision": (None, "mixed_precision"),
    "jit_compile": (None, "jit_compile"),
    "seed": (None, "seed"),
    "logdir": (None, "logdir"),
    "export_dir": (None, "export_dir"),
    "num_samples": (None, "num_samples"),
}


def config_from_args(args):
    """Builds the `TrainConfig` of `vidgen train`: a preset or a config file, then the flags."""
    if args.config:
        config = vidgen_config.TrainConfig.load(args.config)
    else:
        config = vidgen_config.preset(args.preset)
    sections = {"data": {}, "model": {}, None: {}}
    for flag, (section, field) in _TRAIN_FLAGS.items():
        value = getattr(args, flag)
        if value is not None:
            sections[section][field] = value
    if args.no_export:
        sections[None]["export_dir"] = None
    if args.no_validate:
        sections["data"]["validate"] = False
    return dataclasses.replace(
        config,
        data=dataclasses.replace(config.data, **sections["data"]),
        model=dataclasses.replace(config.model, **sections["model"]),
        **sections[None],
    )
