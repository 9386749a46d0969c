"""DiffAugment for video: differentiable augmentations applied alike to every frame of a clip.

Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training". The policy
"color,translation,cutout" is the paper's recommended one; its parameters (brightness in
[-0.5, 0.5), saturation x [0, 2), contrast x [0.5, 1.5), translation up to 1/8 of the size with
zero fill, one cutout square of half the size) are the official code's. For video every parameter
is drawn once per clip and applied to all its frames, so augmentation never fakes motion; contrast
uses the clip's mean (over frames, pixels and channels).

All randomness is stateless and comes from an explicit seed, so a run is reproducible and a
resumed run continues the same augmentations. Every operation is differentiable with respect to
the videos, which is what lets the generator learn through the augmented discriminator.
"""

import tensorflow as tf

from keras_vidgen.choices import AUGMENTATIONS as POLICIES


def diff_augment(videos, seed, policy="color,translation,cutout"):
    """Augments a batch of videos, each clip with its own parameters.

    Args:
        videos: float `[N, T, H, W, C]` in [-1, 1].
        seed: stateless seed, int `[2]`.
        policy: comma-separated names from `POLICIES`, applied in order.

    Returns:
        Augmented videos of the same shape.

    Example:
        >>> augmented = diff_augment(videos, seed=[0, 1], policy="color,translation,cutout")
    """
    for index, name in enumerate(parse_policy(policy)):
        step_seed = tf.random.experimental.stateless_fold_in(seed, index)
        videos = _AUGMENTATIONS[name](videos, step_seed)
    return videos


def parse_policy(policy):
    """Splits and checks a policy string; returns the tuple of names (empty for None or "")."""
    names = tuple(name.strip() for name in (policy or "").split(",") if name.strip())
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise ValueError(f"Unknown DiffAugment policy {unknown}; choose from {list(POLICIES)}.")
    return names


def _per_clip_uniform(videos, seed, minval=0.0, maxval=1.0):
    shape = tf.stack([tf.shape(videos)[0], 1, 1, 1, 1])
    return tf.random.stateless_uniform(shape, seed=seed, minval=minval, maxval=maxval)


def _color(videos, seed):
    seeds = tf.random.experimental.stateless_split(seed, 3)
    videos = videos + _per_clip_uniform(videos, seeds[0], -0.5, 0.5)  # brightness
    mean = tf.reduce_mean(videos, axis=-1, keepdims=True)
    videos = (videos - mean) * _per_clip_uniform(videos, seeds[1], 0.0, 2.0) + mean  # saturation
    mean = tf.reduce_mean(videos, axis=[1, 2, 3, 4], keepdims=True)
    return (videos - mean) * _per_clip_uniform(videos, seeds[2], 0.5, 1.5) + mean  # contrast


def _shift_axis(videos, shift, axis):
    # out[..., i, ...] = videos[..., i - shift, ...], zero where i - shift falls outside.
    length = videos.shape[axis]
    source = tf.range(length)[tf.newaxis] - shift[:, tf.newaxis]  # [N, length]
    inside = (source >= 0) & (source < length)
    shifted = tf.gather(videos, tf.clip_by_value(source, 0, length - 1), axis=axis, batch_dims=1)
    mask_shape = [-1, 1, 1, 1, 1]
    mask_shape[axis] = length
    return shifted * tf.reshape(tf.cast(inside, videos.dtype), mask_shape)


def _translation(videos, seed, ratio=0.125):
    height, width = videos.shape[2], videos.shape[3]
    batch = tf.shape(videos)[0]
    seeds = tf.random.experimental.stateless_split(seed, 2)
    shifts = []
    for axis_seed, length in ((seeds[0], height), (seeds[1], width)):
        limit = int(length * ratio + 0.5)
        shifts.append(tf.random.stateless_uniform(
            [batch], seed=axis_seed, minval=-limit, maxval=limit + 1, dtype=tf.int32
        ))
    return _shift_axis(_shift_axis(videos, shifts[0], axis=2), shifts[1], axis=3)


def _cutout(videos, seed, ratio=0.5):
    height, width = videos.shape[2], videos.shape[3]
    batch = tf.shape(videos)[0]
    seeds = tf.random.experimental.stateless_split(seed, 2)
    masks = []
    for axis_seed, length in ((seeds[0], height), (seeds[1], width)):
        size = int(length * ratio + 0.5)
        centre = tf.random.stateless_uniform(
            [batch, 1], seed=axis_seed, minval=0, maxval=length, dtype=tf.int32
        )
        start = centre - size // 2
        positions = tf.range(length)[tf.newaxis]
        masks.append((positions >= start) & (positions < start + size))  # [N, length]
    cut = masks[0][:, :, tf.newaxis] & masks[1][:, tf.newaxis, :]  # [N, H, W]
    keep = tf.cast(~cut, videos.dtype)[:, tf.newaxis, :, :, tf.newaxis]
    return videos * keep


_AUGMENTATIONS = {"color": _color, "translation": _translation, "cutout": _cutout}
