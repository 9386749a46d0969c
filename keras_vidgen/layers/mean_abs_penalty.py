"""`MeanAbsPenalty`: an identity layer that adds `weight * mean(|x|)` to its model's losses."""

import keras
from keras import ops

from keras_vidgen.layers.penalty import Penalty


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MeanAbsPenalty(Penalty):
    """Identity that adds an L1 penalty on its input through `add_loss` (e.g. VGAN's mask).

    Unlike `keras.layers.ActivityRegularization`, whose L1 term is a sum and so grows with the
    batch, the frame count and the resolution, this is a mean: its weight means the same thing at
    every clip size. `VideoGAN` adds a generator's `losses` to the generator's loss.

    Args:
        weight: the penalty's weight.
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, weight, **kwargs):
        super().__init__(weight, **kwargs)

    def penalty(self, inputs):
        return ops.mean(ops.abs(ops.cast(inputs, "float32")))
