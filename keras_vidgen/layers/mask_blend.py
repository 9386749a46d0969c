"""`MaskBlend`: `mask * foreground + (1 - mask) * background`, broadcasting over time."""

import keras


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MaskBlend(keras.layers.Layer):
    """Composites VGAN's two streams (Vondrick et al. 2016): `m * f + (1 - m) * b`.

    Call args:
        inputs: `[mask [N, T, H, W, 1], foreground [N, T, H, W, C], background [N, 1, H, W, C]]`.

    Returns:
        `[N, T, H, W, C]`.
    """

    def call(self, inputs):
        mask, foreground, background = inputs
        return mask * foreground + (1.0 - mask) * background

    def compute_output_shape(self, input_shape):
        return input_shape[1]
