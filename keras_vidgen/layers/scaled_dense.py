"""`ScaledDense`: a `Dense` layer that learns at a fraction of the optimizer's learning rate."""

import keras


@keras.saving.register_keras_serializable(package="keras_vidgen")
class ScaledDense(keras.layers.Dense):
    """A `Dense` layer whose weights move `lr_multiplier` times as fast as the optimizer says.

    StyleGAN2's mapping network learns at 0.01 of the synthesis network's rate (its
    `lr_multiplier`). With Adam a weight moves by about the learning rate each step whatever its
    gradient's scale, so a per-layer rate is had by storing the weights `1 / lr_multiplier`
    times larger and multiplying them by `lr_multiplier` in the call: the layer computes what
    a `Dense` with He-initialised weights would, and each step moves those effective weights by
    `lr_multiplier` times the learning rate.

    Args:
        units: output width.
        lr_multiplier: the layer's learning rate as a fraction of the optimizer's (> 0).
        **kwargs: passed to `keras.layers.Dense` (not `kernel_initializer`: the layer sets it).

    Example:
        >>> layer = ScaledDense(8, lr_multiplier=0.01)
        >>> layer(keras.random.normal((2, 4))).shape
        (2, 8)
    """

    def __init__(self, units, lr_multiplier=1.0, **kwargs):
        kwargs.pop("kernel_initializer", None)  # set here, from lr_multiplier (get_config has it)
        super().__init__(units, kernel_initializer=keras.initializers.VarianceScaling(
            scale=2.0 / lr_multiplier ** 2, distribution="untruncated_normal"), **kwargs)
        self.lr_multiplier = lr_multiplier

    def call(self, inputs):
        outputs = keras.ops.matmul(inputs, self.kernel * self.lr_multiplier)
        if self.use_bias:
            outputs = outputs + self.bias * self.lr_multiplier
        return self.activation(outputs) if self.activation is not None else outputs

    def get_config(self):
        return {**super().get_config(), "lr_multiplier": self.lr_multiplier}
