"""`MeasuredVelocity`: the observed frames' moving part's velocity, to a fraction of a pixel."""

import keras
import tensorflow as tf

from keras_vidgen.layers.motion_evidence import correlate_changes


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MeasuredVelocity(keras.layers.Layer):
    """Measures how many pixels a frame the moving part of the observed frames moves, with no
    weights: the change into the source frame, cross-correlated with the earliest observed change.

    `MotionEvidence` compares the last two changes, one frame apart, so its peak is a whole number
    of pixels: on the moving shapes, whose positions are rounded to whole pixels every frame, that
    velocity is off by 0.42 px a frame (root mean square, 135 clips): 3.4 px by the 8th predicted
    frame. Here the changes compared are `baseline` frames apart (up to `max_baseline`: all the
    observed frames before the source), so the peak is at `baseline` times the velocity, and a
    parabola through the peak and its two neighbours on each axis places it between pixels. The
    shift divided by the baseline is the velocity: 0.13 px a frame off on the same clips with
    four observed frames (1.0 px by the 8th predicted frame).

    Args:
        source: the index of the last observed frame used (`>= 2`).
        reach: the largest velocity measured, in pixels a frame, each way.
        max_baseline: the most frames between the two changes compared (each frame adds
            `(2 reach)^2`-odd shifts to the map: `(2 baseline reach + 1)^2` in all).
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        observed: `[N, k, H, W, C]` frames.

    Returns:
        `[N, 2]`: the velocity (down, right) in pixels a frame, within `[-reach, reach]`; 0 where
        nothing moves (the best shift's normalised correlation is below `MIN_CORRELATION`).
        No gradient flows through it.
    """

    MIN_CORRELATION = 0.05  # still frames with noise: 0.02-0.03; moving shapes: 0.06 and up

    def __init__(self, source, reach, max_baseline=3, **kwargs):
        super().__init__(**kwargs)
        if source < 2:
            raise ValueError("MeasuredVelocity needs three frames up to the source; got "
                             f"source={source}.")
        self.source, self.reach, self.max_baseline = source, reach, max_baseline
        self.baseline = min(max_baseline, source - 1)

    def call(self, observed):
        observed = tf.stop_gradient(tf.cast(observed, tf.float32))
        later = observed[:, self.source] - observed[:, self.source - 1]
        first = self.source - 1 - self.baseline
        earlier = observed[:, first + 1] - observed[:, first]
        span = self.reach * self.baseline
        maps = correlate_changes(later, earlier, span)  # [N, 2 span + 1, 2 span + 1]
        side = 2 * span + 1
        flat = tf.reshape(maps, [-1, side * side])
        peak = tf.argmax(flat, axis=1, output_type=tf.int32)
        rows, cols = peak // side, peak % side
        shift = tf.stack([_refine(maps, rows, cols, 1, 0, side),
                          _refine(maps, rows, cols, 0, 1, side)], axis=1) - float(span)
        velocity = tf.clip_by_value(shift / self.baseline, -float(self.reach), float(self.reach))
        energy = tf.sqrt(tf.reduce_sum(tf.square(later), axis=[1, 2, 3])
                         * tf.reduce_sum(tf.square(earlier), axis=[1, 2, 3]))
        correlation = tf.reduce_max(flat, axis=1) / (energy + 1e-12)
        return tf.where((correlation >= self.MIN_CORRELATION)[:, None], velocity, 0.0)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 2)

    def get_config(self):
        config = super().get_config()
        config.update(source=self.source, reach=self.reach, max_baseline=self.max_baseline)
        return config


def _refine(maps, rows, cols, down, right, side):
    """The peak's position along one axis, between pixels: the vertex of the parabola through
    the peak and its two neighbours (none at the map's edge, or where they do not curve down)."""
    index = rows if down else cols

    def at(r, c):  # each example's map value at (r, c), clamped to the map
        return tf.gather_nd(maps, tf.stack([tf.range(tf.shape(maps)[0]),
                                            tf.clip_by_value(r, 0, side - 1),
                                            tf.clip_by_value(c, 0, side - 1)], axis=1))

    before, peak, after = at(rows - down, cols - right), at(rows, cols), at(rows + down, cols + right)
    curvature = before - 2.0 * peak + after
    inside = (index > 0) & (index < side - 1) & (curvature < 0)
    offset = tf.where(inside, 0.5 * (before - after) / tf.where(inside, curvature, -1.0), 0.0)
    return tf.cast(index, tf.float32) + tf.clip_by_value(offset, -0.5, 0.5)
