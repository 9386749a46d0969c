"""The names of every pluggable choice, importable without TensorFlow.

The config takes its choices from here, so `vidgen train`'s flags are parsed and checked before
anything heavy loads. The registries that hold the implementations are keyed by these names:
`models.ARCHITECTURES` imports `keras_vidgen.models.<name>` for each architecture, and
`tests/test_config.py` checks that the others (`losses.LOSSES`, the DiffAugment policies, ...)
agree with them.
"""

# Each is a module `keras_vidgen.models.<name>` (dashes as underscores) with `build_generator`
# and `build_discriminator`.
ARCHITECTURES = ("dcgan3d", "vgan", "tgan", "mocogan", "dvdgan", "stylegan-v")
# The continuous-time ones: their generators render frames at given times, from noise alone (they
# take no `context` frames to continue).
CONTINUOUS_TIME_ARCHITECTURES = ("stylegan-v",)
# Frames of each clip their discriminator judges unless `model.sparse_frames` says otherwise
# (StyleGAN-V's 3).
SPARSE_FRAMES = 3
# See `keras_vidgen.losses`.
LOSSES = ("hinge", "bce", "wgan-gp", "lsgan")
# See `keras_vidgen.distribute.make_strategy`.
STRATEGIES = ("default", "mirrored", "multiworker")
# Keras dtype policies a run may compute in (`None`: float32).
MIXED_PRECISION = ("mixed_bfloat16", "mixed_float16")
# How the learning rates change over a run (see `TrainConfig.lr_schedule`).
LR_SCHEDULES = ("constant", "cosine")
# Where MSGAN's mode-seeking term measures how far apart two clips are
# (`keras_vidgen.models.VideoGAN.compile`).
MODE_SEEKING_SPACES = ("pixels", "discriminator")
# DiffAugment operations (`keras_vidgen.layers.diff_augment`), comma-separated in a policy.
AUGMENTATIONS = ("color", "translation", "cutout")

# The data side: see `keras_vidgen.data.labels`, `.sampling`, `.transforms`, `.policies`.
LABEL_SOURCES = ("folder", "manifest", "auto")
CLIP_STARTS = ("random", "even")
SHORT_VIDEO_POLICIES = ("loop", "pad", "skip", "error")
CROPS = ("center", "random", "none")
ON_ERROR_POLICIES = ("raise", "skip")

# What the generator is asked for (see `keras_vidgen.models.tasks`): videos from noise, the frames
# after the observed ones, or the frames between them.
TASKS = ("generate", "predict", "interpolate")
# The regression loss on produced frames (`keras_vidgen.losses.reconstruction_loss`).
RECON_LOSSES = ("mse", "l1")
# Optimizers by name (`keras_vidgen.train.make_optimizer`).
OPTIMIZERS = ("adam", "rmsprop", "adadelta")
