"""`ShiftPrior`: the measured velocity as shift-kernel logits, so a predictor starts out
extrapolating it."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class ShiftPrior(keras.layers.Layer):
    """Turns a `MotionEvidence` map into the logits of the kernels that keep that velocity.

    `MotionEvidence` peaks at the shift `d` that carried the last observed change onto the next.
    Moving on at that velocity means shifting by `d` again in every produced frame, and
    `MoveForeground` applies one kernel per frame to the already-moved layer, so the same kernel
    every frame extrapolates the velocity. This layer gives that kernel: the map's vertical and
    horizontal marginals (its largest value along the other axis), scaled by a learned sharpness
    and mirrored (a kernel that moves an image by `d` has its tap at `-d`: convolutions read, they
    do not write). The predictor adds its learned logits to these (bounces, speed changes), and
    those start at zero: an untrained predictor already moves the foreground at the measured
    velocity, instead of first having to learn to read the map.

    Args:
        produced: frames to produce (the same logits for each).
        sharpness: the initial scale of the map (normalised to a peak of 1) as logits: at 10, a
            shift whose evidence is 0.3 below the peak gets `exp(-3)` of the peak's weight.
            Learned, so training can sharpen or soften it.
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        evidence: `[N, K * K]`, `MotionEvidence`'s map (down, then right, each from `-reach`).

    Returns:
        `[N, produced, 2 K]`: vertical then horizontal kernel logits, as `MoveForeground` takes.
    """

    def __init__(self, produced, sharpness=10.0, **kwargs):
        super().__init__(**kwargs)
        self.produced, self.initial_sharpness = produced, sharpness

    def build(self, input_shape):
        taps = round(input_shape[-1] ** 0.5)
        if taps * taps != input_shape[-1] or taps % 2 == 0:
            raise ValueError("ShiftPrior takes a square MotionEvidence map with an odd side; got "
                             f"{input_shape[-1]} values.")
        self.taps = taps
        self.sharpness = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(self.initial_sharpness),
            name="sharpness")

    def call(self, evidence):
        grid = tf.reshape(tf.cast(evidence, tf.float32), [-1, self.taps, self.taps])
        vertical = tf.reduce_max(grid, axis=2)  # [N, K] over downward shifts
        horizontal = tf.reduce_max(grid, axis=1)  # [N, K] over rightward shifts
        mirrored = tf.reverse(tf.concat([vertical[:, None], horizontal[:, None]], axis=1), [2])
        logits = self.sharpness * tf.reshape(mirrored, [-1, 2 * self.taps])
        return tf.tile(logits[:, None], [1, self.produced, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.produced, 2 * self.taps)

    def get_config(self):
        config = super().get_config()
        config.update(produced=self.produced, sharpness=self.initial_sharpness)
        return config
