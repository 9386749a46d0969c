"""`Penalty`: the base of identity layers that add a penalty on their input to the model's losses."""

import keras


class Penalty(keras.layers.Layer):
    """Passes its input through unchanged and adds `weight * self.penalty(inputs)` to the losses.

    A network that holds one adds losses of its own when called (`networks.adds_losses`), and
    `VideoGAN` and `VideoPredictor` add the generator's `losses` to its loss and log them as
    `g_reg_penalty`. Subclasses define `penalty`, a mean, so the weight means the same at every
    clip size.

    With a `ramp`, the weight is a schedule over training steps: 0 before the ramp's start,
    rising in a straight line to `weight` at its end. The layer holds the step it was last told
    (`step`, a non-trainable variable; `networks.set_penalty_step` tells it, as `VideoGAN` does
    every step), so it needs no optimizer of its own and a resumed run picks up where it stopped.

    Args:
        weight: the penalty's weight.
        ramp: `(start, end)` training steps, `start < end` (`None`: `weight` from the first step).
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, weight=1.0, ramp=None, **kwargs):
        super().__init__(**kwargs)
        self.weight = weight
        self.ramp = tuple(ramp) if ramp else None
        if self.ramp and not 0 <= self.ramp[0] < self.ramp[1]:
            raise ValueError(f"{self.name}: ramp={self.ramp} must be (start, end) steps with 0 <= start < end")

    def build(self, input_shape):
        if self.ramp:
            self.step = self.add_weight(shape=(), initializer="zeros", trainable=False, name="step")

    def penalty(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must define penalty(inputs)")

    def weight_now(self):
        """The weight at the step the layer was last told (`weight` without a ramp)."""
        if not self.ramp:
            return self.weight
        start, end = self.ramp
        return self.weight * keras.ops.clip((self.step - start) / (end - start), 0.0, 1.0)

    def call(self, inputs):
        self.add_loss(self.weight_now() * self.penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "weight": self.weight, "ramp": self.ramp}
