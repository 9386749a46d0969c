"""FVD / KVD of a generator against real clips, with every setting that changes the number."""

import numpy as np

from keras_vidgen.data import list_video_files, load_clip
from keras_vidgen.errors import ModelError
from keras_vidgen.metrics.distances import frechet_distance, kernel_distance


def real_clips(data, num, frames, size, seed=0, grayscale=False):
    """Loads `num` real clips (uint8) from a glob/folder/list, cycling over files if needed.

    Each clip starts at a random frame; the seed makes the set reproducible. `grayscale` gives
    one channel, to judge a model trained with `grayscale=True` against what it learnt from.
    """
    files = list_video_files(data)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(files))
    return np.stack([
        load_clip(files[order[i % len(files)]], frames, size, rng=rng, grayscale=grayscale)
        for i in range(num)
    ])


def evaluate(generated, real, extractor, kvd_subsets=10):
    """Computes FVD and KVD between generated and real videos with one extractor.

    FVD depends on the sample count, clip length, resolution and extractor, so all are returned
    with the result (Unterthiner et al. 2018 use 16-frame clips and 2,048 samples per set).

    Args:
        generated: uint8 `[n, frames, height, width, 3]`.
        real: uint8 videos of the same frames, height and width.
        extractor: a callable from `keras_vidgen.metrics.load_extractor`.
        kvd_subsets: random subsets averaged for KVD (its std is reported too).

    Returns:
        A dict: `fvd`, `kvd`, `kvd_std`, `num_generated`, `num_real`, `frames`, `size`,
        `extractor`.
    """
    if generated.shape[1:] != real.shape[1:]:
        raise ModelError(f"Generated {generated.shape[1:]} and real {real.shape[1:]} clips differ in shape.")
    features_generated, features_real = extractor(generated), extractor(real)
    return evaluate_features(features_generated, features_real, extractor.name, generated.shape, kvd_subsets)


def evaluate_features(features_generated, features_real, extractor_name, video_shape, kvd_subsets=10):
    """Like `evaluate`, from precomputed features (so real features are computed once)."""
    # KID's subsets of 1,000, or half the smaller set: subsets as large as the sets would all be
    # the same draw, and their spread (kvd_std) would always read 0.
    subset = max(2, min(1000, min(len(features_generated), len(features_real)) // 2))
    kvd, kvd_std = kernel_distance(
        features_generated, features_real, num_subsets=kvd_subsets, subset_size=subset
    )
    return {
        "fvd": frechet_distance(features_generated, features_real),
        "kvd": kvd,
        "kvd_std": kvd_std,
        "num_generated": int(len(features_generated)),
        "num_real": int(len(features_real)),
        "frames": int(video_shape[1]),
        "size": int(video_shape[2]),
        "extractor": extractor_name,
    }
