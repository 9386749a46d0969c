"""The generator of "predict" and "interpolate": observed frames (+ z) -> only the missing frames.

Following Mathieu, Couprie & LeCun 2016 ("Deep multi-scale video prediction beyond mean square
error"), the observed frames are stacked along channels and a 2D convolutional network maps them
to the produced frames, also stacked along channels. Theirs is a multi-scale stack; this is a
U-Net (Ronneberger et al. 2015), whose skip connections carry the observed frames' features to
the output at full resolution. The network does not redraw each frame: it outputs, per pixel, a
mix of the observed frames and a synthesised image (`layers.ComposeFrames`, the compositing of
Finn et al. 2016 and SAVP), so what an observed frame still shows is copied exactly and the
network spends its capacity on what moved: a foreground cut from the observed frame nearest the
gap, moved by predicted shift kernels (`layers.MoveForeground`). Given three frames up to that
one, the kernels start from the motion measured in them, with no weights: the velocity to a
fraction of a pixel (`layers.MeasuredVelocity`), the moving part's box (`layers.MovingExtent`),
and the path at that velocity bounced off the borders (`layers.BorderBounce`), made kernels by
`layers.ShiftPrior`. On the moving shapes, whose velocities are fractions of pixels and 82% of
whose clips bounce within 8 predicted frames, that path puts the 8th frame's shape 5.0 px from
its place (rms; 1.3 median), against 28.6 px carried straight on. The learned kernels, read
from the bottleneck and the last change's map over shifts (`layers.MotionEvidence`: at the
bottleneck's 4x4 grid the sub-pixel positions are gone), start at zero and correct it. A
latent `z`, when asked for (adversarial training), is projected to the bottleneck's grid and
concatenated there, so different `z` give different futures.

Why not the five noise-to-video generators (dcgan3d, vgan, tgan, mocogan, dvdgan): they grow a
clip from a vector (their `context` input is encoded into that vector too), so every pixel of a
prediction would pass a vector bottleneck; on the moving shapes that loses the textured
backgrounds that copying the last frame keeps. Their discriminators judge any clip length and
are used unchanged to judge observed + produced clips (`build_video_predictor`).
"""

import keras
from keras import layers

from keras_vidgen.layers.border_bounce import BorderBounce
from keras_vidgen.layers.compose_frames import ComposeFrames
from keras_vidgen.layers.measured_velocity import MeasuredVelocity
from keras_vidgen.layers.motion_evidence import MotionEvidence
from keras_vidgen.layers.move_foreground import MoveForeground
from keras_vidgen.layers.moving_extent import MovingExtent
from keras_vidgen.layers.range_penalty import PIXEL_BOUND, RangePenalty
from keras_vidgen.layers.shift_prior import ShiftPrior
from keras_vidgen.models.blocks import stage_plan
from keras_vidgen.models.tasks import OBSERVED, nearest_observed

# The heads' outputs are leashed (`RangePenalty`): synthesised pixels beyond the frames' range
# (`PIXEL_BOUND`), and logits beyond what any softmax or sigmoid here needs (at 10 a source
# outweighs another by e^20). Unleashed, Adam ran the mixing and mask logits up from about 10 to
# 10^4 within a few steps (in 1 of 2 unclipped runs, at step 324), saturating the softmax, where
# no gradient reaches them: the predictor froze into copying the last frame for good.
LOGIT_BOUND = 10.0


