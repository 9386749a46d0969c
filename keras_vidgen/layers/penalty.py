"""`Penalty`: the base of identity layers that add a penalty on their input to the model's losses."""

import keras


class Penalty(keras.layers.Layer):
    """Passes its input through unchanged and adds `weight * self.penalty(inputs)` to the losses.

    A network that holds one adds losses of its own when called (`networks.adds_losses`), and
    `VideoGAN` and `VideoPredictor` add the generator's `losses` to its loss and log them as
    `g_reg_penalty`. Subclasses define `penalty`, a mean, so the weight means the same at every
    clip size.

    Args:
        weight: the penalty's weight.
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = weight

    def penalty(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must define penalty(inputs)")

    def call(self, inputs):
        self.add_loss(self.weight * self.penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}
