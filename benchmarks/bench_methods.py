"""Size and training speed of every architecture: parameter counts of G and D, and clips/s of fit.

Each architecture is built at the "base" widths (latent 128, g_filters 512, d_filters 64) for
64x64 clips of 16 frames, and trained with `fit` on one batch of random clips held in memory, so
the figure is the model's step time alone (no decoding). Throughput is the batch size over the
median step time of the timed steps, after warm-up steps that include tracing.

Run: python benchmarks/bench_methods.py                      (64x64x16, batch 8, all architectures)
     python benchmarks/bench_methods.py --size 16 --frames 4 --batch-size 2 --g-filters 32 \
         --d-filters 8 --latent-dim 8 --warmup 1 --steps 2      (a smoke run)
"""

import argparse
import time

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen.models import ARCHITECTURES, build_video_gan


class StepTimer(keras.callbacks.Callback):
    """Records the wall time of every training step."""

    def __init__(self):
        super().__init__()
        self.times = []
        self._start = None

    def on_train_batch_begin(self, batch, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def bench(arch, args):
    """Returns `(g_params, d_params, clips_per_second)` of one architecture."""
    keras.utils.set_random_seed(0)
    gan = build_video_gan(arch, args.latent_dim, args.frames, args.size, args.g_filters,
                          args.d_filters, seed=0, spectral_norm=args.spectral_norm)
    gan.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss=args.loss)
    clips = np.random.default_rng(0).uniform(
        -1, 1, (args.batch_size, args.frames, args.size, args.size, 3)).astype("float32")
    timer = StepTimer()
    gan.fit(tf.data.Dataset.from_tensors(clips).repeat(), epochs=1,
            steps_per_epoch=args.warmup + args.steps, callbacks=[timer], verbose=0)
    step = float(np.median(timer.times[args.warmup:]))
    return gan.generator.count_params(), gan.discriminator.count_params(), args.batch_size / step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=sorted(ARCHITECTURES))
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--latent-dim", type=int, default=128)
    parser.add_argument("--g-filters", type=int, default=512)
    parser.add_argument("--d-filters", type=int, default=64)
    parser.add_argument("--loss", default="hinge")
    parser.add_argument("--spectral-norm", action="store_true")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps (tracing included)")
    parser.add_argument("--steps", type=int, default=5, help="timed steps")
    args = parser.parse_args()
    print(f"{args.size}x{args.size}x{args.frames}, batch {args.batch_size}, loss {args.loss}, "
          f"median of {args.steps} steps after {args.warmup} warm-up; "
          f"{tf.config.threading.get_intra_op_parallelism_threads() or 'all'} intra-op threads")
    print(f"{'arch':<10}{'G params':>14}{'D params':>14}{'clips/s':>10}")
    for arch in args.archs:
        g_params, d_params, speed = bench(arch, args)
        print(f"{arch:<10}{g_params:>14,}{d_params:>14,}{speed:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
