"""Latent vectors: the one place that turns a seed into latents, and walks between latents.

`seeded_latents` uses a stateless TensorFlow op (core TF only), so the same seed gives the same
latents in Python (`VideoGAN.generate`, `vidgen sample`) and inside an exported SavedModel's
`generate_from_seed` signature, on any machine.
"""

import numpy as np
import tensorflow as tf

from keras_vidgen.errors import ConfigError


def seeded_latents(num, latent_dim, seed):
    """Returns `num` standard-normal latent vectors drawn from `seed`, as a float32 tensor.

    The result depends only on `(num, latent_dim, seed)`, and the first `k` rows do not depend on
    `num`: seed 3 with `num=1` gives the first video of seed 3 with `num=8`.

    Args:
        num: how many vectors (int or int32 scalar tensor).
        latent_dim: length of each vector.
        seed: int or int64 scalar tensor.

    Returns:
        float32 tensor `[num, latent_dim]`.

    Example:
        >>> seeded_latents(2, 64, seed=7).shape
        TensorShape([2, 64])
    """
    seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
    # One row per draw, each with its own folded-in seed, so row i is the same for any num.
    rows = tf.range(tf.cast(num, tf.int64))
    return tf.map_fn(
        lambda row: tf.random.stateless_normal(
            [latent_dim], seed=tf.random.experimental.stateless_fold_in(seed, row)
        ),
        rows,
        fn_output_signature=tf.TensorSpec([latent_dim], tf.float32),
    )


def slerp(a, b, steps):
    """Spherical interpolation between two latent vectors (White 2016, "Sampling Generative Networks").

    Gaussian latents lie near a sphere; a straight line between two of them passes through
    low-norm latents the generator rarely saw, so walks follow the great circle instead.

    Args:
        a, b: latent vectors `[latent_dim]`.
        steps: number of points, both ends included (at least 2).

    Returns:
        float32 array `[steps, latent_dim]`; row 0 is `a` and the last row is `b`.
    """
    if steps < 2:
        raise ConfigError("{0}: an interpolation needs at least 2 steps", ("steps", steps))
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    t = np.linspace(0.0, 1.0, steps)[:, np.newaxis]
    cosine = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    omega = np.arccos(np.clip(cosine, -1.0, 1.0))
    if np.sin(omega) < 1e-6:  # (anti)parallel: the great circle is undefined; walk straight.
        walk = (1 - t) * a + t * b
    else:
        walk = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    return walk.astype(np.float32)
