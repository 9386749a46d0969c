"""`MotionEvidence`: how far the observed frames' last change moved, as a map over shifts."""

import keras
import tensorflow as tf

from keras_vidgen.layers.per_example_conv import per_example_depthwise


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MotionEvidence(keras.layers.Layer):
    """Cross-correlates the last two frame differences over shifts of up to `reach` pixels.

    Two frames fix a constant velocity, but a network must read it off its features, and at the
    bottleneck of a U-Net (a 4x4 grid for 64 px) the sub-pixel positions that fix it are gone.
    This layer measures it directly, with no weights: `later = frame[s] - frame[s-1]` and
    `earlier = frame[s-1] - frame[s-2]` are nonzero where something moved (a static background
    cancels), and their cross-correlation `sum_p later(p + d) * earlier(p)` peaks at the shift `d`
    that carried one change onto the next: the velocity. The predictor reads its shift kernels
    from this map along with its features (`models.predictor`).

    Args:
        source: the index of the last observed frame used (it and the two before it; `>= 2`).
        reach: the largest shift measured, in pixels, each way.
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        observed: `[N, k, H, W, C]` frames.

    Returns:
        `[N, (2 reach + 1)^2]`: the map over shifts (down, then right, each from `-reach`),
        divided by its largest magnitude, so its peak is 1 whatever the contrast. No gradient
        flows through it (it has no weights, and the observed frames are inputs).
    """

    def __init__(self, source, reach, **kwargs):
        super().__init__(**kwargs)
        if source < 2:
            raise ValueError("MotionEvidence needs three frames up to the source; got "
                             f"source={source}.")
        self.source, self.reach = source, reach

    def call(self, observed):
        observed = tf.stop_gradient(tf.cast(observed, tf.float32))
        later = observed[:, self.source] - observed[:, self.source - 1]
        earlier = observed[:, self.source - 1] - observed[:, self.source - 2]
        maps = correlate_changes(later, earlier, self.reach)
        maps = tf.reshape(maps, [tf.shape(maps)[0], (2 * self.reach + 1) ** 2])
        return maps / (tf.reduce_max(tf.abs(maps), axis=1, keepdims=True) + 1e-6)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], (2 * self.reach + 1) ** 2)

    def get_config(self):
        config = super().get_config()
        config.update(source=self.source, reach=self.reach)
        return config


def correlate_changes(later, earlier, reach):
    """`[N, 2 reach + 1, 2 reach + 1]`: for each shift `d` (down, then right, from `-reach`),
    `sum_p later(p + d) * earlier(p)` over pixels and channels of `[N, H, W, C]` images."""
    # Each example's `earlier` is the filter slid over its own zero-padded `later`.
    padded = tf.pad(later, [[0, 0], [reach, reach], [reach, reach], [0, 0]])
    filters = tf.transpose(earlier, [1, 2, 0, 3])  # [H, W, N, C]
    return tf.reduce_sum(per_example_depthwise(padded, filters, padding="VALID"), axis=-1)
