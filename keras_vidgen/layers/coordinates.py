"""`AddCoordinates`: appends each pixel's x and y position as two channels (CoordConv)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_vidgen")
class AddCoordinates(keras.layers.Layer):
    """Appends x and y coordinate channels in [-1, 1] to a video (Liu et al. 2018, "An Intriguing
    Failing of Convolutional Neural Networks and the CoordConv Solution").

    Convolutions and pooling are nearly blind to absolute position; with these channels a
    network can report where things are, as the in-domain extractor must.

    Call args:
        videos: `[N, T, H, W, C]`.

    Returns:
        `[N, T, H, W, C + 2]`.
    """

    def call(self, videos):
        shape = ops.shape(videos)
        height, width = videos.shape[2], videos.shape[3]
        ys = ops.linspace(-1.0, 1.0, height)
        xs = ops.linspace(-1.0, 1.0, width)
        grid = ops.stack(ops.meshgrid(xs, ys), axis=-1)  # [H, W, 2] of (x, y)
        grid = ops.cast(grid, videos.dtype)[None, None]
        grid = ops.broadcast_to(grid, (shape[0], shape[1], height, width, 2))
        return ops.concatenate([videos, grid], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 2)
