"""`stylegan-v`: a continuous-time video generator trained on a few frames per clip.

After StyleGAN-V (Skorokhodov, Tulyakov & Elhoseiny 2022, "StyleGAN-V: A Continuous Video
Generator with the Price, Image Quality and Perks of StyleGAN2") and DIGAN (Yu et al. 2022):

- **Generator**: one 2D synthesis network shared by all frames. A video's latent `z` gives a
  content code (a small mapping MLP) and, through `MotionCode`, a motion code that is a
  continuous function of time: anchor noise interpolated in time plus sine/cosine features with
  learned frequencies. As in StyleGAN-V, the motion code enters only at the input (it replaces
  StyleGAN2's constant 4x4 input, joined with the content code), and the content code alone is
  the style that modulates every convolution (StyleGAN2's `ModulatedConv2D`), colours included:
  with the motion code in every layer's style too, the main job's shapes changed colour as they
  moved. Each stage doubles the resolution by bilinear up-sampling before a 3x3 convolution, so
  there is no transposed-convolution checkerboard. With `output_skips` (the `base` preset's) each
  stage also adds its own RGB image to the up-sampled sum of the coarser stages' (StyleGAN2's
  skip generator). No BatchNorm: frames are computed independently (the frame at `t` does not
  depend on the other times rendered), and an EMA of the weights is the whole generator.
  With `still_background`, VGAN's two layers (Vondrick et al. 2016): a second synthesis
  network draws one background per video from its content code alone, the same image at every
  time, and the frames' network draws a foreground with a mask over it (`m * f + (1 - m) * b`,
  with VGAN's L1 prior on the mask); the data's backgrounds do not move, and the single network's
  flickered (3.0 uint8 levels a frame against the real clips' 0.73 at `base`). The foreground
  takes its colour from its finest stage alone (no output skips: with them its 4x4 stage painted
  each shape in a blend of its neighbourhood's hues), and both layers are leashed to the frames'
  range (`RangePenalty`): unleashed, the mask prior turned the mask see-through over an
  over-bright foreground that drew the background too. A second prior on the mask makes it
  decide (`UndecidedPenalty`, `m * (1 - m)`, at the L1 prior's weight): leashed without it, the
  mask stayed half see-through on one seed of three (69% of its pixels between 0.1 and 0.9).
  A third keeps the layers from swapping roles (`CoverPenalty`: a frame's mask covering more
  than half of it pays for the excess, at ten times the L1 prior's weight): without it, a
  30-minute run's mask turned over the background (93% of the frame) with a hole where the shape
  was, and the background network drew the shapes' colours through it. With
  `cover_change_weight` (the main job's), a fourth charges each rendered frame's cover for straying
  from its clip's mean (`CoverChangePenalty`): without it the main job's shapes came and went
  within a clip in 25-61% of its samples (real 0-1%); with it, 7-38%.
  With `sprite_foreground` as well, the foreground and its mask are drawn once a video from its
  content code too (a sprite, by a third synthesis network) and only moved at each time: a small
  MLP maps the motion code at `t` to a shift in pixels and `TranslateFrames` moves the drawing by
  it (bilinear, so the gradient reaches the path); the path is bent back smoothly within the
  frame (`SineBound`), so a shape turns before its edge instead of leaving; its mask fades out at
  the drawing's borders (`FadeEdges`), so the drawing's edge never shows; and the cover's wall has
  a floor (each frame's mask covering at least `MIN_MASK_COVER` of it), so the sprite cannot
  vanish. A shape then keeps its outline, colour and size in every frame by construction, and a
  step draws one foreground a clip instead of one a judged frame; it cannot turn, grow or change
  shape.
  Inputs `z [N, latent_dim]` and `times [N, K]` (float frame times, any `K`, any real values);
  output `[N, K, size, size, channels]`, linear (near [-1, 1]; clipped when sampled).
- **Discriminator**: sees `K` frames of a clip (3, as in StyleGAN-V) with their times. A shared
  per-frame conv trunk; the frames' 4x4 feature maps are joined along the channels in time
  order, given the batch's standard deviation as one more channel (`MinibatchStdDev`, as
  StyleGAN2's), convolved together, and judged with Fourier features of the time gaps.

`VideoGAN` recognises the generator's `times` input: each step it picks `K` frames of every real
clip at random times (`time_sampling.sparse_frame_indices`) and renders the fakes at the same gaps
shifted by a random offset, so a step costs `K` frames instead of a whole clip, and the generator
learns every time it will be asked to render (`generate(n, frames=64)`).

Simplifications: no const input or noise inputs; the mapping network is 2 layers at the full
learning rate unless asked otherwise (`mapping_layers`, `mapping_lr_multiplier`: the main job's
is StyleGAN2's, 8 layers at 0.01 of the rate);
the discriminator is a plain strided stack, not StyleGAN2's residual one (spectral norm on request).
"""

