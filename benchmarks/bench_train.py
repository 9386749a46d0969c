"""Training speed: clips/s of fit(), FLOP rate versus this machine's matmul rate, peak memory.

For each architecture at 64x64x16, batch 8, with `ModelConfig`'s default widths (G 512, D 64),
measured in one run:
  clips/s          batch size / the median step time inside one fit() (after warm-up steps),
                   clips from memory, so fit()'s own start-up and teardown are not counted;
  step GFLOP       from the layers (keras_vidgen.flops: 4 G + 8 D forward passes a step);
  GFLOP/s          step FLOPs x steps per second;
  % of matmul      against the fp32 rate of a large tf.matmul measured in the same run;
  peak RSS         the process's peak resident memory so far (architectures run in this order,
                   so only the first row is that architecture's own peak).

Run: python benchmarks/bench_train.py [--arch dcgan3d ...] [--steps 15] [--warmup 3]
     [--mixed-precision mixed_bfloat16]
"""

import argparse
import resource
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import flops
from keras_vidgen.config import TrainConfig
from keras_vidgen.models import ARCHITECTURES
from keras_vidgen.train import build_model
from timing import fit_step_seconds


def matmul_gflops(size=2048, repeats=5):
    """Median fp32 GFLOP/s of `size` x `size` matrix products on this machine."""
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    product = tf.function(lambda x, y: tf.matmul(x, y))
    product(a, b).numpy()  # warm-up
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        product(a, b).numpy()
        rates.append(2 * size**3 / (time.perf_counter() - started) / 1e9)
    return statistics.median(rates)


def train_speed(arch, steps, warmup, batch_size, frames, size):
    """Returns (clips/s from the median step time, step GFLOP, parameters of G and D)."""
    config = TrainConfig()
    config.model.arch = arch
    config.data.batch_size, config.data.frames, config.data.size = batch_size, frames, size
    model = build_model(config)
    clips = np.random.default_rng(0).uniform(-1, 1, (batch_size, frames, size, size, 3)).astype("float32")
    dataset = tf.data.Dataset.from_tensors(clips).repeat().prefetch(2)
    # The first steps trace the graph.
    step_seconds = statistics.median(fit_step_seconds(model, dataset, steps, warmup))
    step_gflop = flops.gan_step_flops(model, batch_size) / 1e9
    return batch_size / step_seconds, step_gflop, model.generator.count_params(), model.discriminator.count_params()


def main(archs, steps, warmup, batch_size, frames, size, mixed_precision):
    if mixed_precision:
        keras.mixed_precision.set_global_policy(mixed_precision)
    matmul = matmul_gflops()
    print(f"fp32 matmul 2048x2048: {matmul:.1f} GFLOP/s (median of 5)")
    print(f"policy {keras.mixed_precision.global_policy().name}, {frames}x{size}x{size}, batch {batch_size}, "
          f"median of {steps} timed steps after {warmup} warm-up steps\n")
    header = f"{'arch':<10}{'G params':>11}{'D params':>11}{'clips/s':>9}{'step GFLOP':>12}{'GFLOP/s':>9}{'% matmul':>10}{'peak RSS':>10}"
    print(header)
    for arch in archs:
        clips_per_second, step_gflop, g_params, d_params = train_speed(arch, steps, warmup, batch_size, frames, size)
        rate = step_gflop * clips_per_second / batch_size
        peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"{arch:<10}{g_params:>11,}{d_params:>11,}{clips_per_second:>9.2f}{step_gflop:>12.1f}"
              f"{rate:>9.1f}{100 * rate / matmul:>9.0f}%{peak_gib:>8.2f} GiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="*", default=sorted(ARCHITECTURES))
    parser.add_argument("--steps", type=int, default=15, help="timed steps")
    parser.add_argument("--warmup", type=int, default=3, help="untimed first steps (tracing)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--mixed-precision", choices=["mixed_bfloat16", "mixed_float16"])
    args = parser.parse_args()
    main(args.arch, args.steps, args.warmup, args.batch_size, args.frames, args.size, args.mixed_precision)
