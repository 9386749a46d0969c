"""Generation speed of an exported SavedModel vs the in-process Keras generator; export size and load.

Builds the `small` preset's model (untrained: the weights do not change the speed), exports it,
then times per-clip latency and throughput of `serving_default` on the loaded SavedModel and of
the Keras generator called in-process (`generator(z)` + `to_uint8`, what `VideoGAN.generate`
does), side by side, alternating runs so both see the same machine load. Prints a table.

Run: python benchmarks/bench_serving.py [--runs 7] [--batches 1 16]
"""

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_vidgen  # noqa: E402, F401  (first: it asks for oneDNN before TensorFlow is imported)
import tensorflow as tf  # noqa: E402

from keras_vidgen import doctor  # noqa: E402

from keras_vidgen import media  # noqa: E402
from keras_vidgen.config import preset  # noqa: E402
from keras_vidgen.export import export_generator  # noqa: E402
from keras_vidgen.latents import seeded_latents  # noqa: E402
from keras_vidgen.train import build_model  # noqa: E402

TARGET_RATIO = 1.1


def main(runs=7, batches=(1, 16)):
    print(doctor.machine_summary(), flush=True)
    model = build_model(preset("small"))
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        path = export_generator(model, os.path.join(folder, "vidgen"))
        export_seconds = time.perf_counter() - started
        size_mb = folder_bytes(path) / 2**20
        started = time.perf_counter()
        serve = tf.saved_model.load(path).signatures["serving_default"]
        load_seconds = time.perf_counter() - started
        print(f"export (write + verify): {export_seconds:.2f} s   size: {size_mb:.1f} MiB   "
              f"load: {load_seconds:.2f} s   ({path})")
        print(f"{'batch':>5} {'keras ms/clip':>14} {'saved ms/clip':>14} {'keras clips/s':>14} "
              f"{'saved clips/s':>14} {'saved/keras':>12}")
        for batch in batches:
            z = seeded_latents(batch, model.latent_dim, seed=0)
            keras_s, saved_s = time_side_by_side(
                lambda: media.to_uint8(model.generator(z, training=False)).numpy(),
                lambda: serve(z=z)["video"].numpy(),
                runs,
            )
            ratio = saved_s / keras_s
            verdict = "ok" if ratio <= TARGET_RATIO else f"over the {TARGET_RATIO}x target"
            print(f"{batch:>5} {1000 * keras_s / batch:>14.1f} {1000 * saved_s / batch:>14.1f} "
                  f"{batch / keras_s:>14.1f} {batch / saved_s:>14.1f} {ratio:>11.2f}x  {verdict}")


def time_side_by_side(first, second, runs):
    """Returns the median seconds of each function, alternating them after one warm-up call each."""
    first(), second()
    times = ([], [])
    for _ in range(runs):
        for function, record in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            function()
            record.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def folder_bytes(path):
    return sum(os.path.getsize(os.path.join(root, name))
               for root, _, names in os.walk(path) for name in names)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (median)")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()
    main(args.runs, args.batches)