import keras
from keras import layers

from keras_vidgen.config import check_still_background_options
from keras_vidgen.errors import ConfigError
from keras_vidgen.layers.cover_penalty import CoverChangePenalty, CoverPenalty
from keras_vidgen.layers.detail_gate import DetailGate
from keras_vidgen.layers.fade_edges import FadeEdges
from keras_vidgen.layers.fourier_features import FourierFeatures
from keras_vidgen.layers.frame_batch import FoldFrames, RepeatFrames, UnfoldFrames
from keras_vidgen.layers.mask_blend import (COVER_PENALTY, MASK_PENALTY, MAX_MASK_COVER, MIN_MASK_COVER, MaskBlend,
                                            SplitMask)
from keras_vidgen.layers.mean_abs_penalty import MeanAbsPenalty
from keras_vidgen.layers.minibatch_stddev import MinibatchStdDev
from keras_vidgen.layers.modulated_conv2d import ModulatedConv2D
from keras_vidgen.layers.motion_code import MotionCode
from keras_vidgen.layers.range_penalty import PIXEL_BOUND, RangePenalty
from keras_vidgen.layers.scaled_dense import ScaledDense
from keras_vidgen.layers.sine_bound import SineBound
from keras_vidgen.layers.spectral_norm import maybe_spectral_norm
from keras_vidgen.layers.time_differences import TimeDifferences
from keras_vidgen.layers.translate_frames import TranslateFrames
from keras_vidgen.layers.undecided_penalty import UndecidedPenalty
from keras_vidgen.models import blocks
from keras_vidgen.choices import SPARSE_FRAMES
from keras_vidgen.signatures import LATENT, TIMES

# The motion code's shortest initial period, in frames: StyleGAN-V's 16. From 2 frames, a 30-minute
# `base` run's frames changed 3x as much from one to the next as the real clips' (18.3 against 6.0
# uint8 levels, `bench_quality`'s motion): a period of 2 flips sign every frame.
MOTION_MIN_PERIOD = 16.0

# Frames between the motion code's anchors unless `model.motion_spacing` says otherwise.
MOTION_SPACING = 8.0

# Where `fourier_features` enter the synthesis network, and their highest frequency as a share of
# that map's size: 6 cycles a frame at 16x16, below its Nyquist 8 (the data's stripes: 2-6).
FOURIER_SIZE = 16
FOURIER_MAX_CYCLES = 0.375

# The still background's network: its layers' names start with this (`per_clip_layer`).
BACKGROUND = "background_"

# The sprite's network (`sprite_foreground`): drawn once a clip too, its layers' names start with this.
SPRITE = "sprite_"

# The sprite's path: the motion code through a small MLP of this width to a raw shift a frame,
# in units of this share of the frame's side (2 pixels of 32), so an untrained sprite already
# moves a little between frames and the discriminator's gradient reaches its path from the first
# step; then bent back within this share of the side either way (`SineBound`), so it never
# leaves the frame. With the raw path at 0.25 (8 pixels) under the bound, it ran through the
# sine's turns fast: on one seed of two the shapes leapt in 56% of the main job's samples.
SHIFT_HIDDEN = 64
SHIFT_SCALE = 0.0625
PATH_REACH = 0.35

# The sprite's mask fades to zero over this share of its canvas's side at each border
# (`FadeEdges`), so the canvas's edge never moves into a frame as a line.
SPRITE_FADE = 0.125

