"""`TimeDifferences`: what a sparse-frame discriminator knows of when its frames were taken."""

import math

import keras
import numpy as np
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class TimeDifferences(keras.layers.Layer):
    """Fourier features of the gaps between consecutive frame times: `[N, K]` -> `[N, (K-1) * 2F]`.

    A discriminator that sees `K` frames taken at irregular times needs their spacing to judge
    the motion between them (StyleGAN-V, Skorokhodov et al. 2022, conditions its discriminator on
    the time differences). Only differences are used, so a clip judged at times `t` and at
    `t + c` is the same clip: absolute time carries no information about realism.

    Args:
        frequencies: sine/cosine pairs per gap, periods log-spaced from 2 to `max_period` frames.
        max_period: the longest period, in frames.
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, frequencies=8, max_period=64.0, **kwargs):
        super().__init__(**kwargs)
        self.frequencies = frequencies
        self.max_period = max_period
        periods = np.geomspace(2.0, max_period, frequencies)
        self._angular = tf.constant(2 * math.pi / periods, tf.float32)

    def call(self, times):
        times = tf.cast(times, tf.float32)
        gaps = (times[:, 1:] - times[:, :-1])[..., None] * self._angular  # [N, K-1, F]
        features = tf.concat([tf.sin(gaps), tf.cos(gaps)], axis=-1)
        return tf.reshape(features, [tf.shape(times)[0], -1])

    def compute_output_shape(self, input_shape):
        count = input_shape[1]
        return (input_shape[0], None if count is None else (count - 1) * 2 * self.frequencies)

    def get_config(self):
        config = super().get_config()
        config.update(frequencies=self.frequencies, max_period=self.max_period)
        return config
