"""Moving the frames of clips into and out of the batch axis, for 2D networks shared by all frames.

Three inverse-and-helper layers that belong together: `FoldFrames` stacks the `K` frames of `N`
clips into a batch of `N * K` images, `UnfoldFrames` splits them back, and `RepeatFrames` gives a
per-clip vector to every frame. `K` may differ from call to call (a continuous-time generator
renders as many frames as it is asked for).
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class FoldFrames(keras.layers.Layer):
    """`[N, K, ...]` -> `[N * K, ...]`."""

    def call(self, inputs):
        shape = tf.shape(inputs)
        return tf.reshape(inputs, tf.concat([[shape[0] * shape[1]], shape[2:]], axis=0))

    def compute_output_shape(self, input_shape):
        return (None, *input_shape[2:])


@keras.saving.register_keras_serializable(package="keras_vidgen")
class UnfoldFrames(keras.layers.Layer):
    """`[x [N * K, ...], like [N, K, ...]]` -> `[N, K, ...]`: undoes `FoldFrames`, taking `N` and
    `K` from a tensor of the clips' own shape (e.g. their times)."""

    def call(self, inputs):
        x, like = inputs
        clips = tf.shape(like)[:2]
        return tf.reshape(x, tf.concat([clips, tf.shape(x)[1:]], axis=0))

    def compute_output_shape(self, input_shape):
        x_shape, like_shape = input_shape
        return (like_shape[0], like_shape[1], *x_shape[1:])


@keras.saving.register_keras_serializable(package="keras_vidgen")
class RepeatFrames(keras.layers.Layer):
    """`[vector [N, D], like [N, K, ...]]` -> `[N, K, D]`: one clip's vector for each of its frames."""

    def call(self, inputs):
        vector, like = inputs
        return tf.tile(vector[:, None, :], [1, tf.shape(like)[1], 1])

    def compute_output_shape(self, input_shape):
        vector_shape, like_shape = input_shape
        return (vector_shape[0], like_shape[1], vector_shape[-1])
