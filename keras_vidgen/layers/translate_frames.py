"""`TranslateFrames`: one image a clip, moved by a shift a frame."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class TranslateFrames(keras.layers.Layer):
    """`[image [N, H, W, C], shifts [N, K, 2]]` -> `[N, K, H, W, C]`: frame `k` of clip `n` is
    `image[n]` moved down by `shifts[n, k, 0]` and right by `shifts[n, k, 1]` pixels (any real
    values), with bilinear interpolation and zeros where nothing moves in.

    A sprite over a still background (as in layered video models: a layer's pixels move, they
    are not redrawn): what the layer draws keeps its outline, colour and size in every frame by
    construction, and only its place changes. A translation is separable: each axis is a
    matrix of tent weights `max(0, 1 - |i - shift - j|)` from source pixel `j` to output pixel
    `i`, so the gradient reaches the shifts (through the drawing's edges) and a frame costs two
    small matrix products. Computed in float32 under any precision policy: in float16 a
    position near 64 moves in steps of 1/32 of a pixel.
    """

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "dtype": "float32"})

    def call(self, inputs):
        image, shifts = inputs
        image = tf.cast(image, tf.float32)
        shifts = tf.cast(shifts, tf.float32)
        rows = self.tent_weights(tf.shape(image)[1], shifts[..., 0])
        columns = self.tent_weights(tf.shape(image)[2], shifts[..., 1])
        return tf.einsum("nkij,njlc,nkml->nkimc", rows, image, columns)

    @staticmethod
    def tent_weights(length, shift):
        """`[N, K, length, length]`: the weight of source pixel `j` in output pixel `i` of an axis
        moved by `shift [N, K]`."""
        pixels = tf.cast(tf.range(length), tf.float32)
        source = pixels[:, None] - shift[..., None, None]  # [N, K, length, 1]: where i reads from
        return tf.nn.relu(1.0 - tf.abs(source - pixels))

    def compute_output_shape(self, input_shape):
        image_shape, shifts_shape = input_shape
        return (image_shape[0], shifts_shape[1], *image_shape[1:])
