"""`BorderBounce`: a measured velocity carried on, off the frame's borders when it reaches them."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class BorderBounce(keras.layers.Layer):
    """Per produced frame, how far the moving part moves: at the measured velocity, reflected off
    the frame's borders when its box reaches them (bouncing balls, Moving MNIST, the moving
    shapes), by a learned amount.

    At constant velocity the part moves `v` every frame. Within borders its box's near corner
    moves on a triangle wave instead: `p_f = start + f v` folded into `[0, L]`, `L` the frame's
    side less the box's; the move into frame `f` is `fold(p_f) - fold(p_{f-1})` (a bounce midway
    through a frame moves it less than `v`). On the moving shapes 82% of the clips bounce within 8
    predicted frames: carried on straight, the 8th frame's shape is 30 px (root mean square) from
    where it is; bounced, 4.9 px (1.3 median; most of the rest are clips that bounced while
    observed, which spoils the velocity).

    Videos whose objects leave the frame do not bounce, so how much to bounce is a learned weight,
    `reflect` (a sigmoid of a logit, initially 0.99): the move is `v + reflect * (bounced - v)`.

    Args:
        produced: frames to produce.
        size: `(height, width)` of the frames.
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        inputs: `[velocity [N, 2] (down, right, pixels a frame), box [N, 4] (top, left, bottom,
            right: `MovingExtent`)]`.

    Returns:
        `[N, produced, 2]`: each produced frame's move from the previous frame (down, right).
    """

    def __init__(self, produced, size, **kwargs):
        super().__init__(**kwargs)
        self.produced, self.size = produced, tuple(size)

    def build(self, input_shape):
        self.reflect_logit = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(4.6), name="reflect_logit")

    def call(self, inputs):
        velocity, box = (tf.cast(x, tf.float32) for x in inputs)
        start, end = box[:, :2], box[:, 2:]  # [N, 2] each: (top, left), (bottom, right)
        room = tf.constant(self.size, tf.float32)[None] - (end - start)  # [N, 2]
        steps = tf.range(self.produced + 1, dtype=tf.float32)[None, :, None]  # [1, F + 1, 1]
        path = start[:, None] + steps * velocity[:, None]  # unfolded near corner, [N, F + 1, 2]
        folded = _fold(path, tf.maximum(room, 1e-3)[:, None])
        bounced = folded[:, 1:] - folded[:, :-1]
        straight = tf.tile(velocity[:, None], [1, self.produced, 1])
        # No room to move in (the box fills the frame: a pan, or nothing found): straight on.
        bounced = tf.where((room > 0.5)[:, None], bounced, straight)
        reflect = tf.sigmoid(self.reflect_logit)
        return straight + reflect * (bounced - straight)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.produced, 2)

    def get_config(self):
        config = super().get_config()
        config.update(produced=self.produced, size=self.size)
        return config


def _fold(position, room):
    """`position` reflected into `[0, room]` (a triangle wave of period `2 room`)."""
    wrapped = tf.math.floormod(position, 2.0 * room)
    return tf.where(wrapped <= room, wrapped, 2.0 * room - wrapped)
