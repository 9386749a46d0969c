"""`dcgan3d`: a DCGAN-style Conv3D generator and discriminator for any clip length and size.

The generator follows DCGAN (Radford et al. 2016, "Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks") lifted to space-time as in VGAN's single-stream
baseline (Vondrick et al. 2016): latent -> Dense -> a small `[t0, 4..7, 4..7, C]` block -> strided
Conv3DTranspose stages that double height and width (and time, while frames remain to grow) ->
tanh. The discriminator mirrors it with strided Conv3D and LeakyReLU, without normalisation, so it
also suits gradient penalties.
"""

import keras
from keras import layers


def stage_plan(frames, size):
    """Plans the resolution stages shared by the generator and the discriminator.

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


def build_generator(latent_dim, frames, size, filters=256, channels=3, name="generator"):
    """Builds the Conv3D generator: `z [N, latent_dim]` -> video `[N, frames, size, size, channels]`.

    Args:
        latent_dim: length of the latent vector.
        frames: frames per generated clip.
        size: height and width of the generated clip.
        filters: channels of the smallest block; each stage halves them (at least 16).
        channels: output channels (3 for RGB).
        name: the model's name.

    Returns:
        A functional `keras.Model` with outputs in [-1, 1].

    Example:
        >>> generator = build_generator(latent_dim=128, frames=16, size=64)
        >>> generator(keras.random.normal((2, 128))).shape
        (2, 16, 64, 64, 3)
    """
    base_frames, base_size, temporal_strides = stage_plan(frames, size)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(base_frames * base_size * base_size * filters, use_bias=False, name="project")(z)
    x = layers.Reshape((base_frames, base_size, base_size, filters))(x)
    # synchronized=True: under a tf.distribute strategy the statistics cover the global batch, so
    # training matches one device; on one device it changes nothing.
    x = layers.BatchNormalization(synchronized=True, name="project_bn")(x)
    x = layers.ReLU()(x)
    width = filters
    for index, time_stride in enumerate(temporal_strides):
        last = index == len(temporal_strides) - 1
        width = channels if last else max(16, width // 2)
        x = layers.Conv3DTranspose(
            width,
            kernel_size=(4 if time_stride == 2 else 3, 4, 4),
            strides=(time_stride, 2, 2),
            padding="same",
            use_bias=last,
            name=f"up{index}",
        )(x)
        if not last:
            x = layers.BatchNormalization(synchronized=True, name=f"up{index}_bn")(x)
            x = layers.ReLU()(x)
    video = layers.Activation("tanh", dtype="float32", name="video")(x)
    return keras.Model(z, video, name=name)


def build_discriminator(frames, size, filters=64, channels=3, name="discriminator"):
    """Builds the Conv3D discriminator: video `[N, frames, size, size, channels]` -> logits `[N, 1]`.

    Args:
        frames: frames per clip.
        size: height and width.
        filters: channels of the first stage; each stage doubles them (at most 512).
        channels: input channels.
        name: the model's name.

    Returns:
        A functional `keras.Model` returning one unbounded realness score per clip.
    """
    _, _, temporal_strides = stage_plan(frames, size)
    video = keras.Input((frames, size, size, channels), name="video")
    x = video
    width = filters
    for index, time_stride in enumerate(reversed(temporal_strides)):
        x = layers.Conv3D(
            width,
            kernel_size=(4 if time_stride == 2 else 3, 4, 4),
            strides=(time_stride, 2, 2),
            padding="same",
            name=f"down{index}",
        )(x)
        x = layers.LeakyReLU(0.2)(x)
        width = min(512, width * 2)
    x = layers.Flatten()(x)
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(video, logits, name=name)
