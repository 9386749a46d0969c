"""The generator of "predict" and "interpolate": observed frames (+ z) -> only the missing frames.

Following Mathieu, Couprie & LeCun 2016 ("Deep multi-scale video prediction beyond mean square
error"), the observed frames are stacked along channels and a 2D convolutional network maps them
to the produced frames, also stacked along channels. Theirs is a multi-scale stack; this is a
U-Net (Ronneberger et al. 2015), whose skip connections carry the observed frames' pixels to the
output at full resolution: the static background needs no reconstruction through a bottleneck,
and the network spends its capacity on motion. A latent `z`, when asked for (adversarial
training), is projected to the bottleneck's grid and concatenated there, so different `z` give
different futures.

Why not the five noise-to-video generators (dcgan3d, vgan, tgan, mocogan, dvdgan): they grow a
clip from a vector (their `context` input is encoded into that vector too), so every pixel of a
prediction would pass a vector bottleneck; on the moving shapes that loses the textured
backgrounds that copying the last frame keeps. Their discriminators judge any clip length and
are used unchanged to judge observed + produced clips (`build_video_predictor`).
"""

import keras
from keras import layers

from keras_vidgen.models.blocks import stage_plan
from keras_vidgen.models.tasks import OBSERVED


def build_predictor(observed, produced, size, filters=32, channels=3, latent_dim=None,
                    name="generator"):
    """Builds the frame predictor: `observed [N, k, size, size, C]` (+ `z`) -> `[N, produced, ...]`.

    Args:
        observed: frames given, `k`.
        produced: frames to output.
        size: height and width (halved down to a grid of 4 to 7 pixels, at most 4 times).
        filters: channels of the smallest (widest) stage, as for the noise-to-video generators;
            halved at every doubling of resolution (at least 8).
        channels: colour channels.
        latent_dim: adds a `z [N, latent_dim]` input (adversarial training); None: deterministic.
        name: the model's name.

    Returns:
        A functional `keras.Model` with outputs in [-1, 1]; inputs `{"observed", "z"}` or
        `observed` alone.

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
    for index in reversed(range(depth)):
        width = skips[index].shape[-1]
        # Nearest-neighbour upsampling + a 3x3 conv: no checkerboard, and a third of a 4x4
        # transposed convolution's arithmetic at the full-resolution stages.
        x = layers.UpSampling2D(2, name=f"up{index}")(x)
        x = layers.Concatenate()([x, skips[index]])
        x = _conv(x, width, f"up{index}_b")
    x = layers.Conv2D(produced * channels, 3, padding="same", name="out")(x)
    # [N, H, W, F * C] -> [N, F, H, W, C]
    x = layers.Permute((3, 1, 2, 4))(layers.Reshape((size, size, produced, channels))(x))
    video = layers.Activation("tanh", dtype="float32", name="video")(x)
    return keras.Model(inputs if latent_dim else frames_in, video, name=name)


def _conv(x, width, name, strides=1, kernel=3):
    x = layers.Conv2D(width, kernel, strides=strides, padding="same", name=name)(x)
    return layers.LeakyReLU(0.2)(x)
