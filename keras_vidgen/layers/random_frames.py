"""`RandomFrames`: keeps `count` randomly chosen frames of each clip (DVD-GAN's spatial input)."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class RandomFrames(keras.layers.Layer):
    """Selects `count` of a clip's `T` frames, in temporal order: at random per clip in training
    (DVD-GAN, Clark et al. 2019, samples k = 8 frames for its spatial discriminator), evenly
    spaced otherwise.

    The random stream's state is a weight, so a saved and reloaded model continues it.

    Args:
        count: frames to keep; clips of at most `count` frames pass through unchanged.
        seed: seeds the selection.
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        inputs: `[N, T, ...]`.
        training: draw random frames (else evenly spaced ones).

    Returns:
        `[N, min(count, T), ...]`.
    """

    def __init__(self, count, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.count = count
        self.seed = seed

    def build(self, input_shape):
        self.seed_state = self.add_weight(
            shape=(2,), dtype="int64", name="seed_state", trainable=False,
            initializer=keras.initializers.Constant([self.seed, 0]),
            aggregation="only_first_replica",
        )
        self.built = True

    def call(self, inputs, training=False):
        frames = inputs.shape[1]
        if frames <= self.count:
            return inputs
        batch = tf.shape(inputs)[0]
        if training:
            seed = tf.identity(self.seed_state)
            self.seed_state.assign_add(tf.constant([0, 1], tf.int64))
            scores = tf.random.stateless_uniform(tf.stack([batch, frames]), seed=seed)
            indices = tf.sort(tf.math.top_k(scores, self.count).indices, axis=1)
        else:
            spaced = tf.cast(tf.linspace(0.0, frames - 1.0, self.count), tf.int32)
            indices = tf.tile(spaced[tf.newaxis], tf.stack([batch, 1]))
        return tf.gather(inputs, indices, axis=1, batch_dims=1)

    def compute_output_shape(self, input_shape):
        frames = input_shape[1]
        kept = frames if frames is None or frames <= self.count else self.count
        return (input_shape[0], kept) + tuple(input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "count": self.count, "seed": self.seed}
