"""`vidgen`: a thin command-line shell over `train()`, `export_generator()` and sampling.

Flags become a `TrainConfig`; all work happens in importable functions that the tests call.
"""

import argparse
import dataclasses
import os
import sys

from keras_vidgen import config as vidgen_config
from keras_vidgen.export import ExportError

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


def main(argv=None):
    """Runs the `vidgen` command; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        code = args.handler(args) or 0
    except (FileNotFoundError, FileExistsError, ValueError, ExportError) as error:
        print(f"vidgen {args.command}: error: {error}", file=sys.stderr)
        code = 1
    except Exception as error:
        message = _data_error(error)
        if message is None:
            raise
        print(f"vidgen {args.command}: error: {message}", file=sys.stderr)
        code = 1
    if argv is None:
        _exit_if_s3_was_used(code)
    return code


def _data_error(error):
    """The clean message of a bad video met inside tf.data (see `data.pipeline`), else `None`."""
    text = str(error)
    marker = "assertion failed: ["
    if not type(error).__module__.startswith("tensorflow") or marker not in text:
        return None
    return text.split(marker, 1)[1].split("]\n", 1)[0].rstrip("]")


def _exit_if_s3_was_used(code):
    """Works around tensorflow-io 0.37.1 aborting at exit after s3 use (tensorflow/io #2039).

    The s3 plugin's static destructors call a pure virtual method when the process exits, so a
    finished `vidgen train --data s3://...` would end with "terminate called" and status 134. The
    command's work is done by now: flush and leave without running those destructors.
    """
    from keras_vidgen.data import filesystems

    if filesystems.s3_was_used():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


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


def _train(args):
    from keras_vidgen.train import train

    config = config_from_args(args)
    result = train(config)
    print(f"\nTrained for {result.seconds:.0f} s on {result.data_path}")
    print(f"  run folder:   {result.run_dir}  (config.json, checkpoint.keras)")
    print(f"  samples:      {result.sample_path}")
    if result.class_index:
        print(f"  classes:      {result.class_index}")
    if result.export_path:
        print(f"  SavedModel:   {result.export_path}  (TF Serving: --model_base_path="
              f"{os.path.abspath(os.path.dirname(result.export_path))})")
    print(f"  TensorBoard:  tensorboard --logdir {result.logdir}  then open http://localhost:6006")
    return 0


def _sample(args):
    from keras_vidgen import media
    from keras_vidgen.sample import load_sampler

    sampler = load_sampler(args.model)
    videos = sampler.from_seed(args.num, seed=args.seed, **_conditions(args, sampler))
    media.write_videos(args.out, videos, fps=args.fps)
    print(f"Wrote {args.num} video(s) of shape {videos.shape[1:]} to {args.out}")


def _interpolate(args):
    from keras_vidgen import latents, media
    from keras_vidgen.sample import load_sampler

    sampler = load_sampler(args.model)
    ends = [sampler.latents(1, seed)[0] for seed in (args.seed_a, args.seed_b)]
    walk = latents.slerp(*ends, steps=args.steps)
    videos = sampler.from_latents(walk, **_conditions(args, sampler))
    media.write_videos(args.out, videos, fps=args.fps, columns=args.steps)
    print(f"Wrote a {args.steps}-step walk from seed {args.seed_a} to seed {args.seed_b} "
          f"to {args.out}")


def _conditions(args, sampler):
    """The `label` and `context` sampling arguments; a context file becomes uint8 frames."""
    context = None
    if args.context is not None:
        from keras_vidgen.data.pipeline import load_clip

        spec = sampler.conditions.get("context")
        if spec is None:
            raise ValueError(f"--context was given, but {sampler.source} is not frame-conditional.")
        frames, size = int(spec.shape[1]), int(spec.shape[2])
        context = load_clip(args.context, frames=frames, size=size)
    return dict(label=args.label, context=context)


def _export(args):
    import keras

    from keras_vidgen.export import export_generator

    if not os.path.exists(args.checkpoint):
        raise FileNotFoundError(f"Checkpoint {args.checkpoint!r} does not exist.")
    model = keras.models.load_model(args.checkpoint)
    # A checkpoint from `vidgen train` sits in its run folder beside the run's config.json.
    run_config = os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "config.json")
    config = vidgen_config.TrainConfig.load(run_config) if os.path.exists(run_config) else None
    path = export_generator(
        model, os.path.join(args.export_dir, args.name), version=args.version,
        overwrite=args.overwrite, config=config,
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

    import numpy as np

    from keras_vidgen import metrics
    from keras_vidgen.sample import load_sampler

    extractor = metrics.load_extractor(args.features)
    sampler = load_sampler(args.model)
    latents = sampler.latents(args.num_samples, args.seed)
    # In chunks: thousands of clips in one forward pass would not fit in memory.
    generated = np.concatenate([sampler.from_latents(latents[i:i + 32]) for i in range(0, len(latents), 32)])
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


def _on_off(text):
    if text.lower() in ("on", "true", "1", "yes"):
        return True
    if text.lower() in ("off", "false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected on or off, got {text!r}")


def _parser():
    parser = argparse.ArgumentParser(prog="vidgen", description="Train and serve video GANs.")
    commands = parser.add_subparsers(dest="command")
    _add_train(commands)

    sample = commands.add_parser("sample", help="Generate videos from a .keras file or SavedModel.")
    _add_model_arguments(sample, out="samples.gif")
    sample.add_argument("--num", type=int, default=8, help="videos to generate (tiled in a grid)")
    sample.add_argument("--seed", type=int, default=None, help="the same seed gives the same videos")
    sample.set_defaults(handler=_sample)

    walk = commands.add_parser(
        "interpolate", help="Walk the latent space between two seeds' videos (spherical)."
    )
    _add_model_arguments(walk, out="walk.gif")
    walk.add_argument("--seed-a", type=int, default=0, help="the walk starts at this seed's video")
    walk.add_argument("--seed-b", type=int, default=1, help="and ends at this one's")
    walk.add_argument("--steps", type=int, default=8, help="videos along the walk, ends included")
    walk.set_defaults(handler=_interpolate)

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
    _add_inspect_data(commands)
    return parser


def _add_model_arguments(parser, out):
    parser.add_argument("model", help="a .keras checkpoint, a SavedModel, or its base folder")
    parser.add_argument("--out", default=out, help="output .gif, .mp4, .avi (videos tiled in a "
                        "grid) or .png (one row of frames per video)")
    parser.add_argument("--label", help="class index or name (class-conditional models only)")
    parser.add_argument("--context", help="video file whose first frames the model continues "
                        "(frame-conditional models only)")
    parser.add_argument("--fps", type=int, default=8)


def _add_train(commands):
    train = commands.add_parser(
        "train",
        help="Train a video GAN (built-in moving shapes unless --data is given).",
        description="Flags override the preset (or --config); unset flags keep its values.",
    )
    train.add_argument("--preset", default="small", choices=sorted(vidgen_config.PRESETS))
    train.add_argument("--config", help="a config.json from an earlier run (instead of --preset)")
    train.add_argument(
        "--data", help="glob, folder, file or manifest of videos; local or s3://, gs://, ..."
    )
    _add_data_flags(train)
    for flag in ("size", "batch_size", "latent_dim", "g_filters", "d_filters",
                 "epochs", "steps_per_epoch", "seed", "num_samples"):
        train.add_argument("--" + flag.replace("_", "-"), type=int)
    train.add_argument("--cache", help="decoded-clip cache: 'memory' or a folder")
    train.add_argument("--no-validate", action="store_true",
                       help="do not open every file before training (huge remote collections)")
    train.add_argument("--arch", help="architecture: dcgan3d, vgan, tgan, mocogan or dvdgan")
    train.add_argument("--loss", choices=["hinge", "bce", "wgan-gp", "lsgan"])
    _add_method_flags(train)
    train.add_argument("--max-minutes", type=float, help="stop training after this wall time")
    train.add_argument("--strategy", choices=["default", "mirrored", "multiworker"],
                       help="tf.distribute strategy (multiworker reads TF_CONFIG)")
    train.add_argument("--mixed-precision", choices=["mixed_bfloat16", "mixed_float16"],
                       help="compute in 16 bits (float16 on GPU, bfloat16 on CPU/TPU)")
    train.add_argument("--jit-compile", type=_on_off, help="force XLA on or off (default: Keras's auto)")
    train.add_argument("--g-lr", type=float, help="generator learning rate")
    train.add_argument("--d-lr", type=float, help="discriminator learning rate")
    train.add_argument("--name", help="run and export name")
    train.add_argument("--logdir", help="folder of run folders (default runs)")
    train.add_argument("--export-dir", help="SavedModel base folder (default saved_models)")
    train.add_argument("--no-export", action="store_true", help="skip the SavedModel export")
    train.set_defaults(handler=_train)


def _clips_per_video(text):
    return text if text == "all" else int(text)


def _add_data_flags(command):
    """Clip sampling and bad-file flags shared by `train` and `inspect-data` (defaults: the config's)."""
    from keras_vidgen.data import policies, sampling, transforms

    command.add_argument("--frames", type=int, help="frames per clip")
    command.add_argument("--stride", type=int, help="take every N-th frame (after --fps)")
    command.add_argument("--fps", type=float, help="resample videos to this frame rate")
    command.add_argument("--clips-per-video", type=_clips_per_video, help="an integer, or 'all'")
    command.add_argument("--clip-starts", choices=sampling.CLIP_STARTS)
    command.add_argument("--crop", choices=transforms.CROPS)
    command.add_argument("--flip", action="store_true", default=None, help="random horizontal flips")
    command.add_argument("--grayscale", action="store_true", default=None, help="1 channel")
    command.add_argument("--labels", choices=["folder", "manifest", "auto"],
                         help="class labels from parent folders or the manifest")
    command.add_argument("--short-videos", choices=sampling.SHORT_VIDEO_POLICIES)
    command.add_argument("--on-error", choices=policies.ON_ERROR_POLICIES)


def _add_inspect_data(commands):
    inspect = commands.add_parser(
        "inspect-data",
        help="Show what the data pipeline would see: videos, durations, fps, sizes, bad files.",
    )
    inspect.add_argument("data", nargs="+", help="globs, folders, files or manifests")
    _add_data_flags(inspect)
    inspect.add_argument("--count-frames", action="store_true",
                         help="decode every video to count its frames (exact, slower)")
    inspect.set_defaults(handler=_inspect_data)


def _inspect_data(args):
    from keras_vidgen.data import report as data_report

    settings = dataclasses.replace(
        vidgen_config.DataConfig(),
        **{
            field: getattr(args, field)
            for field in data_report.SETTINGS
            if getattr(args, field) is not None
        },
    )
    report = data_report.inspect_data(args.data, settings, count_frames=args.count_frames)
    print(report.text)
    return 0 if report.readable else 1


def _add_method_flags(train):
    for flag in ("n_critic", "r1_interval", "num_classes", "context_frames", "backup_every"):
        train.add_argument("--" + flag.replace("_", "-"), type=int)
    for flag in ("gp_weight", "r1_gamma", "recon_weight"):
        train.add_argument("--" + flag.replace("_", "-"), type=float)
    train.add_argument("--ema-decay", type=float,
                       help="EMA of the generator for samples and export (default 0.999; 0 turns it off)")
    train.add_argument("--spectral-norm", action=argparse.BooleanOptionalAction, default=None,
                       help="spectrally normalise the discriminator (default: on)")
    train.add_argument("--augment", help='DiffAugment policy, e.g. "color,translation,cutout"')
    train.add_argument("--backup-dir", help="back up every --backup-every steps; rerun to resume")


if __name__ == "__main__":
    sys.exit(main())