# Clips per group of the discriminator's minibatch standard deviation unless `model.d_stddev_group`
# says otherwise: StyleGAN2's 4.
STDDEV_GROUP = 4


def build_generator(latent_dim, frames, size, filters=256, channels=3, num_classes=None,
                    context_frames=None, motion_spacing=None, output_skips=False, mapping_layers=None,
                    mapping_lr_multiplier=None, fourier_features=None, still_background=False,
                    background_filters=None, cover_change_weight=None, cover_change_from=None,
                    sprite_foreground=False, background_gate=False, name="generator"):
    """Builds the continuous-time generator: `{z, times}` -> frames at those times.

    Args:
        latent_dim: length of `z`.
        frames: the training clips' length (the motion features' longest initial period is 4x it).
        size: frame height and width.
        filters: channels of the 4x4 stage; each stage halves them (at least 16).
        channels: output channels.
        num_classes: adds an int `label` input, embedded into the content code.
        context_frames: not supported (raises): this generator renders times, not continuations.
        motion_spacing: frames between motion anchors (`None`: `MOTION_SPACING`): the motion
            code is a straight line between two, so a video's motion changes pace only there.
        output_skips: StyleGAN2's output skips: every stage adds its own RGB to the up-sampled
            image of the coarser ones, instead of one RGB layer after the last stage.
        mapping_layers: layers of the mapping network from `z` to the content code (`None`: 2;
            StyleGAN2's is 8).
        mapping_lr_multiplier: the mapping network learns at this fraction of the generator's
            learning rate (`ScaledDense`; `None`: at the full rate, plain `Dense` layers;
            StyleGAN2's: 0.01).
        fourier_features: plane waves added at the synthesis network's first stage of 16x16 or
            finer (the last, for smaller frames), `2 * fourier_features` channels turned and shifted per
            video by its content code (`FourierFeatures`; `None`: none).
        still_background: VGAN's layers: a second synthesis network draws each video's
            background once from its content code, and the frames are a masked foreground over
            it (see the module's docstring); `output_skips` then applies to the background's
            network only.
        background_filters: the still background's network's `filters` (`None`: `filters`). It
            draws one image a clip where the foreground draws one a rendered frame, so at full
            width it adds half the generator's arithmetic when 2 frames are rendered a clip.
        cover_change_weight: with `still_background`, the weight of a prior on the mask covering a
            different share of each rendered frame of a clip (`CoverChangePenalty`; `None`: off).
        cover_change_from: the training step at which that prior starts, its weight rising in a
            straight line to `cover_change_weight` at twice the step (`None`: from the first).
        sprite_foreground: with `still_background`, the foreground and its mask are drawn once a
            clip from its content code (a sprite) and moved by a shift a frame that the motion
            code gives (`TranslateFrames`), instead of drawn anew at every time.
        background_gate: with `still_background`, the background is its mean colour plus its
            detail times a gain in [0, 1] a video from the content code (`DetailGate`), the gain
            charged for values between 0 and 1 (`UndecidedPenalty`, the mask's weight).
        name: the model's name.

    Returns:
        A functional `keras.Model` with inputs `{"z", "times"}` (and `"label"`) and output in [-1, 1].

    Example:
        >>> generator = build_generator(64, 16, 32)
        >>> generator({"z": keras.random.normal((2, 64)), "times": [[0., 1., 5.], [2., 3., 9.]]}).shape
        (2, 3, 32, 32, 3)
    """
    if context_frames:
        raise ConfigError("{0}: stylegan-v renders any time from noise and does not continue given "
                          "frames; use dcgan3d, vgan, tgan or mocogan for that",
                          ("model.context_frames", context_frames))
    check_still_background_options(still_background, dict(background_filters=background_filters,
                                                          cover_change_weight=cover_change_weight,
                                                          cover_change_from=cover_change_from,
                                                          sprite_foreground=sprite_foreground,
                                                          background_gate=background_gate))
    inputs, vector = blocks.generator_inputs(latent_dim, num_classes)
    inputs = dict(inputs) if isinstance(inputs, dict) else {LATENT: inputs}
    times = keras.Input((None,), name=TIMES)
    inputs[TIMES] = times
    content = vector
    for index in range(mapping_layers or 2):
        content = _mapping_dense(latent_dim, mapping_lr_multiplier, f"mapping{index}")(content)
        content = layers.LeakyReLU(0.2)(content)
    motion = MotionCode(max_period=4.0 * max(frames, MOTION_MIN_PERIOD), min_period=MOTION_MIN_PERIOD,
                        spacing=motion_spacing or MOTION_SPACING, name="motion")(
        [inputs[LATENT], times])
    drawing = dict(size=size, filters=filters, output_skips=output_skips,
                   fourier_features=fourier_features)
    # With a still background, one more channel: the foreground's mask; and no output skips (see
    # the module's docstring).
    foreground_drawing = dict(drawing, output_skips=False) if still_background else drawing
    if sprite_foreground:
        mask, foreground = _moved_sprite(content, motion, times, channels, foreground_drawing)
    else:
        # [N * K, ...]: the frames of all clips as one batch of images.
        per_frame = RepeatFrames()([content, times])
        style = FoldFrames(name="fold_style")(per_frame)
        start = FoldFrames(name="fold_start")(layers.Concatenate(name="start")([per_frame, motion]))
        video = _synthesis(start, style, channels=channels + (1 if still_background else 0), **foreground_drawing)
        video = UnfoldFrames(name="unfold_frames")([video, times])
        if still_background:
            mask, foreground = SplitMask(name="foreground_mask")(video)
    if still_background:
        mask = MeanAbsPenalty(MASK_PENALTY, name="mask_penalty")(mask)
        mask = UndecidedPenalty(MASK_PENALTY, name="mask_undecided_penalty")(mask)
        # A sprite's mask is one drawing a clip: if it vanishes, every frame loses its shape.
        floor = MIN_MASK_COVER if sprite_foreground else 0.0
        mask = CoverPenalty(MAX_MASK_COVER, weight=COVER_PENALTY, floor=floor, name="mask_cover_penalty")(mask)
        if cover_change_weight:
            ramp = (cover_change_from, 2 * cover_change_from) if cover_change_from else None
            mask = CoverChangePenalty(cover_change_weight, ramp=ramp, name="mask_cover_change_penalty")(mask)
        # Both layers are pixels: leashed to the frames' range, the mask must decide (see the
        # module's docstring).
        foreground = RangePenalty(PIXEL_BOUND, name="foreground_range")(foreground)
        background_drawing = dict(drawing, filters=background_filters or filters)
        background = _synthesis(content, content, channels=channels, prefix=BACKGROUND, **background_drawing)
        if background_gate:
            background = _gated_detail(background, content)
        background = RangePenalty(PIXEL_BOUND, name="background_range")(background)
        background = layers.Reshape((1, size, size, channels), name="background")(background)
        video = MaskBlend(name="layered_frames")([mask, foreground, background])
    # Linear, as StyleGAN2's output: a tanh here saturated at black within 300 steps of the main
    # job (the darkest common colour) and its vanishing gradient kept it there. Samples and
    # exports clip to [-1, 1] (`media.to_uint8`, `signatures.outputs`).
    video = layers.Activation("linear", dtype="float32", name="video")(video)
    return keras.Model(inputs, video, name=name)


