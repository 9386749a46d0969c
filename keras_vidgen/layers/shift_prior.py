"""`ShiftPrior`: a measured velocity as shift-kernel logits, so a predictor starts out
extrapolating it."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class ShiftPrior(keras.layers.Layer):
    """Turns a velocity (`MeasuredVelocity`) into the logits of the kernels that keep it.

    Moving on at velocity `v` means shifting by `v` again in every produced frame, and
    `MoveForeground` applies one kernel per frame to the already-moved layer, so the same kernel
    every frame extrapolates the velocity. This layer gives that kernel, on each axis: linear
    interpolation between the two whole shifts around `v` (weights `1 - |d - v|`: the kernel's
    mean is `v` exactly, so after `f` frames the layer's centre has moved `f v`, to a fraction of
    a pixel), mirrored (a kernel that moves an image by `v` has its taps at `-v`: convolutions
    read, they do not write), as logits (`log(weight + 1e-4)`: the softmax gives the weights
    back). The predictor adds its learned logits to these (bounces, speed changes), and those
    start at zero: an untrained predictor already moves the foreground at the measured velocity.

    Args:
        produced: frames to produce (the same logits for each).
        reach: the largest shift a kernel makes, in pixels each way (`2 reach + 1` taps);
            velocities beyond it are clipped to it.
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        velocity: `[N, 2]`, pixels a frame (down, right).

    Returns:
        `[N, produced, 2 (2 reach + 1)]`: vertical then horizontal kernel logits, as
        `MoveForeground` takes.
    """

    FLOOR = 1e-4

    def __init__(self, produced, reach, **kwargs):
        super().__init__(**kwargs)
        self.produced, self.reach = produced, reach

    def build(self, input_shape):
        if input_shape[-1] != 2:
            raise ValueError("ShiftPrior takes a velocity [N, 2] (down, right); got shape "
                             f"{tuple(input_shape)}.")

    def call(self, velocity):
        reach = float(self.reach)
        velocity = tf.clip_by_value(tf.cast(velocity, tf.float32), -reach, reach)
        taps = tf.range(-reach, reach + 1.0)  # kernel offsets, [K]
        # A tap at offset o reads the pixel o away: it moves the image by -o.
        weights = tf.nn.relu(1.0 - tf.abs(taps + velocity[:, :, None]))  # [N, 2, K]
        logits = tf.math.log(weights + self.FLOOR)
        logits = tf.reshape(logits, [-1, 2 * (2 * self.reach + 1)])
        return tf.tile(logits[:, None], [1, self.produced, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.produced, 2 * (2 * self.reach + 1))

    def get_config(self):
        config = super().get_config()
        config.update(produced=self.produced, reach=self.reach)
        return config