def build_predictor(observed, produced, size, filters=32, channels=3, latent_dim=None,
                    task="predict", reach=None, name="generator"):
    """Builds the frame predictor: `observed [N, k, size, size, C]` (+ `z`) -> `[N, produced, ...]`.

    Args:
        observed: frames given, `k`.
        produced: frames to output.
        size: height and width (halved down to a grid of 4 to 7 pixels, at most 4 times).
        filters: channels of the smallest (widest) stage, as for the noise-to-video generators;
            halved at every doubling of resolution (at least 8).
        channels: colour channels.
        latent_dim: adds a `z [N, latent_dim]` input (adversarial training); None: deterministic.
        task: "predict" or "interpolate": which observed frame the moving foreground is cut from
            (`tasks.nearest_observed`).
        reach: the largest shift, in pixels, of the foreground from one produced frame to the
            next; default a tenth of `size` (the built-in shapes move up to 0.09 of it a frame).
        name: the model's name.

    Returns:
        A functional `keras.Model`: a moved foreground (`MoveForeground`) over background frames
        that mix the observed frames and synthesised pixels (`ComposeFrames`). The pixels are
        linear, so outputs may leave [-1, 1] slightly; they are clipped where frames are produced
        (`video_predictor.run_predictor`). Inputs `{"observed", "z"}` or `observed` alone.

    Example:
        >>> predictor = build_predictor(observed=4, produced=8, size=64, latent_dim=32)
        >>> predictor({"observed": clips[:, :4], "z": keras.random.normal((2, 32))}).shape
        (2, 8, 64, 64, 3)
    """
    _, _, strides = stage_plan(1, size)
    depth = min(4, len(strides))
    frames_in = keras.Input((observed, size, size, channels), name=OBSERVED)
    inputs = {OBSERVED: frames_in}
    # [N, k, H, W, C] -> [N, H, W, k * C]: time stacked along channels.
    x = layers.Reshape((size, size, observed * channels))(layers.Permute((2, 3, 1, 4))(frames_in))
    widths = [max(8, filters // 2 ** (depth - index)) for index in range(depth + 1)]
    x = _conv(x, widths[0], "in")
    skips = []
    for index in range(depth):
        skips.append(x)
        width = widths[index + 1]
        x = _conv(x, width, f"down{index}", strides=2, kernel=4)
        x = _conv(x, width, f"down{index}_b")
    if latent_dim:
        z = keras.Input((latent_dim,), name="z")
        inputs["z"] = z
        grid = x.shape[1]
        noise = layers.Dense(grid * grid * 8, name="z_project")(z)
        x = layers.Concatenate()([x, layers.Reshape((grid, grid, 8))(noise)])
    x = _conv(x, width, "bottleneck")
    reach = max(1, round(size / 10)) if reach is None else reach
    source = nearest_observed(task, observed)
    # Three frames up to the source measure the motion directly: a map over whole shifts
    # (`MotionEvidence`, read by the learned kernels) and the velocity between pixels
    # (`MeasuredVelocity`), carried on and bounced off the borders (`BorderBounce`) as the
    # kernels' starting point.
    # Positions in float32 whatever the policy: bfloat16 keeps 8 bits, a pixel's worth at 64.
    measured = None
    if source >= 2:
        velocity = MeasuredVelocity(source, reach, dtype="float32", name="measured_velocity")(
            frames_in)
        box = MovingExtent(source, dtype="float32", name="moving_extent")([frames_in, velocity])
        moves = BorderBounce(produced, (size, size), dtype="float32", name="border_bounce")(
            [velocity, box])
        measured = (MotionEvidence(source, reach, name="motion_evidence")(frames_in), moves)
    kernel_logits = _shift_kernel_logits(x, produced, reach, measured)
    for index in reversed(range(depth)):
        width = skips[index].shape[-1]
        # Nearest-neighbour upsampling + a 3x3 conv: no checkerboard, and a third of a 4x4
        # transposed convolution's arithmetic at the full-resolution stages.
        x = layers.UpSampling2D(2, name=f"up{index}")(x)
        x = layers.Concatenate()([x, skips[index]])
        x = _conv(x, width, f"up{index}_b")
    # Per produced frame: C synthesised pixels (linear: a tanh saturated at black frames under
    # the adversarial loss) and k + 1 mixing logits over the observed frames and those pixels.
    x_out = layers.Conv2D(produced * (channels + observed + 1), 3, padding="same", name="out")(x)
    bounds = [PIXEL_BOUND] * (produced * channels) + [LOGIT_BOUND] * (produced * (observed + 1))
    x_out = RangePenalty(bounds, name="out_range")(x_out)
    background = ComposeFrames(produced, channels, dtype="float32", name="background")(
        [frames_in, x_out])
    mask_logits = layers.Conv2D(1, 3, padding="same", name="foreground_mask")(x)
    mask_logits = RangePenalty(LOGIT_BOUND, name="foreground_mask_range")(mask_logits)
    video = MoveForeground(source, dtype="float32", name="video")(
        [frames_in, mask_logits, kernel_logits, background])
    return keras.Model(inputs if latent_dim else frames_in, video, name=name)


def _shift_kernel_logits(features, produced, reach, measured=None):
    """`[N, produced, 2 (2 reach + 1)]` logits of the foreground's separable shift kernels
    (vertical, horizontal), from the whole bottleneck grid (where the object is decides when it
    bounces) and, when measured, `(evidence map, expected moves)`: read by the learned layer, and
    the moves added as the kernels that make them (`ShiftPrior`)."""
    x = layers.Conv2D(16, 1, name="motion_reduce")(features)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    if measured is not None:
        evidence, moves = measured
        scaled_moves = layers.Flatten()(layers.Rescaling(1.0 / reach)(moves))
        x = layers.Concatenate()([x, evidence, scaled_moves])
    width = 2 * reach + 1
    x = layers.Dense(produced * 2 * width, kernel_initializer="zeros", name="motion_kernels")(x)
    logits = RangePenalty(LOGIT_BOUND, name="motion_kernels_range")(
        layers.Reshape((produced, 2 * width))(x))
    if measured is None:
        return logits
    # The learned logits correct the expected moves' kernels; they start at zero.
    prior = ShiftPrior(reach, dtype="float32", name="shift_prior")(moves)
    return layers.Add(dtype="float32")([prior, logits])


def _conv(x, width, name, strides=1, kernel=3):
    x = layers.Conv2D(width, kernel, strides=strides, padding="same", name=name)(x)
    return layers.LeakyReLU(0.2)(x)
