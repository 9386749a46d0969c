"""`RangePenalty`: an identity layer that leashes values that should stay within a range."""

import keras
from keras import ops

from keras_vidgen.layers.penalty import Penalty

# Frames are in [-1, 1]: a network's synthesised pixels are leashed beyond it.
PIXEL_BOUND = 1.0


@keras.saving.register_keras_serializable(package="keras_vidgen")
class RangePenalty(Penalty):
    """Identity that adds `weight * mean(max(|x| - bound, 0) ** 2)` to its model's losses.

    Free inside `[-bound, bound]`, a quadratic pull back outside it. It is for a network's outputs
    that feed a softmax or a sigmoid, or stand for pixels, whose scale nothing else bounds: such a
    value can run off in a few steps of an adaptive optimizer (Adam steps every weight by about its
    learning rate, whatever the gradient's size), and once a softmax saturates its gradient
    vanishes and nothing brings it back. The pull back does not pass through the softmax, so it
    still acts there. A mean, like `MeanAbsPenalty`, so the weight means the same at any size.

    Args:
        bounds: the bound, or one per channel (the last axis).
        weight: the penalty's weight.
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, bounds, weight=1.0, **kwargs):
        super().__init__(weight, **kwargs)
        self.bounds = bounds

    def penalty(self, inputs):
        bounds = ops.convert_to_tensor(self.bounds, "float32")
        excess = ops.relu(ops.abs(ops.cast(inputs, "float32")) - bounds)
        return ops.mean(ops.square(excess))

    def get_config(self):
        return {**super().get_config(), "bounds": self.bounds}
