"""Run configuration: dataclasses of defaults, named size presets, and a JSON round trip.

A run is fully described by one `TrainConfig`; `train()` writes the resolved config as
`config.json` beside the logs and the export, and `TrainConfig.load()` reads it back.
"""

import dataclasses
import json
from typing import Optional, Union

# How the learning rates change over a run (see `TrainConfig.lr_schedule`).
LR_SCHEDULES = ("constant", "cosine")


@dataclasses.dataclass
class DataConfig:
    """What the model sees: where clips come from and their shape.

    Attributes:
        data: a glob, folder or file of videos (local or remote); `None` uses the built-in moving
            shapes, made once in the cache folder.
        frames: frames per clip (the generator makes clips of this length).
        size: clip height and width in pixels.
        batch_size: clips per training step.
        stride: take every `stride`-th frame of the source video (after resampling to `fps`).
        shapes_videos: clips in the built-in data set when `data` is `None`.
        fps: resample every video to this frame rate; `None` keeps each file's own frames.
        clips_per_video: clips per video per pass, or "all" non-overlapping clips.
        clip_starts: "random" or "even" clip starts.
        crop: "center", "random" (after resizing the shorter side) or "none" (plain resize).
        flip: random horizontal flips.
        grayscale: one channel instead of RGB (the model then makes gray videos).
        labels: `None`, or "folder" / "manifest" / "auto": yield class labels and save
            `class_index.json` in the run folder.
        short_videos: "loop", "pad", "skip" or "error" for videos shorter than one clip.
        on_error: "raise" or "skip" unreadable files (see `keras_vidgen.data.policies`).
        validate: open every file before training to report or skip bad ones up front.
        cache: `None`, "memory", or a folder for a decoded-clip cache.
    """

    data: Optional[str] = None
    frames: int = 16
    size: int = 64
    batch_size: int = 8
    stride: int = 1
    shapes_videos: int = 256
    fps: Optional[float] = None
    clips_per_video: Union[int, str] = 1
    clip_starts: str = "random"
    crop: str = "center"
    flip: bool = False
    grayscale: bool = False
    labels: Optional[str] = None
    short_videos: str = "loop"
    on_error: str = "raise"
    validate: bool = True
    cache: Optional[str] = None


@dataclasses.dataclass
class ModelConfig:
    """The networks.

    Attributes:
        arch: architecture name (see `keras_vidgen.models.ARCHITECTURES`).
        latent_dim: latent vector length.
        g_filters: channels of the generator's smallest (widest) block.
        d_filters: channels of the discriminator's first layer.
        spectral_norm: spectrally normalise the discriminator's layers.
        ema_decay: sample and export from an exponential moving average of the generator
            (`None`: sample the generator itself).
        num_classes: class-conditional generator and projection discriminator (the data must
            yield `(clips, labels)`).
        context_frames: frame-conditional: the generator continues this many real first frames.
    """

    arch: str = "dcgan3d"
    latent_dim: int = 128
    g_filters: int = 512
    d_filters: int = 64
    # Defaults measured on the main job (moving shapes, 1,200 steps): spectral norm in D with
    # Adam(0, 0.9) and a faster D removed a colour cast shared by all samples and a collapse to
    # one colour (88% of samples green -> 7 colours, none above 23%).
    spectral_norm: bool = True
    # Off here (the main job's "small" preset turns it on): in bench_quality's 30-minute runs at
    # 64x64x16 the EMA generator scored worse than the generator itself in four runs of five
    # (dcgan3d 512/64: FVD 41 vs 23); over a short run G changes fast and the average of its
    # recent weights blurs different videos. Worth trying (e.g. 0.999) for long runs.
    ema_decay: Optional[float] = None
    num_classes: Optional[int] = None
    context_frames: Optional[int] = None


