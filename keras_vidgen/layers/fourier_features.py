"""`FourierFeatures`: sine waves over the image plane, turned and shifted per video."""

import math

import keras
import numpy as np
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class FourierFeatures(keras.layers.Layer):
    """Appends `2 * count` channels of plane waves `sin / cos(2 pi (f . R(a) p) + 2 pi f . s)` to
    a feature map, for pixel positions `p` in `[0, 1)^2`.

    The frequencies `f` are fixed (a seeded bank: radii log-spaced from 1 cycle a frame to
    `max_cycles`, directions random); the rotation `a` and shift `s` come from a learned affine
    map of the style (the per-video content code), started at zero, so every image of one video
    gets the same waves, turned and shifted together. After StyleGAN3's Fourier-feature input
    (Karras et al. 2021, its input turned and shifted by an affine of `w`) and the coordinate
    features of DIGAN and CIPS: a plane wave of any direction and phase is one channel away,
    where a stack of 3x3 convolutions from a 4x4 map has to assemble it, which the
    `base` runs' generators did not within 30 minutes (the data's striped backgrounds).

    Args:
        count: frequencies (the layer adds `2 * count` channels).
        max_cycles: the highest frequency, in cycles a frame (below the map's Nyquist, size / 2).
        seed: fixes the bank (kept in the config).
        **kwargs: passed to `keras.layers.Layer`; its `dtype` is float32 under any policy
            (float16 keeps phases of several radians to about 1/256 of a turn), so under mixed
            precision it returns float32 and the next layer casts down.

    Call args:
        inputs: `[x, style]`: `x [B, H, W, C]`, `style [B, S]`.

    Returns:
        `[B, H, W, C + 2 * count]`.
    """

    def __init__(self, count=16, max_cycles=8.0, seed=0, **kwargs):
        super().__init__(**{**kwargs, "dtype": "float32"})
        self.count, self.max_cycles, self.seed = count, max_cycles, seed

    def build(self, input_shape):
        x_shape, style_shape = input_shape
        rng = np.random.default_rng(self.seed)
        radii = np.geomspace(1.0, self.max_cycles, self.count)
        directions = rng.uniform(0, 2 * math.pi, self.count)
        # A constant of the config, not a weight: [count, 2].
        self._frequencies = tf.constant(np.stack([radii * np.cos(directions), radii * np.sin(directions)], -1),
                                        tf.float32)
        height, width = int(x_shape[1]), int(x_shape[2])
        ys, xs = np.meshgrid(np.arange(height) / height, np.arange(width) / width, indexing="ij")
        self._positions = tf.constant(np.stack([xs, ys], -1), tf.float32)  # [H, W, 2]
        # rotation angle and shift (x, y) per image, zero at the start: the fixed bank.
        self.transform = keras.layers.Dense(3, kernel_initializer="zeros", dtype="float32",
                                            name="transform")
        self.transform.build(style_shape)

    def call(self, inputs):
        x, style = inputs
        transform = self.transform(style)
        angle, shift = transform[:, 0], transform[:, 1:]
        cos, sin = tf.cos(angle), tf.sin(angle)
        # [B, 2, 2] rotations applied to the frequencies: [B, count, 2].
        rotation = tf.stack([tf.stack([cos, -sin], -1), tf.stack([sin, cos], -1)], -2)
        frequencies = tf.einsum("bij,kj->bki", rotation, self._frequencies)
        phase = 2 * math.pi * (tf.einsum("hwi,bki->bhwk", self._positions, frequencies)
                               + tf.einsum("bi,bki->bk", shift, frequencies)[:, None, None, :])
        waves = tf.concat([tf.sin(phase), tf.cos(phase)], -1)
        return tf.concat([x, waves], -1)

    def compute_output_shape(self, input_shape):
        x_shape, _ = input_shape
        return (*x_shape[:-1], x_shape[-1] + 2 * self.count)

    def get_config(self):
        return {**super().get_config(), "count": self.count, "max_cycles": self.max_cycles, "seed": self.seed}
