"""`FadeEdges`: an image faded to zero at its borders."""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="keras_vidgen")
class FadeEdges(keras.layers.Layer):
    """`[N, H, W, C]` -> the same, each pixel multiplied by a window that rises in a straight
    line from near 0 at the borders to 1 at `share` of the side in (separable: the row's ramp
    times the column's).

    A sprite is an object inside its canvas, not the canvas: moved by `TranslateFrames`, a
    canvas whose border is drawn brings that border into the frame as a line beside the object.
    Without the window the main job's sprites carried a short bar at their canvas's left edge.

    Args:
        share: the ramp's length as a share of the image's side (0.125: 4 pixels of 32).
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, share, **kwargs):
        super().__init__(**kwargs)
        self.share = share

    @staticmethod
    def ramp(length, share):
        """`[length]`: the window along one side, pixel centres `0.5 ... length - 0.5` from the
        near border."""
        pixels = np.arange(length, dtype="float32")
        distance = np.minimum(pixels + 0.5, length - 0.5 - pixels)
        return np.clip(distance / (share * length), 0.0, 1.0)

    def call(self, inputs):
        rows = self.ramp(inputs.shape[1], self.share)
        columns = self.ramp(inputs.shape[2], self.share)
        window = (rows[:, None] * columns[None, :])[None, :, :, None]
        return inputs * ops.cast(window, inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "share": self.share}
