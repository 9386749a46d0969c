"""The `vidgen` argument parser: one subcommand per handler in `keras_vidgen.cli.commands`.

`train`'s flags are derived from the config dataclasses (`flags.add_setting_flags`); unset ones are
absent from the parsed arguments, so `config_from_args` keeps the preset's (or config file's) values.
"""

import argparse

from keras_vidgen import config as vidgen_config
from keras_vidgen.cli import commands, flags

# DataConfig fields that change what `vidgen inspect-data` reports.
INSPECT_SETTINGS = (
    "frames", "stride", "fps", "clips_per_video", "clip_starts", "crop", "flip", "grayscale",
    "labels", "short_videos", "on_error",
)


def build_parser():
    """Returns the `vidgen` parser; each subcommand sets `handler` to its function in `commands`."""
    parser = argparse.ArgumentParser(prog="vidgen", description="Train and serve video GANs.")
    subcommands = parser.add_subparsers(dest="command")
    # `vidgen --help` lists the subcommands in this order.
    _add_train(subcommands)
    _add_sample(subcommands)
    _add_interpolate(subcommands)
    _add_predict(subcommands)
    _add_export(subcommands)
    _add_eval(subcommands)
    _add_train_extractor(subcommands)
    _add_make_shapes(subcommands)
    _add_inspect_data(subcommands)
    _add_doctor(subcommands)
    return parser


def _add_train(subcommands):
    train = subcommands.add_parser(
        "train",
        help="Train a video GAN (built-in moving shapes unless --data is given).",
        description="Flags override the preset (or --config); unset flags keep its values. "
        "Every setting of keras_vidgen.config.TrainConfig is a flag.",
    )
    train.add_argument("--preset", default=vidgen_config.MAIN_JOB_PRESET,
                       choices=sorted(vidgen_config.PRESETS))
    train.add_argument("--config", help="a config.json from an earlier run (instead of --preset)")
    flags.add_setting_flags(train)
    train.set_defaults(handler=commands.train)


def _add_sample(subcommands):
    sample = subcommands.add_parser("sample", help="Generate videos from a .keras file or SavedModel.")
    _add_model_arguments(sample, out="samples.gif")
    sample.add_argument("--num", type=int, default=8, help="videos to generate (tiled in a grid)")
    sample.add_argument("--seed", type=int, default=None, help="the same seed gives the same videos")
    sample.set_defaults(handler=commands.sample)


def _add_interpolate(subcommands):
    walk = subcommands.add_parser(
        "interpolate", help="Walk the latent space between two seeds' videos (spherical)."
    )
    _add_model_arguments(walk, out="walk.gif")
    walk.add_argument("--seed-a", type=int, default=0, help="the walk starts at this seed's video")
    walk.add_argument("--seed-b", type=int, default=1, help="and ends at this one's")
    walk.add_argument("--steps", type=int, default=8, help="videos along the walk, ends included")
    walk.set_defaults(handler=commands.interpolate)


def _add_predict(subcommands):
    predict = subcommands.add_parser(
        "predict", help="Complete a video with a model trained with --task predict or interpolate.",
        description="Writes the observed frames then the predicted ones, beside the real video "
        "when it goes on. Past the trained length, predictions are fed back (roll-out).")
    predict.add_argument("model", help="a .keras checkpoint of a predict or interpolate run")
    predict.add_argument("--input", required=True, help="the video (a file, a frame folder "
                         "ending in /, or a .npy uint8 array [T, H, W, C]) of the model's size")
    predict.add_argument("--frames", type=int, default=None,
                         help="frames to predict (default: as trained; more roll out)")
    predict.add_argument("--out", default="prediction.gif", help="output .gif, .mp4, .avi or .png")
    predict.add_argument("--seed", type=int, default=0, help="latents of an adversarial model")
    predict.add_argument("--fps", type=int, default=4)
    predict.set_defaults(handler=commands.predict)


