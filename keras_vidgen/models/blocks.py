"""Builder pieces shared by the architectures: conditioning inputs, up/down stacks, logit heads.

Every generator takes `z` and, when asked, an int `label` (class-conditional) and a `context`
clip of the first frames (frame-conditional, float in [-1, 1] like the clips); all of them are
folded into one conditioning vector before the architecture's own layers. Every discriminator
takes a `video` and, when class-conditional, a `label`, and ends in a linear or projection head.
Per-frame (2D) stacks are Conv3D layers with a temporal kernel of 1: the same network applied to
each frame, with no reshaping of batch and time.
"""

import keras
from keras import layers

from keras_vidgen.layers.projection_head import ProjectionHead
from keras_vidgen.layers.spectral_norm import maybe_spectral_norm
from keras_vidgen.layers.strided_conv3d import StridedConv3D
from keras_vidgen.layers.strided_conv3d_transpose import StridedConv3DTranspose


def stage_plan(frames, size):
    """Plans the resolution stages shared by a generator and a discriminator.

    Height and width halve at every stage until they would fall below 4; time halves at the
    first stages while it is even, so any clip length works (16 -> 1, 12 -> 3, 5 -> 5).

    Args:
        frames: frames per clip.
        size: height and width.

    Returns:
        `(base_frames, base_size, temporal_strides)`: the smallest block's frames and size, and
        each stage's stride along time (1 or 2), coarsest stage first.

    Raises:
        ValueError: `size` is not divisible by 2 at least once down to >= 4, or frames < 1.
    """
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    stages, base_size = 0, size
    while base_size % 2 == 0 and base_size // 2 >= 4:
        base_size //= 2
        stages += 1
    if stages == 0:
        raise ValueError(
            f"size {size} cannot be halved to a block of at least 4 pixels; use a size such as "
            "16, 32, 48, 64 or 128."
        )
    base_frames, temporal_strides = frames, []
    for _ in range(stages):
        stride = 2 if base_frames % 2 == 0 else 1
        base_frames //= stride
        temporal_strides.append(stride)
    return base_frames, base_size, temporal_strides


def generator_inputs(latent_dim, num_classes=None, context_shape=None, filters=32):
    """Makes a generator's inputs and folds them into one conditioning vector.

    Args:
        latent_dim: length of `z`.
        num_classes: adds an int `label` input, embedded and concatenated to `z`.
        context_shape: `(k, size, size, channels)` adds a `context` input (the first k frames),
            encoded by a small per-frame conv stack and concatenated to `z`.
        filters: width of the context encoder's first stage.

    Returns:
        `(inputs, vector)`: the `z` input alone or a dict `{"z", "label", "context"}`, and the
        float `[N, D]` conditioning vector.
    """
    z = keras.Input((latent_dim,), name="z")
    inputs, parts = {"z": z}, [z]
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        inputs["label"] = label
        parts.append(layers.Embedding(num_classes, latent_dim, name="label_embedding")(label))
    if context_shape:
        context = keras.Input(tuple(context_shape), name="context")
        inputs["context"] = context
        parts.append(_encode_context(context, latent_dim, filters))
    vector = parts[0] if len(parts) == 1 else layers.Concatenate(name="conditioning")(parts)
    return (z if len(inputs) == 1 else inputs), vector


def context_shape(context_frames, size, channels):
    """The `context` input's shape for `context_frames` first frames, or None if unconditional."""
    return (context_frames, size, size, channels) if context_frames else None


def _encode_context(context, latent_dim, filters):
    # A vector bottleneck: enough to carry the scene and its motion so far into the latent.
    _, _, strides = stage_plan(1, context.shape[2])
    x = context
    for index in range(len(strides)):
        x = StridedConv3D(filters * 2**index, (1, 4, 4), strides=(1, 2, 2), padding="same",
                          name=f"context_down{index}")(x)
        x = layers.LeakyReLU(0.2)(x)
    return layers.Dense(latent_dim, name="context_code")(layers.Flatten()(x))


def batch_norm(name):
    """BatchNorm whose statistics cover the global batch under tf.distribute (synchronised), so N
    replicas train the same generator one device would; on one device it changes nothing."""
    return layers.BatchNormalization(synchronized=True, name=name)


def project(vector, shape, name="project"):
    """Dense -> Reshape to `shape` -> BatchNorm -> ReLU: a generator's first block."""
    units = 1
    for dim in shape:
        units *= dim
    x = layers.Dense(units, use_bias=False, name=name)(vector)
    x = layers.Reshape(tuple(shape))(x)
    x = batch_norm(f"{name}_bn")(x)
    return layers.ReLU()(x)


