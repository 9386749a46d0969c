"""Training speed: clips/s of fit(), FLOP rate versus this machine's matmul rate, peak memory.

For each architecture, at a preset's shapes and widths (default: 64x64x16, batch 8, G 512 / D 64,
`ModelConfig`'s widths; `--preset small` is the main job's), measured in one run:
  clips/s          batch size / the median step time inside one fit() (after warm-up steps),
                   clips from memory, so fit()'s own start-up and teardown are not counted;
  step GFLOP       from the layers (keras_vidgen.flops: 4 G + 8 D forward passes a step);
  GFLOP/s          step FLOPs x steps per second;
  % of matmul      against the fp32 rate of a large tf.matmul measured in the same run;
  peak RSS         the process's peak resident memory so far (architectures run in this order,
                   so only the first row is that architecture's own peak).

`--onednn both` runs every architecture once with oneDNN off and once on (each in its own
process: TensorFlow reads TF_ENABLE_ONEDNN_OPTS at import) and prints the step times side by
side with their ratio. The first line names the machine (CPU, instruction sets, oneDNN, matmul).

Run: python benchmarks/bench_train.py [--arch dcgan3d ...] [--preset small] [--steps 15]
     [--warmup 3] [--onednn both] [--mixed-precision mixed_bfloat16] [--set model.d_join_size=16]
"""

import argparse
import json
import os
import subprocess
import sys

from keras_vidgen.choices import ARCHITECTURES as ARCHS  # noqa: E402  (TF-free: the names only)


def train_speed(config, steps, warmup):
    """Returns (clips/s from the median step time, step GFLOP, parameters of G and D)."""
    import statistics

    import numpy as np
    import tensorflow as tf

    from keras_vidgen import doctor, flops
    from keras_vidgen.train import build_model

    model = build_model(config)
    data = config.data
    shape = (data.batch_size, data.frames, data.size, data.size, 1 if data.grayscale else 3)
    clips = np.random.default_rng(0).uniform(-1, 1, shape).astype("float32")
    dataset = tf.data.Dataset.from_tensors(clips).repeat().prefetch(2)
    # The first steps trace the graph.
    step_seconds = statistics.median(doctor.fit_step_seconds(model, dataset, steps, warmup))
    step_gflop = flops.gan_step_flops(model, data.batch_size) / 1e9
    return (data.batch_size / step_seconds, step_gflop, model.generator.count_params(),
            model.discriminator.count_params())


def bench_config(arch, preset, batch_size, frames, size, settings=()):
    """The preset's config (default: `TrainConfig` at this benchmark's 16x64x64, batch 8) with
    `arch`, any shape given on the command line and the `--set` settings."""
    from keras_vidgen import config as vidgen_config

    config = (vidgen_config.preset(preset) if preset else
              vidgen_config.TrainConfig(data=vidgen_config.DataConfig(batch_size=8, frames=16, size=64)))
    shape = {f"data.{name}": value for name, value in dict(batch_size=batch_size, frames=frames, size=size).items()
             if value is not None}
    return config.updated({**shape, "model.arch": arch, **vidgen_config.parse_settings(settings)}).check()


def run_table(args):
    """Measures in this process and prints one row per architecture (or JSON rows)."""
    import resource

    import keras

    from keras_vidgen import doctor

    if args.mixed_precision:
        keras.mixed_precision.set_global_policy(args.mixed_precision)
    matmul = doctor.matmul_gflops()
    rows = []
    if not args.json:
        print(doctor.machine_summary(matmul))
        print(f"policy {keras.mixed_precision.global_policy().name}, preset {args.preset or '-'}, "
              f"median of {args.steps} timed steps after {args.warmup} warm-up steps\n")
        print(f"{'arch':<10}{'shape':>14}{'G params':>11}{'D params':>11}{'clips/s':>9}"
              f"{'step ms':>9}{'step GFLOP':>12}{'GFLOP/s':>9}{'% matmul':>10}{'peak RSS':>10}")
    for arch in args.arch:
        config = bench_config(arch, args.preset, args.batch_size, args.frames, args.size, args.set)
        clips_per_second, step_gflop, g_params, d_params = train_speed(config, args.steps, args.warmup)
        rate = step_gflop * clips_per_second / config.data.batch_size
        step_ms = 1000 * config.data.batch_size / clips_per_second
        peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        shape = f"{config.data.batch_size}x{config.data.frames}x{config.data.size}"
        rows.append(dict(arch=arch, step_ms=step_ms, clips_per_second=clips_per_second,
                         machine=doctor.machine_summary(matmul)))
        if args.json:
            continue
        print(f"{arch:<10}{shape:>14}{g_params:>11,}{d_params:>11,}{clips_per_second:>9.2f}"
              f"{step_ms:>9.0f}{step_gflop:>12.1f}{rate:>9.1f}{100 * rate / matmul:>9.0f}%"
              f"{peak_gib:>8.2f} GiB", flush=True)
    if args.json:
        print(json.dumps(rows))


def run_both(args):
    """Runs the table with oneDNN off, then on, each in a fresh process; prints them side by side."""
    results = {}
    for state, value in (("off", "0"), ("on", "1")):
        command = [sys.executable, __file__, "--json", "--onednn", state, "--steps", str(args.steps),
                   "--warmup", str(args.warmup), "--arch", *args.arch]
        for flag in ("preset", "batch_size", "frames", "size", "mixed_precision"):
            if getattr(args, flag) is not None:
                command += ["--" + flag.replace("_", "-"), str(getattr(args, flag))]
        for setting in args.set:
            command += ["--set", setting]
        env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=value, TF_CPP_MIN_LOG_LEVEL="2")
        output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
        results[state] = json.loads(output.strip().splitlines()[-1])
        print(f"oneDNN {state}: {results[state][0]['machine']}", flush=True)
    print(f"\npreset {args.preset or '-'}, median of {args.steps} timed steps after {args.warmup}\n")
    print(f"{'arch':<10}{'oneDNN off ms':>15}{'oneDNN on ms':>14}{'off / on':>10}")
    for off, on in zip(results["off"], results["on"]):
        print(f"{off['arch']:<10}{off['step_ms']:>15.0f}{on['step_ms']:>14.0f}"
              f"{off['step_ms'] / on['step_ms']:>9.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="*", default=list(ARCHS))
    parser.add_argument("--preset", help="take shapes and widths from this preset (e.g. small)")
    parser.add_argument("--steps", type=int, default=15, help="timed steps")
    parser.add_argument("--warmup", type=int, default=3, help="untimed first steps (tracing)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--frames", type=int)
    parser.add_argument("--size", type=int)
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                        help="a config setting, as bench_quality's (e.g. model.d_join_size=16)")
    parser.add_argument("--mixed-precision", choices=["mixed_bfloat16", "mixed_float16"])
    parser.add_argument("--onednn", choices=["default", "off", "on", "both"], default="default",
                        help="default: the package's choice (on unless TF_ENABLE_ONEDNN_OPTS is set)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.onednn == "both":
        return run_both(args)
    if args.onednn != "default":  # before keras_vidgen imports TensorFlow
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if args.onednn == "on" else "0"
    import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)

    run_table(args)


if __name__ == "__main__":
    main()