def _mapping_dense(units, lr_multiplier, name):
    if lr_multiplier is None:
        return layers.Dense(units, name=name)
    return ScaledDense(units, lr_multiplier=lr_multiplier, name=name)


def per_clip_layer(layer):
    """Whether a generator's layer runs once a clip (the mapping network, the still background's
    network, the sprite's), not once a rendered frame."""
    return layer.name.startswith(("mapping", BACKGROUND, SPRITE))


def _moved_sprite(content, motion, times, channels, drawing):
    """`sprite_foreground`: the mask `[N, K, size, size, 1]` and foreground `[N, K, size, size,
    channels]` of a sprite drawn once a clip from its content code `[N, S]`, moved by a shift a
    frame from its motion code `[N, K, M]` at `times [N, K]`."""
    drawn = _synthesis(content, content, channels=channels + 1, prefix=SPRITE, **drawing)
    mask, colour = SplitMask(name="sprite_mask")(drawn)
    mask = FadeEdges(SPRITE_FADE, name="sprite_faded_mask")(mask)
    hidden = FoldFrames(name="fold_motion")(motion)  # [N * K, M]: one row a frame, as the frames' layers
    for index in range(2):
        hidden = layers.LeakyReLU(0.2)(layers.Dense(SHIFT_HIDDEN, name=f"shift_hidden{index}")(hidden))
    shifts = layers.Dense(2, name="shift")(hidden)
    shifts = layers.Rescaling(SHIFT_SCALE * drawing["size"], name="shift_pixels")(shifts)
    shifts = SineBound(PATH_REACH * drawing["size"], name="bounded_shifts")(shifts)
    shifts = UnfoldFrames(name="unfold_shifts")([shifts, times])
    # The mask moves as a mask (zero where the sprite is not), not as logits (0 is half covered).
    return (TranslateFrames(name="moved_sprite_mask")([mask, shifts]),
            TranslateFrames(name="moved_sprite")([colour, shifts]))


