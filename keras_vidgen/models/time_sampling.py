"""Which frames of a clip a sparse-frame (continuous-time) GAN trains on, and at which times.

Pure functions of a seed and shapes, so a resumed run draws exactly what an uninterrupted one
would (the seed comes from `VideoGAN`'s saved random stream).
"""

import numpy as np
import tensorflow as tf

# Fakes are rendered at the real frames' gaps shifted by an offset drawn from [0, this), in
# frames: the generator learns to render every time up to here, so sampling 64 or 256 frames from
# a model trained on 16-frame clips asks for times it was trained on.
TIME_OFFSET_RANGE = 256.0


def sparse_frame_indices(batch_size, clip_frames, count, seed, max_distance=None):
    """Draws `count` distinct frame indices per clip, in increasing order.

    Every clip gets a window `[start, start + max_distance]` at a uniform random start inside the
    clip, and `count` distinct indices uniformly from the window (StyleGAN-V's sparse training
    with a maximum distance between a clip's first and last frame).

    Args:
        batch_size: clips (int or scalar tensor).
        clip_frames: frames per clip, `T` (a Python int).
        count: frames per clip to draw, `K <= T`.
        seed: a stateless-random seed, int64 `[2]`.
        max_distance: the largest gap between a clip's first and last index (`None`: `T - 1`).

    Returns:
        int32 `[batch_size, count]`, each row strictly increasing, within `[0, T)` and spanning at
        most `max_distance`.

    Raises:
        ValueError: `count > clip_frames`, or `max_distance < count - 1`.
    """
    if count > clip_frames:
        raise ValueError(f"Cannot draw {count} distinct frames from {clip_frames}-frame clips: "
                         f"use clips of at least {count} frames, or draw fewer.")
    if max_distance is not None and max_distance < count - 1:
        raise ValueError(f"Cannot draw {count} distinct frames within a distance of "
                         f"{max_distance}: use a distance of at least {count - 1}, or draw fewer.")
    max_distance = clip_frames - 1 if max_distance is None else min(max_distance, clip_frames - 1)
    window = max_distance + 1
    start_seed, pick_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    starts = tf.random.stateless_uniform([batch_size, 1], start_seed, minval=0,
                                         maxval=clip_frames - window + 1, dtype=tf.int32)
    # `count` distinct positions of the window, uniformly: the top-k of i.i.d. random scores.
    scores = tf.random.stateless_uniform([batch_size, window], pick_seed)
    picked = tf.sort(tf.math.top_k(scores, k=count).indices, axis=-1)
    return starts + picked


def time_offsets(batch_size, seed):
    """Float offsets `[batch_size, 1]` uniform in `[0, TIME_OFFSET_RANGE)`: where fakes are rendered."""
    return tf.random.stateless_uniform([batch_size, 1], seed, maxval=TIME_OFFSET_RANGE)


def frame_times(count, frames):
    """The times a continuous-time generator renders for `count` videos: `0, 1, ..., frames - 1`
    for an int `frames`, or the given float times `[K]` (e.g. `np.arange(64) / 4`, 4x the rate).

    Returns:
        float32 `[count, K]`.
    """
    times = tf.range(frames, dtype=tf.float32) if np.ndim(frames) == 0 else tf.constant(frames, tf.float32)
    return tf.tile(times[None], [count, 1])


def take_frames(clips, indices):
    """`clips [N, T, ...]`, `indices [N, K]` -> `[N, K, ...]`, the indexed frames of each clip."""
    return tf.gather(clips, indices, batch_dims=1)
