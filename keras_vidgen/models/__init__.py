"""Generator and discriminator families, and the `VideoGAN` that trains them."""

import importlib

from keras_vidgen import choices
from keras_vidgen.config import CONTINUOUS_TIME_OPTIONS, builder_options, check_continuous_time_options
from keras_vidgen.errors import ConfigError
from keras_vidgen.models import dcgan3d, dvdgan, mocogan, stylegan_v, tgan, vgan  # noqa: F401 -- API
from keras_vidgen.models.gan import VideoGAN
from keras_vidgen.models.predictor import build_predictor
from keras_vidgen.models.video_predictor import VideoPredictor


def _builders(name):
    module = importlib.import_module(f"keras_vidgen.models.{name.replace('-', '_')}")
    return module.build_generator, module.build_discriminator


# Each architecture name (`choices.ARCHITECTURES`, the one list of names) maps to the
# (generator builder, discriminator builder) of its module, with the signatures
# `build_generator(latent_dim, frames, size, filters, channels=3, num_classes=None,
# context_frames=None)` and `build_discriminator(frames, size, filters, channels=3,
# num_classes=None, spectral_norm=False)`.
ARCHITECTURES = {name: _builders(name) for name in choices.ARCHITECTURES}


def build_video_gan(arch, latent_dim, frames, size, g_filters, d_filters, seed=None, *,
                    spectral_norm=False, ema_decay=None, num_classes=None, context_frames=None,
                    channels=3, class_names=None, **continuous_time):
    """Builds an uncompiled `VideoGAN` of a named architecture.

    Args:
        arch: a name in `ARCHITECTURES`.
        latent_dim: latent vector length.
        frames: frames per clip.
        size: clip height and width.
        g_filters: the generator's widest layer.
        d_filters: the discriminator's first layer width.
        seed: seeds the latents drawn in training.
        spectral_norm: spectrally normalise every discriminator layer (Miyato et al. 2018).
        ema_decay: keep an EMA of the generator's weights for sampling (e.g. 0.999).
        num_classes: class-conditional: the generator takes a `label`, the discriminator
            projects it (fit on `(clips, labels)`).
        context_frames: frame-conditional: the generator continues this many given frames.
        channels: colour channels.
        class_names: the classes' names in index order (saved with the model and its export).
        **continuous_time: the continuous-time architectures' own options, by their `ModelConfig`
            names (`config.CONTINUOUS_TIME_OPTIONS`: output_skips, mapping_layers,
            mapping_lr_multiplier, sparse_frames, sparse_max_distance, d_join_size, ...; see
            `config.ModelConfig`); any other architecture refuses them unless they are off.

    Returns:
        A built, uncompiled `VideoGAN`.

    Example:
        >>> gan = build_video_gan("mocogan", 64, 16, 32, g_filters=256, d_filters=32,
        ...                       spectral_norm=True, ema_decay=0.999)
    """
    if arch not in ARCHITECTURES:
        raise ConfigError(f"Unknown architecture {arch!r}; choose one of {sorted(ARCHITECTURES)}.")
    build_generator, build_discriminator = ARCHITECTURES[arch]
    unknown = sorted(set(continuous_time) - set(CONTINUOUS_TIME_OPTIONS))
    if unknown:
        raise TypeError(f"build_video_gan() got unexpected keyword arguments {unknown}; the "
                        f"continuous-time options are {list(CONTINUOUS_TIME_OPTIONS)}")
    check_continuous_time_options(arch, continuous_time)
    g_options, d_options, gan_options = {}, {}, {}  # the continuous-time options, routed
    if arch in choices.CONTINUOUS_TIME_ARCHITECTURES:
        g_options, d_options, gan_options = builder_options(continuous_time)
    generator = build_generator(latent_dim, frames, size, filters=g_filters, channels=channels,
                                num_classes=num_classes, context_frames=context_frames, **g_options)
    discriminator = build_discriminator(frames, size, filters=d_filters, channels=channels,
                                        num_classes=num_classes, spectral_norm=spectral_norm,
                                        **d_options)
    return VideoGAN(generator, discriminator, seed=seed, ema_decay=ema_decay,
                    num_classes=num_classes, class_names=class_names, frames=frames,
                    name=f"{arch}_gan", **gan_options)


def build_video_predictor(arch, task, observed, frames, size, g_filters, d_filters, latent_dim,
                          seed=None, *, adversarial=True, spectral_norm=False, ema_decay=None,
                          channels=3):
    """Builds an uncompiled `VideoPredictor` for "predict" or "interpolate".

    The generator is `predictor.build_predictor` (observed frames + `z` -> the missing frames)
    whatever `arch`; the architecture's discriminator judges the completed clips. Every
    architecture's discriminator takes clips of any length, so every architecture can, except
    the continuous-time `stylegan-v`, whose discriminator judges 3 frames with their times
    (`TrainConfig.check` refuses it).

    Args:
        arch: a name in `ARCHITECTURES` (its discriminator is used).
        task: "predict" or "interpolate".
        observed: frames given to the generator.
        frames: frames per whole clip (observed + produced).
        size, g_filters, d_filters, latent_dim, seed, spectral_norm, ema_decay, channels: as for
            `build_video_gan` (`g_filters` is the predictor's full-resolution width).
        adversarial: build a discriminator and give the generator a `z` input; False: plain
            regression, no discriminator.
    """
    if arch not in ARCHITECTURES:
        raise ConfigError(f"Unknown architecture {arch!r}; choose one of {sorted(ARCHITECTURES)}.")
    generator = build_predictor(observed, frames - observed, size, filters=g_filters,
                                channels=channels, latent_dim=latent_dim if adversarial else None,
                                task=task)
    discriminator = None
    if adversarial:
        discriminator = ARCHITECTURES[arch][1](frames, size, filters=d_filters, channels=channels,
                                               spectral_norm=spectral_norm)
    return VideoPredictor(generator, discriminator, task=task, seed=seed, ema_decay=ema_decay,
                          name=f"{arch}_{task}")


__all__ = ["ARCHITECTURES", "VideoGAN", "VideoPredictor", "build_predictor", "build_video_gan",
           "build_video_predictor", "dcgan3d", "dvdgan", "mocogan", "stylegan_v", "tgan", "vgan"]