@dataclasses.dataclass
class TrainConfig:
    """One training run: data, model, optimisation, and where outputs go.

    Attributes:
        name: the run's name; exports go to `<export_dir>/<name>/<version>/`.
        data: a `DataConfig`.
        model: a `ModelConfig`.
        loss: "hinge", "bce", "wgan-gp" or "lsgan".
        n_critic: discriminator steps per generator step.
        gp_weight: gradient-penalty weight (`None`: 10 for "wgan-gp", else off).
        r1_gamma: R1 penalty weight (0: off); r1_interval: apply it every this many D steps.
        augment: DiffAugment policy for the discriminator's inputs, e.g. "color,translation,cutout".
        recon_weight: weight of the frame-conditional L1 reconstruction of the context.
        g_learning_rate, d_learning_rate: Adam learning rates of G and D.
        lr_schedule: "constant", or "cosine": both rates fall along a half cosine to zero at the
            run's last step (`epochs * steps_per_epoch`; a `max_minutes` limit that stops the
            run earlier cuts the decay short).
        beta_1, beta_2: Adam's moment decay rates; (0.0, 0.9) as in SN-GAN and BigGAN, which
            trained better here than DCGAN's (0.5, 0.999).
        epochs: passes of `steps_per_epoch` steps.
        steps_per_epoch: training steps per epoch (the data repeats).
        max_minutes: stop training after this much wall time (`None`: no limit).
        strategy: "default", "mirrored" or "multiworker" (see `keras_vidgen.distribute`); the
            batch size is global, split over all replicas.
        mixed_precision: `None` (float32), "mixed_bfloat16" (CPU/TPU) or "mixed_float16" (GPU,
            with loss scaling); losses and penalties stay float32.
        jit_compile: Keras's "auto" (XLA off on CPU, where it makes Conv3D training take minutes
            a step), or True/False to force it (True can pay off on GPU).
        seed: seeds data order, latents and weights.
        logdir: TensorBoard logs, checkpoint, config and samples go to `<logdir>/<name>/`.
        export_dir: the SavedModel base folder; `None` skips the export.
        num_samples: videos in the fixed monitoring batch shown in TensorBoard.
        backup_dir: back up the whole training state here every `backup_every` steps; a rerun
            of the same command resumes from it at the saved step (`None`: no backups).
        backup_every: steps between backups.
    """

    name: str = "vidgen"
    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    loss: str = "hinge"
    n_critic: int = 1
    gp_weight: Optional[float] = None
    r1_gamma: float = 0.0
    r1_interval: int = 1
    augment: Optional[str] = None
    recon_weight: float = 10.0
    g_learning_rate: float = 2e-4
    d_learning_rate: float = 4e-4
    lr_schedule: str = "constant"
    beta_1: float = 0.0
    beta_2: float = 0.9
    epochs: int = 20
    steps_per_epoch: int = 100
    max_minutes: Optional[float] = None
    strategy: str = "default"
    mixed_precision: Optional[str] = None
    jit_compile: object = "auto"
    seed: int = 0
    logdir: str = "runs"
    export_dir: Optional[str] = "saved_models"
    num_samples: int = 8
    backup_dir: Optional[str] = None
    backup_every: int = 100

    def to_dict(self):
        return dataclasses.asdict(self)

    def to_json(self):
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, values):
        """Builds a config from a dict such as `to_dict()` returns; unknown keys are an error."""
        values = dict(values)
        data = _dataclass_from_dict(DataConfig, values.pop("data", {}))
        model = _dataclass_from_dict(ModelConfig, values.pop("model", {}))
        return _dataclass_from_dict(cls, values, data=data, model=model)

    @classmethod
    def from_json(cls, text):
        return cls.from_dict(json.loads(text))

    def save(self, path):
        with open(path, "w") as file:
            file.write(self.to_json() + "\n")

    @classmethod
    def load(cls, path):
        with open(path) as file:
            return cls.from_json(file.read())


def _dataclass_from_dict(cls, values, **extra):
    known = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"Unknown {cls.__name__} setting(s) {unknown}; known: {sorted(known)}.")
    return cls(**values, **extra)


# Named sizes. "small" is the main job: it learns visibly in a few minutes on 2 CPU cores.
PRESETS = {
    "tiny": dict(
        data=dict(frames=4, size=16, batch_size=2, shapes_videos=8),
        model=dict(latent_dim=16, g_filters=32, d_filters=8),
        epochs=1, steps_per_epoch=2, num_samples=2,
    ),
    # The main job keeps an EMA generator: after its 1,200 steps the generator's own clips change
    # colour as they play, the average's keep one (seen side by side; no 32 px FVD to measure it).
    # Batch 8, not 16: half the arithmetic a step, and after 1,200 steps its samples showed the
    # same distinct red, cyan and pink shapes as batch 16's; G at 128 filters (colours changing
    # as they play) or 600 steps at batch 16 (white blobs, no colours) learned less for the same
    # cost (side by side on an AMD EPYC, 2026-11-30). The budget keeps the job within minutes
    # on any CPU: TimeLimit says up front where it will stop it.
    "small": dict(
        data=dict(frames=16, size=32, batch_size=8, shapes_videos=256),
        model=dict(latent_dim=64, g_filters=256, d_filters=32, ema_decay=0.999),
        epochs=8, steps_per_epoch=150, max_minutes=6,
    ),
    # Measured by bench_quality (30 minutes on 2 CPU cores, FVD of the generator itself): DVD-GAN's
    # per-frame + half-resolution discriminators at these widths beat dcgan3d at 512/64 (about
    # 4x slower a step) and at 256/32; 4,096 videos keep D from memorising the clips.
    "base": dict(
        data=dict(frames=16, size=64, batch_size=16, shapes_videos=4096),
        model=dict(arch="dvdgan", latent_dim=128, g_filters=256, d_filters=32),
        epochs=50, steps_per_epoch=500,
    ),
}


# What `vidgen train` runs when given no preset or config: the README's first command.
MAIN_JOB_PRESET = "small"


def preset(preset_name, /, **overrides):
    """Returns the `TrainConfig` of a named preset, with top-level fields overridden.

    Args:
        preset_name: a key of `PRESETS` ("tiny", "small", "base").
        **overrides: `TrainConfig` fields to replace (e.g. `epochs=3`).

    Example:
        >>> config = preset("small", epochs=2)
        >>> config.data.size
        32
    """
    if preset_name not in PRESETS:
        raise ValueError(f"Unknown preset {preset_name!r}; choose one of {sorted(PRESETS)}.")
    config = TrainConfig.from_dict(PRESETS[preset_name])
    return dataclasses.replace(config, **overrides)
