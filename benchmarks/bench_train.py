"""Training speed: clips/s of fit(), FLOP rate versus this machine's matmul rate, peak memory.

For each architecture at 64x64x16, batch 8 (the "base" sizes), measured in one run:
  clips/s          median over repeats of timed fit() steps, after warm-up, clips from memory;
  step GFLOP       from the layers (keras_vidgen.flops: 4 G + 8 D forward passes a step);
  GFLOP/s          step FLOPs x steps per second;
  % of matmul      against the fp32 rate of a large tf.matmul measured in the same run;
  peak RSS         the process's peak resident memory after that architecture's runs.

Run: python benchmarks/bench_train.py [--arch dcgan3d ...] [--steps 10] [--repeats 3]
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
from keras_vidgen.config import preset
from keras_vidgen.models import ARCHITECTURES
from keras_vidgen.train import build_model


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


def train_speed(arch, steps, repeats, batch_size, frames, size):
    """Returns (median clips/s, step GFLOP, parameters of G and D) of fit() on clips in memory."""
    config = preset("base")
    config.model.arch = arch
    config.data.batch_size, config.data.frames, config.data.size = batch_size, frames, size
    model = build_model(config)
    clips = np.random.default_rng(0).uniform(-1, 1, (batch_size, frames, size, size, 3)).astype("float32")
    dataset = tf.data.Dataset.from_tensors(clips).repeat().prefetch(2)
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)  # trace and warm up
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
        rates.append(steps * batch_size / (time.perf_counter() - started))
    step_gflop = flops.gan_step_flops(model, batch_size) / 1e9
    return statistics.median(rates), step_gflop, model.generator.count_params(), model.discriminator.count_params()


def main(archs, steps, repeats, batch_size, frames, size, mixed_precision):
    if mixed_precision:
        keras.mixed_precision.set_global_policy(mixed_precision)
    matmul = matmul_gflops()
    print(f"fp32 matmul 2048x2048: {matmul:.1f} GFLOP/s (median of 5)")
    print(f"policy {keras.mixed_precision.global_policy().name}, {frames}x{size}x{size}, batch {batch_size}, "
          f"{steps} steps x {repeats} repeats\n")
    header = f"{'arch':<10}{'G params':>11}{'D params':>11}{'clips/s':>9}{'step GFLOP':>12}{'GFLOP/s':>9}{'% matmul':>10}{'peak RSS':>10}"
    print(header)
    for arch in archs:
        clips_per_second, step_gflop, g_params, d_params = train_speed(arch, steps, repeats, batch_size, frames, size)
        rate = step_gflop * clips_per_second / batch_size
        peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"{arch:<10}{g_params:>11,}{d_params:>11,}{clips_per_second:>9.2f}{step_gflop:>12.1f}"
              f"{rate:>9.1f}{100 * rate / matmul:>9.0f}%{peak_gib:>8.2f} GiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="*", default=sorted(ARCHITECTURES))
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--mixed-precision", choices=["mixed_bfloat16", "mixed_float16"])
    args = parser.parse_args()
    main(args.arch, args.steps, args.repeats, args.batch_size, args.frames, args.size, args.mixed_precision)
