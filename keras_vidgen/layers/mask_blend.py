"""`MaskBlend`: `mask * foreground + (1 - mask) * background`, broadcasting over time."""

import keras

# Weight of the L1 prior on a foreground's mask (`MeanAbsPenalty`): VGAN's lambda, which keeps the
# foreground sparse. Both layered generators use it: `vgan`'s and `stylegan-v`'s still background,
# which also gives its prior against undecided values (`UndecidedPenalty`) this weight.
MASK_PENALTY = 0.1

# `stylegan-v`'s still background also charges a frame's mask for covering more than half of it
# (`CoverPenalty`), at ten times the L1 prior's weight: a wall, not a preference. The foreground is
# the smaller layer (VGAN's assumption; the shapes cover 5-13% of a frame); without it, a 30-minute
# run's mask turned over the background (93% of the frame) with a hole where the shape was.
MAX_MASK_COVER = 0.5
COVER_PENALTY = 1.0

# A sprite foreground's mask is also charged for covering less than this share of a frame, at the
# same weight: below the smallest shape's 5%. Without it the main job's sprite masks fell to
# nothing within 200-400 steps in two runs of six with a bounded path (one: 8% of the frame at
# step 200, under 0.1% at 400; a third fell to 0.7% and recovered), and with no mask to pass the
# discriminator's gradient the sprite never came back: the background network drew stripes.
MIN_MASK_COVER = 0.02


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MaskBlend(keras.layers.Layer):
    """Composites VGAN's two streams (Vondrick et al. 2016): `m * f + (1 - m) * b`.

    Call args:
        inputs: `[mask [N, T, H, W, 1], foreground [N, T, H, W, C], background [N, 1, H, W, C]]`.

    Returns:
        `[N, T, H, W, C]`.
    """

    def call(self, inputs):
        mask, foreground, background = inputs
        return mask * foreground + (1.0 - mask) * background

    def compute_output_shape(self, input_shape):
        return input_shape[1]


@keras.saving.register_keras_serializable(package="keras_vidgen")
class SplitMask(keras.layers.Layer):
    """Splits an image with one more channel than its colours into `(mask, foreground)`: the
    last channel through a sigmoid is the mask in [0, 1], the others are the foreground as they
    are. The inputs of `MaskBlend` from one network's output.

    Call args:
        inputs: `[..., C + 1]`.

    Returns:
        `(mask [..., 1], foreground [..., C])`.
    """

    def call(self, inputs):
        return keras.ops.sigmoid(inputs[..., -1:]), inputs[..., :-1]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 1), (*input_shape[:-1], input_shape[-1] - 1)
