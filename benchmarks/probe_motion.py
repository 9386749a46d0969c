"""Where a run's motion is: its shapes' pixels or its background's.

bench_quality's `motion` (the mean change between consecutive frames, uint8 levels) read 7.7-11.1
on the main job's generators against 7.0-7.1 for real clips. This splits it, for bench_quality
runs already scored, with `bench_quality.motion_by_region` (which newer runs print themselves):
the generator's saved samples (OUT/generated.npy) beside the same held-out real clips the run
compared them with (OUT/half_b, drawn with the same seed).

Run after bench_quality:  python benchmarks/probe_motion.py OUT [OUT ...]
"""

import argparse
import os

import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)
import numpy as np

from bench_quality import motion, motion_by_region
from keras_vidgen import metrics


def main(out_dirs):
    print(f"{'run':<28}{'clips':<10}{'motion':>8}{'shapes':>8}{'background':>12}")
    for out_dir in out_dirs:
        generated = np.load(os.path.join(out_dir, "generated.npy"))
        count, frames, size = generated.shape[:3]
        real = metrics.real_clips(os.path.join(out_dir, "half_b"), count, frames, size, seed=2)
        for name, videos in (("real B", np.asarray(real)), ("G (EMA)", generated)):
            split = motion_by_region(videos)
            print(f"{os.path.basename(os.path.normpath(out_dir)):<28}{name:<10}{motion(videos):>8}"
                  f"{split['shape']:>8}{split['background']:>12}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dirs", nargs="+", help="bench_quality --out folders")
    main(parser.parse_args().out_dirs)
