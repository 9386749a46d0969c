"""`MinibatchStdDev`: lets a discriminator see how much the samples of a batch differ."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MinibatchStdDev(keras.layers.Layer):
    """Appends `F` channels: the features' standard deviation across a group of samples.

    A discriminator that judges each sample alone cannot tell a generator that draws the same
    sample every time from one that draws the data's variety; given how much a group of samples
    differs, it can, and the generator is pushed towards the variety (Karras et al. 2018,
    "Progressive growing of GANs"; StyleGAN2 and StyleGAN-V keep it before their last conv).
    `[N, H, W, C]` -> `[N, H, W, C + F]`: groups are runs of `G` consecutive samples; the channels
    are split into `F` runs of `C / F`, and new channel `f` holds, for every sample, the mean over
    `H, W` and run `f` of its group's standard deviations (StyleGAN2's `num_channels`: with more
    than one, a spread in a few features is not averaged away by all the others). Being
    consecutive, the groups are the same on one device as on replicas that each get a multiple
    of `G` samples of the global batch (`tf.distribute` splits it into consecutive runs).

    Args:
        group_size: samples per group, `G`; the largest divisor of the batch not above it.
        num_features: statistics appended, `F`; must divide the channels.
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, group_size=4, num_features=1, **kwargs):
        super().__init__(**kwargs)
        self.group_size = group_size
        self.num_features = num_features

    def build(self, input_shape):
        if input_shape[-1] % self.num_features:
            raise ValueError(f"MinibatchStdDev: num_features={self.num_features} must divide the "
                             f"input's {input_shape[-1]} channels.")

    def call(self, inputs):
        x = tf.cast(inputs, tf.float32)
        count = tf.shape(x)[0]
        candidates = tf.range(self.group_size, 0, -1)
        group = tf.boolean_mask(candidates, tf.equal(count % candidates, 0))[0]
        grouped = tf.reshape(x, tf.concat([[-1, group], tf.shape(x)[1:]], axis=0))
        centred = grouped - tf.reduce_mean(grouped, axis=1, keepdims=True)
        std = tf.sqrt(tf.reduce_mean(tf.square(centred), axis=1) + 1e-8)  # [N / G, H, W, C]
        runs = tf.reshape(std, tf.concat([tf.shape(std)[:3], [self.num_features, -1]], axis=0))
        per_group = tf.reduce_mean(runs, axis=[1, 2, 4])  # [N / G, F]
        channels = tf.repeat(per_group, group, axis=0)[:, None, None, :]
        channels = channels * tf.ones_like(x[..., :1])  # [N, H, W, F]
        return tf.concat([inputs, tf.cast(channels, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + self.num_features)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size,
                "num_features": self.num_features}