def _gated_detail(background, content):
    """`background_gate`: the background `[N, size, size, C]` as its mean colour plus its detail
    times a gain a video from its content code `[N, S]`, the gain pushed to 0 or 1."""
    gain = layers.Dense(1, activation="sigmoid", name=f"{BACKGROUND}detail_gain")(content)
    gain = UndecidedPenalty(MASK_PENALTY, name=f"{BACKGROUND}gain_undecided_penalty")(gain)
    return DetailGate(name=f"{BACKGROUND}gated_detail")([background, gain])


def _synthesis(start, style, size, filters, channels, output_skips, fourier_features=None,
               prefix=""):
    """The per-frame image network: the frame's input code `[B, S1]` (content and motion) and
    style `[B, S2]` (content) -> image `[B, size, size, channels]`. Its layers' names start with
    `prefix`."""
    _, base_size, strides = blocks.stage_plan(1, size)
    x = layers.Dense(base_size * base_size * filters, name=f"{prefix}synthesis_project")(start)
    x = layers.Reshape((base_size, base_size, filters))(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.LeakyReLU(0.2)(ModulatedConv2D(filters, 3, name=f"{prefix}synthesis_base")([x, style]))
    if fourier_features and size <= base_size:
        raise ConfigError("{0}: frames of {1} px have no up-sampling stage for the plane waves; use 8 px or more",
                          ("model.fourier_features", fourier_features), ("data.size", size))
    stages = [x]  # each resolution's features, coarsest first
    waves_at = min(FOURIER_SIZE, size) if fourier_features else None
    width = filters
    for index in range(len(strides)):
        width = max(16, width // 2)
        x = layers.UpSampling2D(interpolation="bilinear", name=f"{prefix}synthesis_up{index}")(x)
        # The first stage at 16x16 or finer (the last, for smaller frames).
        if waves_at and x.shape[1] >= waves_at:
            waves_at = None
            x = FourierFeatures(fourier_features, max_cycles=FOURIER_MAX_CYCLES * x.shape[1],
                                name=f"{prefix}fourier_features")([x, style])
        for conv in range(2):
            x = ModulatedConv2D(width, 3, name=f"{prefix}synthesis{index}_{conv}")([x, style])
            x = layers.LeakyReLU(0.2)(x)
        stages.append(x)

    def rgb(name, features):
        return ModulatedConv2D(channels, 1, demodulate=False, name=prefix + name)([features, style])

    if not output_skips:
        return rgb("to_rgb", x)
    image = rgb("to_rgb_base", stages[0])
    for index, features in enumerate(stages[1:]):
        # The finest stage's RGB layer is `to_rgb`, as without skips.
        name = "to_rgb" if index == len(strides) - 1 else f"to_rgb{index}"
        image = layers.Add(name=f"{prefix}rgb{index}")([
            layers.UpSampling2D(interpolation="bilinear", name=f"{prefix}rgb_up{index}")(image),
            rgb(name, features)])
    return image


def build_discriminator(frames, size, filters=64, channels=3, num_classes=None,
                        spectral_norm=False, sparse_frames=None, join_size=None,
                        stddev_group=None, stddev_features=None, name="discriminator"):
    """Builds the sparse-frame discriminator: `{video [N, K, H, W, C], times [N, K]}` -> logits `[N, 1]`.

    Args:
        frames: the training clips' length (unused: the discriminator sees `sparse_frames` of them).
        size, filters, channels, num_classes, spectral_norm, name: as in
            `dcgan3d.build_discriminator`.
        sparse_frames: frames per clip it judges (`None`: `choices.SPARSE_FRAMES`, StyleGAN-V's 3).
        join_size: the resolution at which the frames' features are joined (side by side along
            the channels, with the time gaps as more channels) and judged together from there on:
            from `size` (the frames themselves, as DIGAN's motion discriminator) down to the
            last 4x4 map (`None`, StyleGAN-V's).
        stddev_group, stddev_features: the minibatch standard deviation's clips per group and
            statistics, before the last conv (`None`: StyleGAN2's 4 and 1; `MinibatchStdDev`).
    """
    del frames  # the gaps between the sampled frames, not the clip length, reach this network
    sparse_frames = sparse_frames or SPARSE_FRAMES
    inputs, video, label = blocks.discriminator_inputs(sparse_frames, size, channels, num_classes)
    inputs = dict(inputs) if isinstance(inputs, dict) else {"video": inputs}
    times = keras.Input((sparse_frames,), name=TIMES)
    inputs[TIMES] = times
    _, base_size, strides = blocks.stage_plan(1, size)
    sizes = [size // 2**index for index in range(len(strides) + 1)]
    join_size = join_size or base_size
    if join_size not in sizes:
        raise ConfigError(f"{{0}} must be one of the discriminator's resolutions {sizes} (the frame "
                          "size halved down to its 4x4 map)", ("model.d_join_size", join_size))
    apart = sizes.index(join_size)  # stages each frame goes through alone
    gap_features = TimeDifferences()(times)
    x = blocks.downsample_stack(video, [0] * apart, filters, spectral_norm, name="frame_down")
    width = x.shape[-1]
    # [N, K, s, s, F] -> [N, s, s, K * F]: the frames side by side in time order.
    x = layers.Permute((2, 3, 1, 4))(x)
    x = layers.Reshape((join_size, join_size, sparse_frames * width))(x)
    if apart < len(strides):
        # The gaps as channels, so the joined convolutions can relate a displacement to its time.
        gap_maps = layers.Dense(16, name="gap_channels")(gap_features)
        gap_maps = layers.Reshape((1, 1, 16))(layers.LeakyReLU(0.2)(gap_maps))
        gap_maps = layers.UpSampling2D(join_size, name="gap_broadcast")(gap_maps)
        x = layers.Concatenate(name="joined_frames")([x, gap_maps])
        x = layers.Reshape((1, join_size, join_size, x.shape[-1]))(x)
        x = blocks.downsample_stack(x, [0] * (len(strides) - apart), min(512, filters * 2**apart),
                                    spectral_norm, name="joined_down")
        width = x.shape[-1]
        x = layers.Reshape((base_size, base_size, width))(x)
    # How much the batch's clips differ, as StyleGAN2 and StyleGAN-V give their last conv: without
    # it a 30-minute `base` run drew one background in 100% of its samples (real: 60/40).
    x = MinibatchStdDev(stddev_group or STDDEV_GROUP, stddev_features or 1, name="minibatch_stddev")(x)
    joined = layers.Conv2D(width, 3, padding="same", name="joined_conv")
    x = layers.LeakyReLU(0.2)(maybe_spectral_norm(joined, spectral_norm)(x))
    gaps = maybe_spectral_norm(layers.Dense(width, name="gaps"), spectral_norm)(gap_features)
    x = layers.Concatenate()([layers.Flatten()(x), layers.LeakyReLU(0.2)(gaps)])
    x = layers.LeakyReLU(0.2)(maybe_spectral_norm(layers.Dense(width, name="joined"), spectral_norm)(x))
    logits = blocks.logits_head(x, label, num_classes, spectral_norm)
    return keras.Model(inputs, logits, name=name)
