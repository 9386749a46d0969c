"""`UndecidedPenalty`: an identity layer that adds `weight * mean(m * (1 - m))` to its model's losses."""

import keras
from keras import ops

from keras_vidgen.layers.penalty import Penalty


@keras.saving.register_keras_serializable(package="keras_vidgen")
class UndecidedPenalty(Penalty):
    """Identity that penalises a mask's values in [0, 1] for being neither 0 nor 1: `m * (1 - m)`,
    0 at either end and 0.25 at 0.5. Beside VGAN's L1 prior it makes a see-through mask over a
    whole frame cost more than a mask that covers the shape.

    Args:
        weight: the penalty's weight.
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, weight, **kwargs):
        super().__init__(weight, **kwargs)

    def penalty(self, inputs):
        inputs = ops.cast(inputs, "float32")
        return ops.mean(inputs * (1.0 - inputs))
