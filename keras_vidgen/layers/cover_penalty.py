"""`CoverPenalty`: an identity layer that charges a mask for covering more of a frame than a limit, or less than a floor."""

import keras
from keras import ops

from keras_vidgen.layers.penalty import Penalty


@keras.saving.register_keras_serializable(package="keras_vidgen")
class CoverPenalty(Penalty):
    """Identity that adds `weight * mean(max(cover - limit, 0) + max(floor - cover, 0))` to its
    model's losses, where `cover` is the mean of a mask `[N, T, H, W, 1]` in [0, 1] over each
    frame's pixels.

    A hinge on each frame's share of the frame, not on its pixels: free while the mask covers
    between `floor` and `limit` of the frame, whatever its shape; a wall beyond either, whose
    gradient moves every pixel of that frame's mask alike. The upper wall keeps two layers from
    swapping roles: a mask over the background with a hole where the shape is pays VGAN's L1
    prior (`MeanAbsPenalty`) only its weight times its mean, less than a discriminator pays for
    it. The lower one keeps the foreground from vanishing: a mask pushed to nothing early in
    training (the L1 prior pulls it there) stops passing the discriminator's gradient to its
    layer, and the other layer draws everything from then on.

    Args:
        limit: the largest share of a frame the mask may cover for free.
        weight: the penalty's weight.
        floor: the smallest share of a frame the mask may cover for free (0: no lower wall).
        **kwargs: passed to `keras.layers.Layer`.
    """

    def __init__(self, limit, weight=1.0, floor=0.0, **kwargs):
        super().__init__(weight, **kwargs)
        self.limit = limit
        self.floor = floor

    def penalty(self, inputs):
        cover = ops.mean(ops.cast(inputs, "float32"), axis=(-3, -2, -1))
        return ops.mean(ops.relu(cover - self.limit) + ops.relu(self.floor - cover))

    def get_config(self):
        return {**super().get_config(), "limit": self.limit, "floor": self.floor}


@keras.saving.register_keras_serializable(package="keras_vidgen")
class CoverChangePenalty(Penalty):
    """Identity that adds `weight * mean(|cover - clip's mean cover|)` to its model's losses, where
    `cover` is the mean of a mask `[N, T, H, W, 1]` in [0, 1] over each frame's pixels and a clip's
    mean is over its `T` frames.

    A prior that what the mask holds neither appears nor vanishes between a clip's frames: a
    shape moving over a still background covers the same share of every frame, whatever its
    place. It charges the share, not the pixels, so the mask may move freely; a frame covering
    more than its clip's mean is pulled down evenly over its pixels and one covering less
    pushed up.

    Args:
        weight: the penalty's weight.
        **kwargs: passed to `keras.layers.Layer`.
    """

    def penalty(self, inputs):
        cover = ops.mean(ops.cast(inputs, "float32"), axis=(-3, -2, -1))  # [N, T]
        return ops.mean(ops.abs(cover - ops.mean(cover, axis=-1, keepdims=True)))