def _add_model_arguments(parser, out):
    parser.add_argument("model", help="a .keras checkpoint, a SavedModel, or its base folder")
    parser.add_argument("--out", default=out, help="output .gif, .mp4, .avi (videos tiled in a "
                        "grid) or .png (one row of frames per video)")
    parser.add_argument("--label", help="class index or name (class-conditional models only)")
    parser.add_argument("--context", help="video file whose first frames the model continues "
                        "(frame-conditional models only)")
    parser.add_argument("--frames", type=int, help="frames per video: a continuous-time model "
                        "(arch stylegan-v) renders any number (default: its training clips' length)")
    parser.add_argument("--fps", type=int, default=8)


def _add_export(subcommands):
    exporter = subcommands.add_parser("export", help="Export a .keras checkpoint's generator.")
    exporter.add_argument("checkpoint", help="a .keras file saved by vidgen train")
    exporter.add_argument("--export-dir", default="saved_models", help="base folder of exports")
    exporter.add_argument("--name", default="vidgen", help="model name (subfolder)")
    exporter.add_argument("--version", type=int, default=None, help="default: next integer")
    exporter.add_argument("--overwrite", action="store_true", help="replace an existing version")
    exporter.set_defaults(handler=commands.export)


def _add_eval(subcommands):
    evaluation = subcommands.add_parser("eval", help="FVD and KVD of a model against real clips.")
    evaluation.add_argument("model", help="a .keras checkpoint, a SavedModel, or its base folder")
    evaluation.add_argument("--data", required=True, help="real clips: glob, folder or files")
    evaluation.add_argument("--features", required=True, help="i3d:SAVED_MODEL or indomain:FILE.keras")
    evaluation.add_argument("--num-samples", type=int, default=256, help="videos per set")
    evaluation.add_argument("--seed", type=int, default=0)
    evaluation.add_argument("--out", help="also write the result as JSON here")
    evaluation.set_defaults(handler=commands.evaluate)


def _add_train_extractor(subcommands):
    extractor = subcommands.add_parser(
        "train-extractor", help="Train the in-domain feature extractor on a moving-shapes folder."
    )
    extractor.add_argument("shapes_dir", help="a folder written by vidgen make-shapes")
    extractor.add_argument("--out", default="extractor.keras")
    extractor.add_argument("--frames", type=int, default=16)
    extractor.add_argument("--size", type=int, default=64)
    extractor.add_argument("--epochs", type=int, default=12)
    extractor.set_defaults(handler=commands.train_extractor)


def _add_make_shapes(subcommands):
    shapes = subcommands.add_parser("make-shapes", help="Write the built-in moving-shapes data set.")
    shapes.add_argument("out_dir")
    shapes.add_argument("--num", type=int, default=256, help="number of videos")
    shapes.add_argument("--frames", type=int, default=32)
    shapes.add_argument("--size", type=int, default=64)
    shapes.add_argument("--seed", type=int, default=0)
    shapes.set_defaults(handler=commands.make_shapes)


def _add_inspect_data(subcommands):
    inspect = subcommands.add_parser(
        "inspect-data",
        help="Show what the data pipeline would see: videos, durations, fps, sizes, bad files.",
    )
    inspect.add_argument("data", nargs="+", help="globs, folders, files or manifests")
    flags.add_setting_flags(inspect, paths=[f"data.{name}" for name in INSPECT_SETTINGS])
    inspect.add_argument("--count-frames", action="store_true",
                         help="decode every video to count its frames (exact, slower)")
    inspect.set_defaults(handler=commands.inspect_data)


def _add_doctor(subcommands):
    doctor = subcommands.add_parser(
        "doctor",
        help="Versions, CPU, oneDNN, GPUs, file systems, and how fast this machine trains "
             "(paste it into bug reports).",
    )
    doctor.add_argument("--preset", default=vidgen_config.MAIN_JOB_PRESET,
                        choices=sorted(vidgen_config.PRESETS),
                        help="the preset whose training step is timed (default: the main job's)")
    doctor.set_defaults(handler=commands.doctor)

