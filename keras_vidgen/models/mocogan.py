"""`mocogan`: MoCoGAN (Tulyakov, Liu, Yang & Kautz 2018, "MoCoGAN: Decomposing Motion and
Content for Video Generation").

The latent splits into a content code, fixed for the whole clip, and a motion part from which a
GRU unrolls one motion code per frame; a shared image generator renders each frame from
`[content, motion(t)]`. Two discriminators judge the result: a video discriminator (3D convs on
the clip) and an image discriminator (2D convs on single frames). `build_discriminator` returns
both as one model with a dict of logits, `{"video": [N, 1], "frame": [N, T, 1]}`, which
`VideoGAN` sums.

Simplifications: the GRU's per-step noise is a learned projection of the motion half of `z`
(every generator here takes one latent per clip, which is what the export signature serves); the
image discriminator scores every frame rather than one random frame per clip (the expectation
of the paper's estimate, with less variance).
"""

import keras
from keras import layers

from keras_vidgen.models import blocks


def build_generator(latent_dim, frames, size, filters=256, channels=3, num_classes=None,
                    context_frames=None, name="generator"):
    """Builds MoCoGAN's generator: `z [N, latent_dim]` -> video `[N, frames, size, size, channels]`.

    The first half of `z` is the content code; the second half drives the motion GRU. Labels and
    context (if any) join the content code.

    Args: as in `dcgan3d.build_generator` (`latent_dim` >= 2).

    Returns:
        A functional `keras.Model` with outputs in [-1, 1].
    """
    if latent_dim < 2:
        raise ValueError(f"MoCoGAN splits z into content and motion: latent_dim >= 2, got {latent_dim}.")
    inputs, vector = blocks.generator_inputs(
        latent_dim, num_classes, blocks.context_shape(context_frames, size, channels)
    )
    z = inputs["z"] if isinstance(inputs, dict) else inputs
    content_dim = latent_dim // 2
    motion_dim = latent_dim - content_dim
    content = z[:, :content_dim]
    if vector is not z:  # labels or context follow z in the vector: they join the content
        content = layers.Concatenate(name="content")([content, vector[:, latent_dim:]])
    motion_seed = z[:, content_dim:]
    steps = layers.Dense(frames * motion_dim, name="motion_noise")(motion_seed)
    steps = layers.Reshape((frames, motion_dim))(steps)
    initial = layers.Dense(motion_dim, activation="tanh", name="motion_h0")(motion_seed)
    motion = layers.GRU(motion_dim, return_sequences=True, name="motion_gru")(
        steps, initial_state=initial
    )
    codes = layers.Concatenate(name="codes")([layers.RepeatVector(frames)(content), motion])
    video = blocks.frame_generator(codes, frames, size, filters, channels)
    return keras.Model(inputs, video, name=name)


def build_discriminator(frames, size, filters=64, channels=3, num_classes=None,
                        spectral_norm=False, name="discriminator"):
    """Builds MoCoGAN's two discriminators as one model with logits `{"video", "frame"}`.

    Args: as in `dcgan3d.build_discriminator`.

    Returns:
        A functional `keras.Model`: video `[N, frames, size, size, C]` -> `{"video": [N, 1],
        "frame": [N, frames, 1]}`.
    """
    _, _, temporal_strides = blocks.stage_plan(frames, size)
    inputs, video, label = blocks.discriminator_inputs(frames, size, channels, num_classes)
    x = blocks.downsample_stack(video, list(reversed(temporal_strides)), filters, spectral_norm,
                                name="video_down")
    video_logits = blocks.logits_head(layers.Flatten()(x), label, num_classes, spectral_norm,
                                      name="video_logits")
    frame_features = blocks.frame_features(video, size, filters, spectral_norm)
    frame_logits = blocks.logits_head(frame_features, label, num_classes, spectral_norm,
                                      name="frame_logits")
    return keras.Model(inputs, {"video": video_logits, "frame": frame_logits}, name=name)