def upsample_stack(x, temporal_strides, filters, out_channels=None, name="up", temporal_kernel=True):
    """Strided Conv3DTranspose stages doubling height and width (and time where the stride is 2).

    Each stage halves the channels (at least 16), with BatchNorm + ReLU; if `out_channels` is
    given the last stage outputs that many channels without activation (else all stages are
    hidden ones). With `temporal_kernel=False` every kernel is `(1, 4, 4)`: a 2D generator
    applied to each frame. `StridedConv3DTranspose` keeps the thin last stage fast without oneDNN.
    """
    width = filters
    for index, time_stride in enumerate(temporal_strides):
        last = out_channels is not None and index == len(temporal_strides) - 1
        width = out_channels if last else max(16, width // 2)
        time_kernel = (4 if time_stride == 2 else 3) if temporal_kernel else 1
        x = StridedConv3DTranspose(
            width, (time_kernel, 4, 4), strides=(time_stride, 2, 2), padding="same",
            use_bias=last, name=f"{name}{index}",
        )(x)
        if not last:
            x = batch_norm(f"{name}{index}_bn")(x)
            x = layers.ReLU()(x)
    return x


def temporal_plan(frames):
    """`(base_frames, strides)`: halve the clip length while it is even (16 -> 1 in 4 strides)."""
    base, strides = frames, []
    while base % 2 == 0 and base > 1:
        base //= 2
        strides.append(2)
    return base, strides


def frame_generator(codes, frames, size, filters, channels, name="frame"):
    """DCGAN's image generator applied to every frame: codes `[N, T, D]` -> video in [-1, 1].

    Used by TGAN and MoCoGAN, whose per-frame latent codes carry all the motion.
    """
    _, base_size, strides = stage_plan(1, size)
    x = layers.Dense(base_size * base_size * filters, use_bias=False, name=f"{name}_project")(codes)
    x = layers.Reshape((frames, base_size, base_size, filters))(x)
    x = batch_norm(f"{name}_project_bn")(x)
    x = layers.ReLU()(x)
    x = upsample_stack(x, [1] * len(strides), filters, channels, name=f"{name}_up",
                       temporal_kernel=False)
    return layers.Activation("tanh", dtype="float32", name="video")(x)


def downsample_stack(x, temporal_strides, filters, spectral_norm=False, name="down"):
    """Strided Conv3D + LeakyReLU stages halving height and width (and time where the stride is
    2); channels double from `filters` (at most 512). Strides of 0 mean a per-frame (2D) stage:
    kernel `(1, 4, 4)`, time untouched. `StridedConv3D` keeps their backward passes fast where
    TensorFlow has no oneDNN."""
    width = filters
    for index, time_stride in enumerate(temporal_strides):
        time_kernel = 1 if time_stride == 0 else (4 if time_stride == 2 else 3)
        conv = StridedConv3D(
            width, (time_kernel, 4, 4), strides=(max(time_stride, 1), 2, 2), padding="same",
            name=f"{name}{index}",
        )
        x = maybe_spectral_norm(conv, spectral_norm)(x)
        x = layers.LeakyReLU(0.2)(x)
        width = min(512, width * 2)
    return x


def discriminator_inputs(frames, size, channels, num_classes=None):
    """Returns `(inputs, video, label)`: the `video` input alone or `{"video", "label"}`."""
    video = keras.Input((frames, size, size, channels), name="video")
    if not num_classes:
        return video, video, None
    label = keras.Input((), dtype="int32", name="label")
    return {"video": video, "label": label}, video, label


def logits_head(features, label=None, num_classes=None, spectral_norm=False, name="logits"):
    """Maps features `[N, ..., F]` to logits `[N, ..., 1]`: linear, or a projection head when
    class-conditional."""
    if label is None:
        dense = maybe_spectral_norm(layers.Dense(1, dtype="float32", name=name), spectral_norm)
        return dense(features)
    return ProjectionHead(num_classes, spectral_norm=spectral_norm, dtype="float32", name=name)(
        [features, label]
    )


def frame_features(video, size, filters, spectral_norm=False, name="frame_down"):
    """A 2D discriminator trunk applied to every frame: `[N, T, H, W, C]` -> `[N, T, F]`."""
    _, _, strides = stage_plan(1, size)
    x = downsample_stack(video, [0] * len(strides), filters, spectral_norm, name=name)
    return layers.Reshape((video.shape[1], -1))(x)
