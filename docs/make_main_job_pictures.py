"""Writes the README's main-job pictures from a run's checkpoint (and the real clips beside them).

Run after the README's first command:

    python docs/make_main_job_pictures.py runs/vidgen-<time>/checkpoint.keras

It writes, enlarged 2x so a 32x32 clip is visible on a web page:
  docs/main_job_generated.gif        8 generated videos (seed 0), the training clips' length
  docs/main_job_generated_long.gif   the same 8 videos rendered 4x as long (continuous-time
                                     models only: arch stylegan-v)
  docs/main_job_real.gif             8 training clips of the built-in moving shapes
"""

import argparse
import os

import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)
import keras
import numpy as np

from keras_vidgen import media, metrics
from keras_vidgen.config import preset
from keras_vidgen.train import resolve_data

DOCS = os.path.dirname(os.path.abspath(__file__))


def enlarged(videos, factor=2):
    """Tiles videos 4 to a row and repeats each pixel `factor` times both ways."""
    tiled = media.tile_videos(videos, columns=4)
    return tiled.repeat(factor, axis=1).repeat(factor, axis=2)


def main(checkpoint, out_dir=DOCS, num=8, seed=0):
    model = keras.models.load_model(checkpoint)
    media.write_video(os.path.join(out_dir, "main_job_generated.gif"),
                      enlarged(model.generate(num, seed=seed)))
    if model.sparse_frames:
        long_videos = model.generate(num, seed=seed, frames=4 * model.frames)
        media.write_video(os.path.join(out_dir, "main_job_generated_long.gif"), enlarged(long_videos))
    config = preset("small")
    real = metrics.real_clips(resolve_data(config), num, config.data.frames, config.data.size, seed=seed)
    media.write_video(os.path.join(out_dir, "main_job_real.gif"), enlarged(np.asarray(real)))
    print(f"Wrote the main job's pictures from {checkpoint} to {out_dir}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="the main job's checkpoint.keras")
    parser.add_argument("--out", default=DOCS, help="folder to write the GIFs to")
    args = parser.parse_args()
    main(args.checkpoint, args.out)
