"""The `vidgen` subcommands: each takes the parsed arguments, calls the importable functions that
do the work and prints where the results went."""

import os

from keras_vidgen import config as vidgen_config
from keras_vidgen.cli.flags import config_from_args, data_config_from_args
from keras_vidgen.errors import ModelError


def train(args):
    """`vidgen train`: trains from the flags' config and prints where everything was written."""
    config = config_from_args(args).check()  # before TensorFlow loads: a bad flag fails fast

    from keras_vidgen.train import train as train_from_config

    result = train_from_config(config)
    print(f"\nTrained for {result.seconds:.0f} s on {result.data_path}")
    if result.run_dir is None:
        print("  This worker's part is done; the chief (worker 0) wrote the run's outputs.")
        return 0
    print(f"  run folder:   {result.run_dir}  (config.json, checkpoint.keras)")
    print(f"  samples:      {result.sample_path}")
    if result.class_index:
        print(f"  classes:      {result.class_index}")
    if result.export_path:
        print(f"  SavedModel:   {result.export_path}  (TF Serving: --model_base_path="
              f"{os.path.abspath(os.path.dirname(result.export_path))})")
    print(f"  TensorBoard:  tensorboard --logdir {result.logdir}  then open http://localhost:6006")
    return 0


def sample(args):
    """`vidgen sample`: writes videos drawn from a seed."""
    from keras_vidgen import media
    from keras_vidgen.sample import load_sampler

    sampler = load_sampler(args.model)
    videos = sampler.from_seed(args.num, seed=args.seed, **_conditions(args, sampler))
    media.write_videos(args.out, videos, fps=args.fps)
    print(f"Wrote {args.num} video(s) of shape {videos.shape[1:]} to {args.out}")


def interpolate(args):
    """`vidgen interpolate`: writes a spherical walk between two seeds' videos."""
    from keras_vidgen import latents, media
    from keras_vidgen.sample import load_sampler

    sampler = load_sampler(args.model)
    ends = [sampler.latents(1, seed)[0] for seed in (args.seed_a, args.seed_b)]
    walk = latents.slerp(*ends, steps=args.steps)
    videos = sampler.from_latents(walk, **_conditions(args, sampler))
    media.write_videos(args.out, videos, fps=args.fps, columns=args.steps)
    print(f"Wrote a {args.steps}-step walk from seed {args.seed_a} to seed {args.seed_b} "
          f"to {args.out}")


def predict(args):
    """`vidgen predict`: completes a video and writes it beside the real one."""
    from keras_vidgen import predict as prediction

    model = prediction.load_predictor(args.model)
    wanted = model.frames if args.frames is None else model.observed + max(args.frames, 0)
    video = prediction.read_video(args.input, model.frame_shape, max_frames=max(wanted, model.frames))
    observed, predicted, real = prediction.predict_video(model, video, args.frames, args.seed,
                                                         source=args.input)
    prediction.write_prediction(args.out, model, observed, predicted, real, fps=args.fps)
    beside = f", beside the real {len(real)}" if real is not None else " (the video ends there)"
    print(f"Wrote {len(observed)} observed + {len(predicted)} predicted frames{beside} to {args.out}")


def _conditions(args, sampler):
    """The `label`, `context` and `frames` sampling arguments; a context file becomes uint8 frames."""
    context = None
    if args.context is not None:
        from keras_vidgen import signatures
        from keras_vidgen.data.pipeline import load_clip

        spec = sampler.conditions.get(signatures.CONTEXT)
        if spec is None:
            raise ModelError(f"--context was given, but {sampler.source} is not frame-conditional.")
        frames, size = int(spec.shape[1]), int(spec.shape[2])
        context = load_clip(args.context, frames=frames, size=size)
    return dict(label=args.label, context=context, frames=args.frames)


def export(args):
    """`vidgen export`: exports a checkpoint's generator as the next SavedModel version."""
    import keras

    from keras_vidgen.export import export_generator

    if not os.path.exists(args.checkpoint):
        raise FileNotFoundError(f"Checkpoint {args.checkpoint!r} does not exist.")
    model = keras.models.load_model(args.checkpoint)
    # A checkpoint from `vidgen train` sits in its run folder beside the run's config.json.
    run_config = os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "config.json")
    config = vidgen_config.TrainConfig.load(run_config) if os.path.exists(run_config) else None
    # The checkpoint's VideoGAN carries its class names, which export_generator writes.
    path = export_generator(
        model, os.path.join(args.export_dir, args.name), version=args.version,
        overwrite=args.overwrite, config=config,
    )
    print(f"Exported the generator to {path}")


def make_shapes(args):
    """`vidgen make-shapes`: writes the built-in moving-shapes data set."""
    from keras_vidgen.data import make_moving_shapes

    path = make_moving_shapes(
        args.out_dir, num_videos=args.num, frames=args.frames, size=args.size, seed=args.seed,
        verbose=1,
    )
    print(f"Wrote {args.num} moving-shapes videos and manifest.jsonl to {path}")


def evaluate(args):
    """`vidgen eval`: prints (and optionally writes) a model's FVD and KVD against real clips."""
    import json

    from keras_vidgen import metrics
    from keras_vidgen.sample import load_sampler

    extractor = metrics.load_extractor(args.features)
    sampler = load_sampler(args.model)
    frames, size, _, channels = sampler.video_shape
    real = metrics.real_clips(args.data, args.num_samples, frames, size, seed=args.seed,
                              grayscale=channels == 1)
    generated = sampler.like_real(real, seed=args.seed)
    result = dict(metrics.evaluate(generated, real, extractor), model=args.model, data=args.data)
    for key in ("fvd", "kvd", "kvd_std", "num_generated", "num_real", "frames", "size", "extractor"):
        print(f"{key:>14}  {result[key]:.4f}" if isinstance(result[key], float) else f"{key:>14}  {result[key]}")
    if args.out:
        with open(args.out, "w") as file:
            json.dump(result, file, indent=2)
        print(f"Wrote {args.out}")


def train_extractor(args):
    """`vidgen train-extractor`: trains the in-domain feature extractor on moving shapes."""
    from keras_vidgen.metrics import train_extractor as train_on_shapes

    path, scores = train_on_shapes(
        args.shapes_dir, args.out, frames=args.frames, size=args.size, epochs=args.epochs, verbose=1
    )
    print(f"Saved the in-domain extractor to {path}; held-out scores: "
          + ", ".join(f"{name} {value:.2f}" for name, value in scores.items()))


def inspect_data(args):
    """`vidgen inspect-data`: prints what the pipeline would see; exit code 1 if no video decodes."""
    from keras_vidgen.data import report as data_report

    settings = data_config_from_args(args)
    report = data_report.inspect_data(args.data, settings, count_frames=args.count_frames)
    print(report.text)
    return 0 if report.readable else 1


def doctor(args):
    """`vidgen doctor`: prints the machine report (see `keras_vidgen.doctor`)."""
    from keras_vidgen import doctor as machine_doctor

    print(machine_doctor.report(args.preset))
