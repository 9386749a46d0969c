"""`DetailGate`: an image's mean colour plus its detail scaled by a gain an image."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_vidgen")
class DetailGate(keras.layers.Layer):
    """`[image [N, H, W, C], gain [N, 1]]` -> `mean + gain * (image - mean)`, the image's mean
    colour over its pixels (per channel) plus what differs from it, scaled by the image's gain.

    A flat image is then one number away (a gain of 0) instead of every stage of a synthesis
    network agreeing to draw nothing: `stylegan-v`'s still background drew a faint texture over
    every plain background (2% of its frames flat after 4,000 `base` steps, the real clips' 48%).

    Call args:
        inputs: `[image [N, H, W, C], gain [N, 1]]`, the gain in [0, 1] (a sigmoid's).

    Returns:
        `[N, H, W, C]`.
    """

    def call(self, inputs):
        image, gain = inputs
        mean = ops.mean(image, axis=(1, 2), keepdims=True)
        return mean + ops.cast(gain, image.dtype)[:, None, None, :] * (image - mean)

    def compute_output_shape(self, input_shape):
        return input_shape[0]
