"""`MovingExtent`: where the moving part of the observed frames is, in the last of them."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MovingExtent(keras.layers.Layer):
    """The box the moving part covers in the source frame, read off its last change, with no
    weights.

    Where something moved, the change into the source frame is large: from the moving part's back
    edge one frame earlier to its front edge now. Along each axis, knowing the velocity `v`, the
    part's box in the source frame is the change's extent with `|v|` taken off the back: for
    `v > 0` the front is the change's far end and the back its near end plus `v`. The change is
    thresholded at `THRESHOLD` of its largest value (compression noise and textures that do not
    move stay below it). On the moving shapes the box, with `MeasuredVelocity`'s velocity, puts the
    bounce off a border to about a pixel (`BorderBounce`).

    Args:
        source: the index of the observed frame the box is measured in (`>= 1`).
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        inputs: `[observed [N, k, H, W, C], velocity [N, 2]]` (pixels a frame, down and right).

    Returns:
        `[N, 4]`: top, left, bottom, right, in pixels from the top-left corner (a pixel `i` spans
        `[i, i + 1)`). The whole frame where nothing changed. No gradient flows through it.
    """

    THRESHOLD = 0.25

    def __init__(self, source, **kwargs):
        super().__init__(**kwargs)
        if source < 1:
            raise ValueError(f"MovingExtent needs a frame before the source; got source={source}.")
        self.source = source

    def call(self, inputs):
        observed, velocity = (tf.stop_gradient(tf.cast(x, tf.float32)) for x in inputs)
        change = tf.reduce_sum(tf.abs(observed[:, self.source] - observed[:, self.source - 1]), -1)
        largest = tf.reduce_max(change, axis=[1, 2], keepdims=True)
        moved = (change > self.THRESHOLD * largest) & (largest > 0)
        speed_down, speed_right = tf.unstack(velocity, axis=1)
        top, bottom = _span(tf.reduce_any(moved, axis=2), speed_down)
        left, right = _span(tf.reduce_any(moved, axis=1), speed_right)
        return tf.stack([top, left, bottom, right], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 4)

    def get_config(self):
        config = super().get_config()
        config.update(source=self.source)
        return config


def _span(changed, velocity):
    """`(start, end)` of the moving part along one axis, from where the change is (`[N, L]`
    booleans) and the velocity along it (`[N]`); `(0, L)` where nothing changed."""
    length = tf.shape(changed)[1]
    index = tf.range(length, dtype=tf.float32)[None]
    size = tf.cast(length, tf.float32)
    first = tf.reduce_min(tf.where(changed, index, size), axis=1)
    last = tf.reduce_max(tf.where(changed, index, -1.0), axis=1) + 1.0
    start = tf.clip_by_value(first + tf.nn.relu(velocity), 0.0, size)
    end = tf.clip_by_value(last - tf.nn.relu(-velocity), 0.0, size)
    found = tf.reduce_any(changed, axis=1) & (end > start)
    return tf.where(found, start, 0.0), tf.where(found, end, size)
