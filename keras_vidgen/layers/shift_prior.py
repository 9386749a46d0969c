"""`ShiftPrior`: the moves a predictor expects, as shift-kernel logits, so it starts out making
them."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class ShiftPrior(keras.layers.Layer):
    """Turns one move a produced frame (`BorderBounce`: the measured velocity, bounced off the
    borders) into the logits of the kernels that make those moves.

    `MoveForeground` applies one kernel per produced frame to the already-moved layer. This layer
    gives, for each frame and axis, the kernel that moves it by that frame's move `m`: linear
    interpolation between the two whole shifts around `m` (weights `1 - |d - m|`: the kernel's
    mean is `m` exactly, so the layer's centre lands where the moves add up to, to a fraction of a
    pixel), mirrored (a kernel that moves an image by `m` has its taps at `-m`: convolutions read,
    they do not write), as logits (`log(weight + 1e-4)`: the softmax gives the weights back). The
    predictor adds its learned logits to these (what the measurement misses), and those start at
    zero: an untrained predictor already makes the expected moves.

    Args:
        reach: the largest shift a kernel makes, in pixels each way (`2 reach + 1` taps); moves
            beyond it are clipped to it.
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        moves: `[N, F, 2]`, pixels (down, right) from the previous frame.

    Returns:
        `[N, F, 2 (2 reach + 1)]`: vertical then horizontal kernel logits, as `MoveForeground`
        takes.
    """

    FLOOR = 1e-4

    def __init__(self, reach, **kwargs):
        super().__init__(**kwargs)
        self.reach = reach

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] != 2:
            raise ValueError("ShiftPrior takes moves [N, frames, 2] (down, right); got shape "
                             f"{tuple(input_shape)}.")

    def call(self, moves):
        reach = float(self.reach)
        moves = tf.clip_by_value(tf.cast(moves, tf.float32), -reach, reach)
        taps = tf.range(-reach, reach + 1.0)  # kernel offsets, [K]
        # A tap at offset o reads the pixel o away: it moves the image by -o.
        weights = tf.nn.relu(1.0 - tf.abs(taps + moves[..., None]))  # [N, F, 2, K]
        logits = tf.math.log(weights + self.FLOOR)
        return tf.reshape(logits, [-1, moves.shape[1], 2 * (2 * self.reach + 1)])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], 2 * (2 * self.reach + 1))

    def get_config(self):
        config = super().get_config()
        config.update(reach=self.reach)
        return config
