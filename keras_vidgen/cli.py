"""`vidgen`: a thin command-line shell over `train()`, `export_generator()` and sampling.

Flags become a `TrainConfig`; all work happens in importable functions that the tests call.
"""

import argparse
import dataclasses
import os
import sys

from keras_vidgen import config as vidgen_config

# Flag -> (config section or None for top level, field name).
_TRAIN_FLAGS = {
    "data": ("data", "data"),
    "frames": ("data", "frames"),
    "size": ("data", "size"),
    "batch_size": ("data", "batch_size"),
    "stride": ("data", "stride"),
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
    "epochs": (None, "epochs"),
    "steps_per_epoch": (None, "steps_per_epoch"),
    "max_minutes": (None, "max_minutes"),
    "seed": (None, "seed"),
    "logdir": (None, "logdir"),
    "export_dir": (None, "export_dir"),
    "num_samples": (None, "num_samples"),
}


def main(argv=None):
    """Runs the `vidgen` command; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except (FileNotFoundError, FileExistsError, ValueError) as error:
        print(f"vidgen {args.command}: error: {error}", file=sys.stderr)
        return 1


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
    return dataclasses.replace(
        config,
        data=dataclasses.replace(config.data, **sections["data"]),
        model=dataclasses.replace(config.model, **sections["model"]),
        **sections[None],
    )


def _train(args):
    from keras_vidgen.train import train

    config = config_from_args(args)
    result = train(config)
    print(f"\nTrained for {result.seconds:.0f} s on {result.data_path}")
    print(f"  run folder:   {result.run_dir}  (config.json, checkpoint.keras)")
    print(f"  samples:      {result.sample_path}")
    if result.export_path:
        print(f"  SavedModel:   {result.export_path}  (TF Serving: --model_base_path="
              f"{os.path.abspath(os.path.dirname(result.export_path))})")
    print(f"  TensorBoard:  tensorboard --logdir {result.logdir}  then open http://localhost:6006")
    return 0


def _sample(args):
    from keras_vidgen import media
    from keras_vidgen.sample import load_sampler

    videos = load_sampler(args.model)(args.num, seed=args.seed)
    media.write_video(args.out, media.tile_videos(videos), fps=args.fps)
    print(f"Wrote {args.num} video(s) of shape {videos.shape[1:]} to {args.out}")


def _export(args):
    import keras

    from keras_vidgen.export import export_generator

    if not os.path.exists(args.checkpoint):
        raise FileNotFoundError(f"Checkpoint {args.checkpoint!r} does not exist.")
    model = keras.models.load_model(args.checkpoint)
    path = export_generator(
        model, os.path.join(args.export_dir, args.name), version=args.version,
        overwrite=args.overwrite,
    )
    print(f"Exported the generator to {path}")


def _make_shapes(args):
    from keras_vidgen.data import make_moving_shapes

    path = make_moving_shapes(
        args.out_dir, num_videos=args.num, frames=args.frames, size=args.size, seed=args.seed,
        verbose=1,
    )
    print(f"Wrote {args.num} moving-shapes videos and manifest.jsonl to {path}")


def _evaluate(args):
    import json

    from keras_vidgen import metrics
    from keras_vidgen.sample import load_sampler

    extractor = metrics.load_extractor(args.features)
    generated = load_sampler(args.model)(args.num_samples, seed=args.seed)
    real = metrics.real_clips(args.data, args.num_samples, generated.shape[1], generated.shape[2], seed=args.seed)
    result = dict(metrics.evaluate(generated, real, extractor), model=args.model, data=args.data)
    for key in ("fvd", "kvd", "kvd_std", "num_generated", "num_real", "frames", "size", "extractor"):
        print(f"{key:>14}  {result[key]:.4f}" if isinstance(result[key], float) else f"{key:>14}  {result[key]}")
    if args.out:
        with open(args.out, "w") as file:
            json.dump(result, file, indent=2)
        print(f"Wrote {args.out}")


def _train_extractor(args):
    from keras_vidgen.metrics import train_extractor

    path, accuracies = train_extractor(
        args.shapes_dir, args.out, frames=args.frames, size=args.size, epochs=args.epochs, verbose=1
    )
    print(f"Saved the in-domain extractor to {path}; held-out accuracy: "
          + ", ".join(f"{head} {value:.2f}" for head, value in accuracies.items()))


def _parser():
    parser = argparse.ArgumentParser(prog="vidgen", description="Train and serve video GANs.")
    commands = parser.add_subparsers(dest="command")
    _add_train(commands)

    sample = commands.add_parser("sample", help="Generate videos from a .keras file or SavedModel.")
    sample.add_argument("model", help="a .keras checkpoint, a SavedModel, or its base folder")
    sample.add_argument("--num", type=int, default=8, help="videos to generate (tiled in a grid)")
    sample.add_argument("--out", default="samples.gif", help="output .gif, .mp4, .avi or .png")
    sample.add_argument("--seed", type=int, default=None, help="the same seed gives the same videos")
    sample.add_argument("--fps", type=int, default=8)
    sample.set_defaults(handler=_sample)

    exporter = commands.add_parser("export", help="Export a .keras checkpoint's generator.")
    exporter.add_argument("checkpoint", help="a .keras file saved by vidgen train")
    exporter.add_argument("--export-dir", default="saved_models", help="base folder of exports")
    exporter.add_argument("--name", default="vidgen", help="model name (subfolder)")
    exporter.add_argument("--version", type=int, default=None, help="default: next integer")
    exporter.add_argument("--overwrite", action="store_true", help="replace an existing version")
    exporter.set_defaults(handler=_export)

    evaluation = commands.add_parser("eval", help="FVD and KVD of a model against real clips.")
    evaluation.add_argument("model", help="a .keras checkpoint, a SavedModel, or its base folder")
    evaluation.add_argument("--data", required=True, help="real clips: glob, folder or files")
    evaluation.add_argument("--features", required=True, help="i3d:SAVED_MODEL or indomain:FILE.keras")
    evaluation.add_argument("--num-samples", type=int, default=256, help="videos per set")
    evaluation.add_argument("--seed", type=int, default=0)
    evaluation.add_argument("--out", help="also write the result as JSON here")
    evaluation.set_defaults(handler=_evaluate)

    extractor = commands.add_parser(
        "train-extractor", help="Train the in-domain feature extractor on a moving-shapes folder."
    )
    extractor.add_argument("shapes_dir", help="a folder written by vidgen make-shapes")
    extractor.add_argument("--out", default="extractor.keras")
    extractor.add_argument("--frames", type=int, default=16)
    extractor.add_argument("--size", type=int, default=64)
    extractor.add_argument("--epochs", type=int, default=15)
    extractor.set_defaults(handler=_train_extractor)

    shapes = commands.add_parser("make-shapes", help="Write the built-in moving-shapes data set.")
    shapes.add_argument("out_dir")
    shapes.add_argument("--num", type=int, default=256, help="number of videos")
    shapes.add_argument("--frames", type=int, default=32)
    shapes.add_argument("--size", type=int, default=64)
    shapes.add_argument("--seed", type=int, default=0)
    shapes.set_defaults(handler=_make_shapes)
    return parser


def _add_train(commands):
    train = commands.add_parser(
        "train",
        help="Train a video GAN (built-in moving shapes unless --data is given).",
        description="Flags override the preset (or --config); unset flags keep its values.",
    )
    train.add_argument("--preset", default="small", choices=sorted(vidgen_config.PRESETS))
    train.add_argument("--config", help="a config.json from an earlier run (instead of --preset)")
    train.add_argument("--data", help="glob, folder or file of videos; local or s3://, gs://, ...")
    for flag in ("frames", "size", "batch_size", "stride", "latent_dim", "g_filters", "d_filters",
                 "epochs", "steps_per_epoch", "seed", "num_samples"):
        train.add_argument("--" + flag.replace("_", "-"), type=int)
    train.add_argument("--arch", help="architecture: dcgan3d, vgan, tgan, mocogan or dvdgan")
    train.add_argument("--loss", choices=["hinge", "bce", "wgan-gp", "lsgan"])
    _add_method_flags(train)
    train.add_argument("--max-minutes", type=float, help="stop training after this wall time")
    train.add_argument("--g-lr", type=float, help="generator learning rate")
    train.add_argument("--d-lr", type=float, help="discriminator learning rate")
    train.add_argument("--name", help="run and export name")
    train.add_argument("--logdir", help="folder of run folders (default runs)")
    train.add_argument("--export-dir", help="SavedModel base folder (default saved_models)")
    train.add_argument("--no-export", action="store_true", help="skip the SavedModel export")
    train.set_defaults(handler=_train)


def _add_method_flags(train):
    for flag in ("n_critic", "r1_interval", "num_classes", "context_frames", "backup_every"):
        train.add_argument("--" + flag.replace("_", "-"), type=int)
    for flag in ("gp_weight", "r1_gamma", "ema_decay", "recon_weight"):
        train.add_argument("--" + flag.replace("_", "-"), type=float)
    train.add_argument("--spectral-norm", action="store_const", const=True,
                       help="spectrally normalise the discriminator")
    train.add_argument("--augment", help='DiffAugment policy, e.g. "color,translation,cutout"')
    train.add_argument("--backup-dir", help="back up every --backup-every steps; rerun to resume")


if __name__ == "__main__":
    sys.exit(main())
