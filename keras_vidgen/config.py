"""Run configuration: dataclasses of defaults, named size presets, and a JSON round trip.

A run is fully described by one `TrainConfig`, and these dataclasses are the one place a setting
is declared: its name, type, default, choices (from `keras_vidgen.choices`), limits and help (the
class docstring's `Attributes:` entry). `TrainConfig.check()` applies all of that and the rules
between settings once, before a run touches anything; `vidgen train`'s flags are derived from the
fields (`keras_vidgen.cli.flags`), and `train()` hands whole groups of fields on by name. So a new
option is a field here plus the code that uses it.

`train()` writes the resolved config as `config.json` beside the logs and the export, and
`TrainConfig.load()` reads it back. Nothing here imports TensorFlow.
"""

import dataclasses
import json
import math
import typing
from typing import Optional, Union

from keras_vidgen import choices
from keras_vidgen.errors import ConfigError

LR_SCHEDULES = choices.LR_SCHEDULES  # the name `train.learning_rate` and older code use


def setting(default=None, *, default_factory=None, choices=None, items=None, words=(),
            minimum=None, above=None, below=None, flag=None, off_flag=None, parse=None):
    """A dataclass field with what `check()` and the command line need to know about it.

    Args:
        default, default_factory: as for `dataclasses.field`.
        choices: the values a string setting may take.
        items: the names a comma-separated string setting may list.
        words: strings a number (or bool) setting also accepts, e.g. "all".
        minimum, above, below: limits of a number: `>= minimum`, `> above`, `< below`.
        flag: the command-line flag, when not the field name with dashes (e.g. "g-lr").
        off_flag: a flag that sets the setting to `None` (e.g. "no-export").
        parse: turns the flag's text into a value, when the type's constructor cannot.
    """
    metadata = dict(choices=choices, items=items, words=tuple(words), minimum=minimum,
                    above=above, below=below, flag=flag, off_flag=off_flag, parse=parse)
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def on_off_auto(text):
    """`--jit-compile`'s values: on/off (also true/false, 1/0, yes/no) or auto."""
    lowered = text.lower()
    if lowered in ("on", "true", "1", "yes"):
        return True
    if lowered in ("off", "false", "0", "no"):
        return False
    if lowered == "auto":
        return "auto"
    raise ValueError(f"expected on, off or auto, got {text!r}")


def all_or_int(text):
    """`--clips-per-video`'s values: an integer, or "all"."""
    return text if text == "all" else int(text)


class _Checked:
    """What the three config dataclasses share: checking their own fields."""

    def check_fields(self, prefix=""):
        """Checks each field's type, choices and limits; raises `ConfigError` naming the first bad one."""
        hints = typing.get_type_hints(type(self))
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, _Checked):
                value.check_fields(f"{prefix}{field.name}.")
            else:
                _check_value(f"{prefix}{field.name}", value, hints[field.name], field.metadata)
        return self


@dataclasses.dataclass
class DataConfig(_Checked):
    """What the model sees: where clips come from and their shape.

    Attributes:
        data: a glob, folder, file or manifest of videos (local or s3://, gs://, ...); `None` uses
            the built-in moving shapes, made once in the cache folder.
        frames: frames per clip (the generator makes clips of this length).
        size: clip height and width in pixels.
        batch_size: clips per training step (global: split over all replicas).
        stride: take every `stride`-th frame of the source video (after resampling to `fps`).
        shapes_videos: clips in the built-in data set when `data` is `None`.
        fps: resample every video to this frame rate; `None` keeps each file's own frames.
        clips_per_video: clips per video per pass (an integer), or "all" non-overlapping clips.
        clip_starts: "random" or "even" clip starts.
        crop: "center", "random" (after resizing the shorter side) or "none" (plain resize).
        flip: random horizontal flips.
        grayscale: one channel instead of RGB (the model then makes gray videos).
        labels: class labels from parent folders ("folder"), the manifest ("manifest") or
            whichever the data has ("auto"); needs `num_classes`. The run saves the class names
            as `class_index.json`, and they travel into the checkpoint and the export.
        short_videos: "loop", "pad", "skip" or "error" for videos shorter than one clip.
        on_error: "raise" or "skip" unreadable files (see `keras_vidgen.data.policies`).
        validate: open every file before training to report or skip bad ones up front (turn off
            for huge remote collections).
        cache: decoded-clip cache: `None`, "memory", or a folder.
    """

    data: Optional[str] = None
    frames: int = setting(16, minimum=1)
    size: int = setting(64, minimum=1)
    batch_size: int = setting(8, minimum=1)
    stride: int = setting(1, minimum=1)
    shapes_videos: int = setting(256, minimum=1)
    fps: Optional[float] = setting(None, above=0)
    clips_per_video: Union[int, str] = setting(1, minimum=1, words=("all",), parse=all_or_int)
    clip_starts: str = setting("random", choices=choices.CLIP_STARTS)
    crop: str = setting("center", choices=choices.CROPS)
    flip: bool = False
    grayscale: bool = False
    labels: Optional[str] = setting(None, choices=choices.LABEL_SOURCES)
    short_videos: str = setting("loop", choices=choices.SHORT_VIDEO_POLICIES)
    on_error: str = setting("raise", choices=choices.ON_ERROR_POLICIES)
    validate: bool = True
    cache: Optional[str] = None


@dataclasses.dataclass
class ModelConfig(_Checked):
    """The networks.

    Attributes:
        arch: the architecture (see `keras_vidgen.models.ARCHITECTURES`).
        latent_dim: latent vector length.
        g_filters: channels of the generator's smallest (widest) block.
        d_filters: channels of the discriminator's first layer.
        spectral_norm: spectrally normalise the discriminator's layers.
        ema_decay: sample and export from an exponential moving average of the generator, e.g.
            0.999 for long runs (`None` or 0: sample the generator itself).
        num_classes: class-conditional generator and projection discriminator; needs `labels`.
        context_frames: frame-conditional (task "generate" only, the older mode): the generator
            regenerates the whole clip from this many real first frames and pays `recon_weight`
            times L1 for differing from them.
        task: "generate" (videos from noise), "predict" (the `observed` first frames -> the
            rest) or "interpolate" (the first and last `observed // 2` frames -> the frames
            between); the generator of the last two outputs only the frames it was not given
            (see `keras_vidgen.models.tasks`).
        observed: the frames the generator is given (predict, interpolate): fewer than `frames`;
            even for interpolate (half at each end).
        output_skips: StyleGAN2's output skips (stylegan-v, task "generate"): every stage of the
            generator adds its own RGB image to the up-sampled image of the coarser stages.
        sparse_frames: frames of each clip the discriminator judges (stylegan-v, at least 2 and
            at most `data.frames`); `None`: StyleGAN-V's 3. Fewer make a step cheaper.
        sparse_max_distance: the judged frames of a clip lie within this many frames of each
            other, the first to the last (StyleGAN-V's maximum distance; at least
            `sparse_frames - 1`); `None`: anywhere in the clip. Near frames show a shape's pace,
            where two frames far apart fit any path between them (see the `small` preset).
        mapping_layers: layers of stylegan-v's mapping network (`None`: 2; StyleGAN2's: 8).
        motion_spacing: frames between stylegan-v's motion anchors, the random knots its motion
            code is interpolated between: a video's motion can change pace only there, so the
            longer, the steadier (`None`: 8).
        fourier_features: stylegan-v: plane waves (`2 x` this many channels) at the synthesis
            network's 16x16 stage, turned and shifted per video (`None`: none).
        mapping_lr_multiplier: the mapping network's learning rate as a fraction of the
            generator's (stylegan-v; `None`: the same rate; StyleGAN2's: 0.01).
        d_join_size: the resolution at which stylegan-v's discriminator puts its frames' features
            side by side, with the time gaps as more channels, and judges them together from
            there on: `data.size` halved down to 4 (`None`: its last 4x4 map, StyleGAN-V's).
        d_stddev_group: clips per group of stylegan-v's minibatch standard deviation, the
            discriminator's view of how much a batch's clips differ (`None`: StyleGAN2's 4).
        d_stddev_features: statistics it appends, each over its own run of the channels (`None`:
            1); must divide the channels of the discriminator's last 4x4 map.
        still_background: stylegan-v: VGAN's layers, a background drawn once a video from its
            content code (the same at every time) under a foreground and its mask drawn at each
            time (the foreground without output skips; both layers leashed to [-1, 1]; the mask
            pays for its mean, for values between 0 and 1 and for covering more than half a
            frame).
        background_filters: the still background's network's widest stage (`None`: `g_filters`).
            It draws once a clip and the foreground once a judged frame (`sparse_frames`), so at
            full width it adds half the generator's arithmetic at 2 frames a clip, a third at 3.
        cover_change_weight: the weight of a prior on the still background's mask covering a
            different share of each of a clip's frames (`CoverChangePenalty`: what the mask holds
            neither appears nor vanishes as it moves; `None`: off).
        cover_change_from: the training step at which that prior starts: its weight rises in a
            straight line from 0 there to `cover_change_weight` at twice the step (`None`: the
            full weight from the first step). Early on it slowed learning while the mask was
            still forming (see the `base` preset).
        sprite_foreground: the still background's foreground and its mask drawn once a video
            from its content code, a sprite, and moved over the background by a shift a frame
            from the motion code, bent back within the frame: its outline, colour and size the
            same in every frame by construction (for scenes of objects moving over a still
            background; it cannot turn, grow, change shape or leave the frame). Off: drawn anew
            at every time.
        background_gate: the still background is its mean colour plus its detail scaled by a
            gain in [0, 1] a video from the content code (`DetailGate`; the gain pays for values
            between 0 and 1, as the mask does), so a plain background is one number away. Off:
            the background network's image as it is.
    """

    arch: str = setting("dcgan3d", choices=choices.ARCHITECTURES)
    latent_dim: int = setting(128, minimum=1)
    g_filters: int = setting(512, minimum=1)
    d_filters: int = setting(64, minimum=1)
    # Defaults measured on the main job (moving shapes, 1,200 steps): spectral norm in D with
    # Adam(0, 0.9) and a faster D removed a colour cast shared by all samples and a collapse to
    # one colour (88% of samples green -> 7 colours, none above 23%).
    spectral_norm: bool = True
    # Off here; the presets turn it on for stylegan-v (no BatchNorm, so its EMA averages the
    # whole generator). For the BatchNorm architectures the EMA copies G's batch statistics, and
    # in bench_quality's 30-minute runs at 64x64x16 it scored worse than G itself in four runs of
    # five (dcgan3d 512/64: FVD 41 vs 23).
    ema_decay: Optional[float] = setting(None, minimum=0, below=1)
    num_classes: Optional[int] = setting(None, minimum=1)
    context_frames: Optional[int] = setting(None, minimum=1)
    task: str = setting("generate", choices=choices.TASKS)
    observed: Optional[int] = setting(None, minimum=1)
    # Off here; the base preset turns it on (measured there and at the main job's size: see PRESETS).
    output_skips: bool = False
    sparse_frames: Optional[int] = setting(None, minimum=2)
    sparse_max_distance: Optional[int] = setting(None, minimum=1)
    mapping_layers: Optional[int] = setting(None, minimum=1)
    motion_spacing: Optional[float] = setting(None, above=0)
    fourier_features: Optional[int] = setting(None, minimum=1)
    mapping_lr_multiplier: Optional[float] = setting(None, above=0)
    d_join_size: Optional[int] = setting(None, minimum=4)
    d_stddev_group: Optional[int] = setting(None, minimum=1)
    d_stddev_features: Optional[int] = setting(None, minimum=1)
    still_background: bool = False
    background_filters: Optional[int] = setting(None, minimum=1)
    cover_change_weight: Optional[float] = setting(None, minimum=0)
    cover_change_from: Optional[int] = setting(None, minimum=1)
    sprite_foreground: bool = False
    background_gate: bool = False


@dataclasses.dataclass
class TrainConfig(_Checked):
    """One training run: data, model, optimisation, and where outputs go.

    Attributes:
        name: the run's name; exports go to `<export_dir>/<name>/<version>/`.
        data: a `DataConfig`.
        model: a `ModelConfig`.
        loss: "hinge", "bce", "wgan-gp" or "lsgan" (see `keras_vidgen.losses`).
        n_critic: discriminator steps per generator step (one replica only).
        gp_weight: gradient-penalty weight (`None`: 10 for "wgan-gp", else off).
        r1_gamma: R1 penalty weight (0: off).
        r1_interval: apply the R1 penalty every this many D steps.
        augment: DiffAugment policy for the discriminator's inputs, e.g. "color,translation,cutout".
        recon_weight: weight of the reconstruction loss: of the produced frames against the real
            ones (predict, interpolate), or the L1 of the context (frame-conditional generate).
        mode_seeking_weight: weight of MSGAN's mode-seeking term in the generator's loss (task
            "generate"; 0: off): latents that land on nearly the same clip cost the generator.
        mode_seeking_pool: the mode-seeking term compares clips averaged over blocks of this
            side of each frame (1: the pixels), so distance cannot be bought with pixel noise.
        mode_seeking_space: where the mode-seeking term measures the distance: "pixels" (the
            frames, pooled by mode_seeking_pool) or "discriminator" (the features its logits
            are computed from).
        mode_seeking_steps: the mode-seeking term pushes for the first this many training steps,
            then stops (it is still logged); `None`: the whole run.
        recon_loss: "mse" or "l1": the reconstruction loss of predict and interpolate (the older
            frame-conditional mode keeps L1).
        gdl_weight: weight of the gradient-difference loss (Mathieu et al. 2016) of the produced
            frames (predict, interpolate; 0: off).
        adversarial_weight: weight of the generator's adversarial loss; 0 trains predict or
            interpolate by regression alone, and then no discriminator is built. `None`: 1 for
            generate (adversarial only), 0 for predict and interpolate (in bench_prediction
            an adversarial weight of 0.001 scored no better than regression, and 0.01 made the
            predictor copy the last frame).
        g_clip_norm: the generator's gradients are scaled down to this global norm when larger
            (0: never). `None`: never for generate; `0.1 * recon_weight` for predict and
            interpolate, about twice the predictor's usual norm. Without it the predictor blew
            up at a random step in 7 of 9 runs in bench_prediction's setting (a few steps of
            5-10 times the usual norm, then Adam's step, grown after a quiet stretch), and never
            recovered.
        optimizer: "adam", "rmsprop" or "adadelta", for both networks (Adam takes `beta_1`,
            `beta_2`; every optimizer takes the learning rates as given).
        g_optimizer, d_optimizer: the generator's or discriminator's own, overriding `optimizer`.
        g_learning_rate: the generator's Adam learning rate.
        d_learning_rate: the discriminator's Adam learning rate.
        lr_schedule: "constant", or "cosine": both rates fall along a half cosine to zero at the
            run's last step (`epochs * steps_per_epoch`; a `max_minutes` limit that stops the
            run earlier cuts the decay short).
        g_lr_schedule, d_lr_schedule: the generator's or discriminator's own, overriding
            `lr_schedule`.
        lr_warmup_steps: both rates rise in a straight line from 0 over this many training steps
            (the generator's over its own, `n_critic` times fewer), then stay ("constant") or
            fall along the cosine over the rest of the run. 0: no warm-up.
        beta_1, beta_2: Adam's moment decay rates; (0.0, 0.9) as in SN-GAN and BigGAN, which
            trained better here than DCGAN's (0.5, 0.999).
        epochs: passes of `steps_per_epoch` steps.
        steps_per_epoch: training steps per epoch (the data repeats).
        max_minutes: stop training after this much wall time (`None`, `--no-time-limit`: no limit).
        strategy: "default", "mirrored" or "multiworker" (reads TF_CONFIG; see
            `keras_vidgen.distribute`); the batch size is global, split over all replicas.
        mixed_precision: `None` (float32), "mixed_bfloat16" (CPU/TPU) or "mixed_float16" (GPU,
            with loss scaling); losses and penalties stay float32.
        jit_compile: "auto" (Keras's: XLA off on CPU, where it makes Conv3D training take minutes
            a step), or on/off to force it (on can pay off on GPU).
        seed: seeds data order, latents and weights.
        repeatable: turn TensorFlow's graph optimiser (Grappler) off, for the whole process, so
            that a seeded run repeats bit for bit on the same machine and software, given the
            same number of cores (TensorFlow splits its sums by thread count: a `base` run free
            on two cores parted by step 20 from the same seed pinned to one). Without it,
            Grappler rewrites the training step differently from one process to the next: seeded
            `base` runs parted at step 16, the first lazy R1 step after step 0, and two 30-minute
            runs of one seed ended 5 FVD apart over their second halves; with it, 16
            processes in 8 rounds agreed (`benchmarks/probe_determinism.py`, the quality log).
            Its cost: `base`'s step 439 against 441 ms, one Zen 4 core each, side by side; the
            main job's 98-127 against 94-100 ms (2 cores, one after the other: noisy). Off by
            default until that is measured well.
        logdir: TensorBoard logs, checkpoint, config and samples go to `<logdir>/<name>-<time>/`.
        export_dir: the SavedModel base folder; `None` (--no-export) skips the export.
        num_samples: videos in the fixed monitoring batch shown in TensorBoard.
        backup_dir: back up the whole training state here every `backup_every` steps; a rerun
            of the same command resumes from it at the saved step (`None`: no backups).
        backup_every: steps between backups.
    """

    name: str = "vidgen"
    data: DataConfig = setting(default_factory=DataConfig)
    model: ModelConfig = setting(default_factory=ModelConfig)
    loss: str = setting("hinge", choices=choices.LOSSES)
    n_critic: int = setting(1, minimum=1)
    gp_weight: Optional[float] = setting(None, minimum=0)
    r1_gamma: float = setting(0.0, minimum=0)
    r1_interval: int = setting(1, minimum=1)
    augment: Optional[str] = setting(None, items=choices.AUGMENTATIONS)
    recon_weight: float = setting(10.0, minimum=0)
    mode_seeking_weight: float = setting(0.0, minimum=0)
    mode_seeking_pool: int = setting(1, minimum=1)
    mode_seeking_space: str = setting("pixels", choices=choices.MODE_SEEKING_SPACES)
    mode_seeking_steps: Optional[int] = setting(None, minimum=1)
    recon_loss: str = setting("mse", choices=choices.RECON_LOSSES)
    gdl_weight: float = setting(0.0, minimum=0)
    adversarial_weight: Optional[float] = setting(None, minimum=0)
    g_clip_norm: Optional[float] = setting(None, minimum=0)
    optimizer: str = setting("adam", choices=choices.OPTIMIZERS)
    g_optimizer: Optional[str] = setting(None, choices=choices.OPTIMIZERS)
    d_optimizer: Optional[str] = setting(None, choices=choices.OPTIMIZERS)
    g_learning_rate: float = setting(2e-4, above=0, flag="g-lr")
    d_learning_rate: float = setting(4e-4, above=0, flag="d-lr")
    lr_schedule: str = setting("constant", choices=choices.LR_SCHEDULES)
    g_lr_schedule: Optional[str] = setting(None, choices=choices.LR_SCHEDULES)
    d_lr_schedule: Optional[str] = setting(None, choices=choices.LR_SCHEDULES)
    lr_warmup_steps: int = setting(0, minimum=0)
    beta_1: float = setting(0.0, minimum=0, below=1)
    beta_2: float = setting(0.9, minimum=0, below=1)
    epochs: int = setting(20, minimum=1)
    steps_per_epoch: int = setting(100, minimum=1)
    max_minutes: Optional[float] = setting(None, above=0, off_flag="no-time-limit")
    strategy: str = setting("default", choices=choices.STRATEGIES)
    mixed_precision: Optional[str] = setting(None, choices=choices.MIXED_PRECISION)
    jit_compile: Union[bool, str] = setting("auto", words=("auto",), parse=on_off_auto)
    seed: int = 0
    repeatable: bool = False
    logdir: str = "runs"
    export_dir: Optional[str] = setting("saved_models", off_flag="no-export")
    num_samples: int = setting(8, minimum=1)
    backup_dir: Optional[str] = None
    backup_every: int = setting(100, minimum=1)

    def check(self):
        """Checks every setting and the rules between them, before a run does anything.

        Returns:
            The config itself.

        Raises:
            ConfigError: naming the setting(s), the value(s) and what would work.
        """
        self.check_fields()
        data, model = self.data, self.model
        if data.labels is not None and model.num_classes is None:
            raise ConfigError(
                "{0} needs {1}: the class count of the class-conditional GAN the labels train "
                "(`vidgen inspect-data DATA --labels ...` counts the classes)",
                ("data.labels", data.labels), ("model.num_classes", None),
            )
        if model.num_classes is not None and data.labels is None:
            raise ConfigError(
                "{0} needs {1} (folder, manifest or auto): a class-conditional GAN trains on "
                "labelled clips", ("model.num_classes", model.num_classes), ("data.labels", None),
            )
        if model.context_frames is not None and model.context_frames >= data.frames:
            raise ConfigError(
                "{0} must be fewer than {1}: the generator continues the context frames with "
                "frames of its own", ("model.context_frames", model.context_frames),
                ("data.frames", data.frames),
            )
        if model.context_frames is not None and model.arch in choices.CONTINUOUS_TIME_ARCHITECTURES:
            raise ConfigError(
                "{0} renders frames at any time from noise and does not continue given frames: "
                "drop {1} or use dcgan3d, vgan, tgan, mocogan or dvdgan",
                ("model.arch", model.arch), ("model.context_frames", model.context_frames),
            )
        check_continuous_time_options(model.arch, continuous_time_options(model))
        sparse_frames = model.sparse_frames or choices.SPARSE_FRAMES
        if data.frames < sparse_frames and model.arch in choices.CONTINUOUS_TIME_ARCHITECTURES:
            raise ConfigError(f"{{0}} trains on {sparse_frames} frames of each clip: {{1}} must "
                              f"be at least {sparse_frames}, or set {{2}} to a count from 2 up "
                              "to the clips' frames",
                              ("model.arch", model.arch), ("data.frames", data.frames),
                              ("model.sparse_frames", model.sparse_frames))
        if model.sparse_max_distance is not None and model.sparse_max_distance < sparse_frames - 1:
            raise ConfigError(f"{{0}} cannot hold {sparse_frames} distinct frames of a clip "
                              f"({{1}}): it must be at least {sparse_frames - 1}",
                              ("model.sparse_max_distance", model.sparse_max_distance),
                              ("model.sparse_frames", model.sparse_frames))
        self._check_task()
        check_still_background_options(model.still_background, still_background_options(model))
        if self.n_critic > 1 and self.strategy != "default":
            # The G update sits in a tf.cond, and a multi-replica optimizer update cannot.
            raise ConfigError(
                "{0} needs one replica, not {1}: use n_critic 1 there (e.g. with spectral_norm "
                "or r1_gamma)", ("n_critic", self.n_critic), ("strategy", self.strategy),
            )
        if self.mode_seeking_weight and data.batch_size < 2:
            raise ConfigError("{0} compares pairs of clips: {1} must be at least 2 (on each "
                              "replica)", ("mode_seeking_weight", self.mode_seeking_weight),
                              ("data.batch_size", data.batch_size))
        # The mode-seeking settings that shape a term that is only there with a weight.
        shaping = [("mode_seeking_pool", self.mode_seeking_pool > 1, "how"),
                   ("mode_seeking_space", self.mode_seeking_space != "pixels", "where"),
                   ("mode_seeking_steps", self.mode_seeking_steps is not None, "how long")]
        for path, is_set, what in shaping:
            if is_set and not self.mode_seeking_weight:
                raise ConfigError(f"{{0}} sets {what} the mode-seeking term compares clips: it "
                                  "needs {1} above 0", (path, getattr(self, path)),
                                  ("mode_seeking_weight", self.mode_seeking_weight))
        if self.mode_seeking_space != "pixels" and self.mode_seeking_pool > 1:
            raise ConfigError("{0} pools the frames' pixels, and {1} compares features: use one",
                              ("mode_seeking_pool", self.mode_seeking_pool),
                              ("mode_seeking_space", self.mode_seeking_space))
        if data.size % self.mode_seeking_pool:
            raise ConfigError("{0} must divide {1}: each frame is averaged over blocks of that "
                              "side", ("mode_seeking_pool", self.mode_seeking_pool),
                              ("data.size", data.size))
        return self

    def _check_task(self):
        """The rules of `model.task`: what generate refuses, what predict and interpolate need."""
        model, task = self.model, ("model.task", self.model.task)
        if model.task == "generate":
            refused = [("model.observed", model.observed is not None, model.observed),
                       ("gdl_weight", self.gdl_weight > 0, self.gdl_weight),
                       ("adversarial_weight", self.adversarial_weight == 0, self.adversarial_weight)]
            for path, bad, value in refused:
                if bad:
                    raise ConfigError("{0} needs a task that observes frames (predict or "
                                      "interpolate), not {1}", (path, value), task)
            return
        if model.observed is None:
            raise ConfigError("{0} needs {1}: how many frames the generator is given", task,
                              ("model.observed", None))
        if model.observed >= self.data.frames:
            raise ConfigError("{0} must be fewer than {1}: the generator produces the rest",
                              ("model.observed", model.observed), ("data.frames", self.data.frames))
        if model.task == "interpolate" and model.observed % 2:
            raise ConfigError("{0} must be even for {1}: half the observed frames open the clip, "
                              "half close it", ("model.observed", model.observed), task)
        # VideoPredictor is given frames instead of context or labels, and its step is one D and
        # one G update without penalties.
        # stylegan-v's discriminator judges 3 frames with their times, not a completed clip; a
        # regression-only predictor (the default) builds no discriminator, so any arch will do.
        adversarial_arch = (model.arch in choices.CONTINUOUS_TIME_ARCHITECTURES
                            and bool(self.adversarial_weight))
        unsupported = [("model.arch", adversarial_arch, model.arch),
                       ("model.context_frames", model.context_frames is not None, model.context_frames),
                       ("model.num_classes", model.num_classes is not None, model.num_classes),
                       *[(f"model.{name}", bool(value), value)
                         for name, value in continuous_time_options(model).items()],
                       ("n_critic", self.n_critic != 1, self.n_critic),
                       ("gp_weight", self.gp_weight is not None, self.gp_weight),
                       ("r1_gamma", self.r1_gamma != 0, self.r1_gamma),
                       ("mode_seeking_weight", self.mode_seeking_weight != 0,
                        self.mode_seeking_weight),
                       ("loss", self.loss == "wgan-gp", self.loss)]
        for path, bad, value in unsupported:
            if bad:
                raise ConfigError("{0} is not supported with {1}", (path, value), task)
        if self.recon_weight == 0 and self.gdl_weight == 0 and not self.adversarial_weight:
            raise ConfigError("{0}, {1} and {2} are all 0: the generator would learn nothing",
                              ("recon_weight", 0.0), ("gdl_weight", 0.0), ("adversarial_weight", 0.0))

    def effective_adversarial_weight(self):
        """`adversarial_weight`, or its task's default when it is `None` (see the attribute)."""
        if self.adversarial_weight is not None:
            return self.adversarial_weight
        return 1.0 if self.model.task == "generate" else 0.0

    def effective_g_clip_norm(self):
        """`g_clip_norm`, or its task's default when it is `None` (see the attribute); 0: never."""
        if self.g_clip_norm is not None:
            return self.g_clip_norm
        return 0.0 if self.model.task == "generate" else 0.1 * self.recon_weight

    def updated(self, settings):
        """Returns a copy with settings replaced by dotted path, e.g. `{"data.frames": 8}`.

        Setting `model.arch` to an architecture that is not continuous-time also returns the
        continuous-time options not among `settings` to their defaults: a preset's stylegan-v
        options (e.g. `small`'s `d_join_size`) are not the new architecture's, and
        `vidgen train --preset small --arch dcgan3d` should not have to undo them one by one.
        Those given alongside stay, for `check()` to refuse. Likewise turning the still
        background off returns its options (`STILL_BACKGROUND_OPTIONS`, e.g. its width) to their
        defaults unless among `settings`: `--preset small --no-still-background` has no
        background to size. And turning the mask's cover-change prior off (`cover_change_weight`
        0) drops when it starts (`cover_change_from`) unless given: `--preset base
        --cover-change-weight 0` has no prior to start.
        """
        known = {path for path, _, _ in settings_of(TrainConfig)}
        sections = {"data": {}, "model": {}, "": {}}
        for path, value in settings.items():
            if path not in known:
                raise ConfigError("{0} is not a setting", (path, value))
            section, _, name = path.rpartition(".")
            sections[section][name] = value
        new_arch = sections["model"].get("arch")
        if new_arch is not None and new_arch not in choices.CONTINUOUS_TIME_ARCHITECTURES:
            defaults = ModelConfig()
            for name in CONTINUOUS_TIME_OPTIONS:
                sections["model"].setdefault(name, getattr(defaults, name))
        if sections["model"].get("still_background") is False:
            defaults = ModelConfig()
            for name in STILL_BACKGROUND_OPTIONS:
                sections["model"].setdefault(name, getattr(defaults, name))
        if "cover_change_weight" in sections["model"] and not sections["model"]["cover_change_weight"]:
            sections["model"].setdefault("cover_change_from", None)
        return dataclasses.replace(
            self,
            data=dataclasses.replace(self.data, **sections["data"]),
            model=dataclasses.replace(self.model, **sections["model"]),
            **sections[""],
        )

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


def settings_of(cls=TrainConfig, prefix=""):
    """Yields `(dotted path, dataclasses.Field, type)` of every leaf setting, sections flattened."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        if isinstance(hints[field.name], type) and issubclass(hints[field.name], _Checked):
            yield from settings_of(hints[field.name], f"{prefix}{field.name}.")
        else:
            yield f"{prefix}{field.name}", field, hints[field.name]


def setting_help(path):
    """The help of a setting by dotted path: its entry in its dataclass's docstring."""
    section, _, name = path.rpartition(".")
    owner = {"": TrainConfig, "data": DataConfig, "model": ModelConfig}[section]
    return field_help(owner).get(name, "")


def value_type(hint):
    """The type of a setting's values: `Optional[float]` -> float, `Union[int, str]` -> int."""
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return args[0] if args else hint


def field_help(cls):
    """`{field name: text}` from the `Attributes:` section of a config class's docstring.

    An entry may name several fields (`beta_1, beta_2: ...`) and run over indented lines.
    """
    lines = (cls.__doc__ or "").split("Attributes:", 1)[-1].splitlines()
    entries, names = {}, []
    for line in lines:
        text = line.strip()
        indent = len(line) - len(line.lstrip())
        if not text:
            continue
        head, colon, rest = text.partition(": ")
        if colon and indent <= 8 and all(n.strip().isidentifier() for n in head.split(",")):
            names = [n.strip() for n in head.split(",")]
            for name in names:
                entries[name] = rest
        elif names:
            for name in names:
                entries[name] += " " + text
    return entries


def _check_value(path, value, hint, metadata):
    kind = value_type(hint)
    if value is None:
        if type(None) in typing.get_args(hint):
            return
        raise ConfigError("{0} must be set", (path, value))
    if value in metadata.get("words", ()) and isinstance(value, str):
        return
    if not _is_a(value, kind):
        words = " or ".join(repr(word) for word in metadata.get("words", ()))
        raise ConfigError(f"{{0}} must be a {kind.__name__}" + (f" or {words}" if words else ""),
                          (path, value))
    if metadata.get("choices") is not None and value not in metadata["choices"]:
        raise ConfigError(f"{{0}} is not a choice; choose one of {list(metadata['choices'])}",
                          (path, value))
    if metadata.get("items") is not None:
        unknown = [item.strip() for item in value.split(",")
                   if item.strip() and item.strip() not in metadata["items"]]
        if unknown:
            raise ConfigError(f"{{0}} names unknown {unknown}; choose from {list(metadata['items'])}",
                              (path, value))
    for limit, holds, text in (("minimum", lambda a, b: a >= b, "at least"),
                               ("above", lambda a, b: a > b, "above"),
                               ("below", lambda a, b: a < b, "below")):
        bound = metadata.get(limit)
        if bound is not None and not holds(value, bound):
            raise ConfigError(f"{{0}} must be {text} {bound}", (path, value))


# The options only the continuous-time architectures have: each `ModelConfig` field, what takes
# it (the network whose builder, `models.stylegan_v.build_generator` / `build_discriminator`, or
# the `VideoGAN` that picks the frames it trains on: "gan"), and its keyword there.
# `models.build_video_gan` routes them by this table alone.
CONTINUOUS_TIME_OPTIONS = {
    "output_skips": ("generator", "output_skips"),
    "mapping_layers": ("generator", "mapping_layers"),
    "motion_spacing": ("generator", "motion_spacing"),
    "fourier_features": ("generator", "fourier_features"),
    "mapping_lr_multiplier": ("generator", "mapping_lr_multiplier"),
    "sparse_frames": ("discriminator", "sparse_frames"),
    "sparse_max_distance": ("gan", "sparse_max_distance"),
    "d_join_size": ("discriminator", "join_size"),
    "d_stddev_group": ("discriminator", "stddev_group"),
    "d_stddev_features": ("discriminator", "stddev_features"),
    "still_background": ("generator", "still_background"),
    "background_filters": ("generator", "background_filters"),
    "cover_change_weight": ("generator", "cover_change_weight"),
    "cover_change_from": ("generator", "cover_change_from"),
    "sprite_foreground": ("generator", "sprite_foreground"),
    "background_gate": ("generator", "background_gate"),
}


# The continuous-time options that size or shape the still background (`model.still_background`)
# and mean nothing without it: turning the background off drops them (`TrainConfig.updated`), and
# `check()` refuses them without it.
STILL_BACKGROUND_OPTIONS = ("background_filters", "cover_change_weight", "cover_change_from",
                            "sprite_foreground", "background_gate")


def still_background_options(model):
    """`{name: value}` of a `ModelConfig`'s still background options (`STILL_BACKGROUND_OPTIONS`)."""
    return {name: getattr(model, name) for name in STILL_BACKGROUND_OPTIONS}


def continuous_time_options(model):
    """`{name: value}` of a `ModelConfig`'s continuous-time options."""
    return {name: getattr(model, name) for name in CONTINUOUS_TIME_OPTIONS}


def builder_options(options):
    """`{name: value}` of continuous-time options -> `(generator keywords, discriminator keywords,
    VideoGAN keywords)`, as `CONTINUOUS_TIME_OPTIONS` routes them.

    Example:
        >>> builder_options({"output_skips": True, "d_join_size": 16, "sparse_max_distance": 8})
        ({'output_skips': True}, {'join_size': 16}, {'sparse_max_distance': 8})
    """
    keywords = {"generator": {}, "discriminator": {}, "gan": {}}
    for name, value in options.items():
        target, keyword = CONTINUOUS_TIME_OPTIONS[name]
        keywords[target][keyword] = value
    return keywords["generator"], keywords["discriminator"], keywords["gan"]


def check_continuous_time_options(arch, options):
    """Raises unless every option in `options` is off (false or `None`) or `arch` is continuous-time."""
    if arch in choices.CONTINUOUS_TIME_ARCHITECTURES:
        return
    for name, value in options.items():
        if value:
            raise ConfigError("{0} is an option of the continuous-time architectures "
                              f"({', '.join(choices.CONTINUOUS_TIME_ARCHITECTURES)}); {{1}} is "
                              "not one: drop the option or change the architecture",
                              (f"model.{name}", value), ("model.arch", arch))


def check_still_background_options(still_background, options):
    """Raises if any of `options` (`{name: value}`, `STILL_BACKGROUND_OPTIONS`) is set (not `None`
    or 0) without the still background it sizes or shapes."""
    if not still_background:
        for name, value in options.items():
            if value:
                raise ConfigError("{0} is an option of the still background (its layers or its mask), "
                                  "and with {1} there is none: turn it on (--still-background) or drop {0}",
                                  (f"model.{name}", value), ("model.still_background", still_background))
    if options.get("cover_change_from") and not options.get("cover_change_weight"):
        raise ConfigError("{0} says when the prior on the mask's cover changing starts, and {1} turns "
                          "that prior off: give it a weight or drop {0}",
                          ("model.cover_change_from", options["cover_change_from"]),
                          ("model.cover_change_weight", options.get("cover_change_weight")))


def _is_a(value, kind):
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return isinstance(value, kind)


def _dataclass_from_dict(cls, values, **extra):
    known = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"Unknown {cls.__name__} setting(s) {unknown}; known: {sorted(known)}.")
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
    # stylegan-v, not dcgan3d: in bench_quality at these shapes (20 minutes each, side by side on
    # one AMD EPYC core) it reached in-domain FVD 28.6 against dcgan3d's 38.3, all 7 colours
    # (largest 25%) against 5, crisp outlines over clean backgrounds instead of blobs on a checkered
    # one, and its 64-frame videos score the same in every 16-frame window (28.4-30.2).
    # The base preset's StyleGAN2 recipe did worse here: 1,200 steps (the job's) on one core each,
    # same extractor (2026-12-01), the EMA's FVD over steps 800-1,200 33.0 as it is, 39.5 with
    # output skips, 40.7 with bce + R1 (gamma 0.025) without spectral norm, 40.7 with all three.
    # Learning rates 4x the defaults: 1,200 steps is short, and the faster rates learned more in
    # them on all three seeds tried (2026-12-01, each arm's 1,200 steps on one AMD EPYC core,
    # same extractor): the EMA's FVD over steps 800-1,200 30.0, 31.3 and 24.0 against 33.0, 32.3
    # and 38.6, at the end 24.5, 26.6 and 19.7 against 32.0, 28.0 and 35.9, crisper outlines
    # (edge steepness 59.3, 56.1, 59.9 against 55.9, 49.9, 49.0) and both backgrounds (the larger
    # 91%, 88%, 79%, against one in 100%). 2x was ahead on one seed, behind on another.
    # 2 frames a clip for the discriminator (StyleGAN-V's 3 before) and 1,800 steps (1,200 before):
    # a step costs 0.65x, so the job takes the same time. Side by side at equal time (6.5 minutes
    # on one AMD EPYC core each, 2026-12-02, same extractor), the EMA's FVD at the end 21.6, 19.1
    # and 21.6 against 24.5, 26.6 and 19.7 on seeds 0-2, over the second half 26.9, 21.8 and 24.6
    # against 30.0, 31.3 and 24.0; the two backgrounds nearer the data's balance (larger one
    # 73%, 77%, 59% against 91%, 88%, 79%; real 52-61%), colours and outlines level; 2 of the 3
    # shapes on all three seeds (3 frames: on two).
    # StyleGAN2's mapping network: 8 layers learning at 0.01 of the generator's rate (2 at the
    # full rate before). 1,800 steps an arm on one AMD EPYC core each (Zen 3, 2026-12-02; a
    # rerun of a fixed number of steps moved by up to 3 points later: docs/quality_log.md), seeds
    # 0-2: the EMA's FVD at the end 19.9, 17.6 and 16.9 against 23.3, 19.1 and 18.3, over the
    # second half 24.6, 20.2 and 18.7 against 27.8, 21.0 and 23.7; all 3 shapes on one seed of
    # three, as before; colours and backgrounds level; its frames change a little more than the
    # real ones (7.7-8.7 levels against 7.0-7.1; before 6.5-7.1). Untried at `base` (where 8
    # layers at the full rate did worse).
    # A discriminator that joins its 2 frames at 16x16, not in its last 4x4 map (d_join_size;
    # a probe of the runs above found their discriminator judging each frame's look and next to
    # nothing of the motion). 1,800 steps an arm, seeds 0-2 (Zen 3, 2026-12-03, same extractor):
    # the EMA's FVD at the end 16.2, 15.7 and 13.1 against 19.9, 17.6 and 16.9, over the second
    # half 18.6, 17.9 and 17.1 against 24.6, 20.2 and 18.7; colours and both backgrounds as
    # before. A step costs the same (13.6 against 14.0 GFLOP). Its frames change more still
    # (8.7-11.1 levels against the data's 7.0-7.1): it did not fix the motion it was built for.
    # Joined at 32x32 (the frames, as DIGAN's motion discriminator) scored 34.9 on seed 0.
    # `base`'s still background (with its mask's wall), the whole batch's standard deviation in
    # 4 statistics and mode seeking 0.3, the background's network at half the width (128): 1,800
    # steps on seeds 0-2, one Zen 4 EPYC core each (2026-12-05, one extractor), the EMA's FVD at
    # the end 15.5, 10.7 and 10.3 against 16.5, 15.0 and 15.5, over the second half 22.9, 12.3
    # and 13.3 against 21.0, 17.4 and 19.9; the background still (0.29-0.34 levels a frame
    # against 3.2-3.5) and the striped kind drawn (34-65% of samples against 2-28%; real 48-59%).
    # A step costs 17% more (176 against 150 ms; 15.1 against 13.6 GFLOP). At the full width
    # (19.6 GFLOP, 230 ms) it scored 15.9, 8.6 and 8.9 at the end, ahead of half on seeds 1 and
    # 2, at a step 1.5x the time, which the job's minutes cannot pay for on slower CPUs. Without
    # mode seeking and the stddev (seed 0) the stripes were lost (2%, FVD 17.4); with output
    # skips in the background's network it ended at 18.4 and 36.9 on seeds 0 and 1.
    # The prior on the mask's cover changing within a clip (cover_change_weight 3.0): the same
    # seeds, machine and extractor, 1,800 steps (2026-12-05), the EMA's FVD at the end 16.0, 12.6
    # and 7.6 against 15.5, 10.7 and 10.3, over the second half 17.9, 16.1 and 11.3 against 22.9,
    # 12.3 and 13.3; samples whose shape comes and goes (its area changing by more than half
    # within the clip, bench_quality's shape steadiness) 7%, 38% and 29% against 25%, 61% and 56%
    # (real 0-1%). At 10.0 fewer still (0%, 2%, 31%) but slower to learn (over the second half
    # 27.9, 17.7 and 25.3).
    # Motion anchors 32 frames apart (motion_spacing, not 8): the motion code is a straight line
    # between two, so at 8 a shape changed pace every 8 frames and idled, then darted; the data's
    # keep their speed. The same seeds, machine and extractor, 1,800 steps (2026-12-05), the EMA's
    # FVD at the end 12.9, 11.9 and 9.9 against 16.0, 12.6 and 7.6, over the second half 16.8,
    # 17.5 and 13.1 against 17.9, 16.1 and 11.3; samples whose shape comes and goes 7%, 5% and 4%
    # against 7%, 38% and 29%, leaps over a fifth of the frame between two frames 19%, 5% and 21%
    # against 18%, 38% and 55% (real 0%), the shape's colour straying 17-20 levels against 20-41
    # (real 12-13), its pace less uneven (0.54-0.62 against 0.66-0.72; real 0.28-0.31). At 64
    # (seed 0) 14.4 and 17.7, as steady. A third judged frame (sparse_frames 3, a step ~1.25x the
    # time) neither evened the pace (0.67, 0.69) nor learned faster (second half 29.7 and 13.1).
    # A sprite foreground (sprite_foreground): the foreground and its mask drawn once a clip and
    # moved by a shift a frame from the motion code, so a shape keeps its outline, colour and size.
    # The same seeds, machine and extractor, 1,800 steps (2026-12-06), the EMA's FVD at the end
    # 14.6, 11.9 and 8.7 against 12.9, 11.9 and 9.9, over the second half 14.9, 16.0 and 11.6
    # against 16.8, 17.5 and 13.1; shapes leaping a fifth of the frame 5%, 4% and 3% against
    # 19%, 5% and 21%, their colour straying 9.9-14.4 levels against 16.3-20.0 (real 12-13), but
    # coming and going (cut at the frame's edges) in 11%, 23% and 14% against 7%, 5% and 4%. A
    # step costs 9.0 GFLOP against 15.1 (130 against 190 ms on a core). Its path then bent back
    # within the frame (`SineBound`) and its mask given a floor (same seeds, machine, extractor):
    # nothing coming and going (0% on all three), the FVD at the end 12.0, 9.0 and 7.4, over the
    # second half 15.1, 10.9 and 10.6, the colours 6-7 of 7 (largest 20-25%), but leaping in 13%,
    # 39% and 7% of the samples.
    # Three judged frames a clip within 8 frames of each other (sparse_frames 3,
    # sparse_max_distance 8; two anywhere in the clip before): near frames show a shape's pace,
    # where two far apart fit any path between them. With the sprite a judged frame costs only
    # the discriminator's share (136 against 132 ms a step). Seeds 0-3, 1,800 steps, one Zen 4
    # core each (2026-12-06, the same extractor): leaps in 2%, 4%, 8% and 3% of the samples
    # against 13%, 39%, 7% and 8% (real 0%), the EMA's FVD at the end 12.9, 8.1, 6.6 and 8.8
    # against 12.0, 9.0, 7.4 and 8.0 (9.1 averaged, both), over the second half 16.8, 11.0, 8.0
    # and 10.3 against 15.1, 10.9, 10.6 and 10.4 (11.5 against 11.8); 7 colours of 7 on three
    # seeds, 6 on the fourth (before: on three, 6 on seed 0). Two frames within 8 cut seed 1's
    # leaps as well (7%) but not seed 0's or 2's (14%, 11%), and three anywhere (seed 1: 8%)
    # learned slower (13.1 over the second half).
    "small": dict(
        data=dict(frames=16, size=32, batch_size=8, shapes_videos=256),
        model=dict(arch="stylegan-v", latent_dim=64, g_filters=256, d_filters=32, ema_decay=0.999,
                   sparse_frames=3, sparse_max_distance=8, mapping_layers=8,
                   mapping_lr_multiplier=0.01, d_join_size=16, motion_spacing=32.0,
                   still_background=True, background_filters=128, cover_change_weight=3.0,
                   sprite_foreground=True, d_stddev_group=8, d_stddev_features=4),
        g_learning_rate=8e-4, d_learning_rate=1.6e-3, mode_seeking_weight=0.3,
        epochs=12, steps_per_epoch=150, max_minutes=6,
    ),
    # Measured by bench_quality (30 minutes, FVD of the generator itself): DVD-GAN's per-frame +
    # half-resolution discriminators at these widths beat dcgan3d at 512/64 (about 4x slower a
    # step) and at 256/32; 4,096 videos keep D from memorising the clips. stylegan-v at the same
    # widths then beat dvdgan (30 minutes each, side by side, one AMD EPYC core each): in-domain
    # FVD 21.4 against 25.4, all 7 colours (largest 22%) against 3 (61%), 1,369 steps against 995
    # (results/bench_quality_base_*.txt).
    # The EMA generator: in four 2,000-step bench_quality runs of stylegan-v (2026-12-01, each
    # scoring its EMA and G itself on the same latents), the EMA's snapshots over the second half
    # of training spanned 1-8 FVD points, G's own 5-23, at the same mean (31.2 against 32.0):
    # what a run ends with no longer depends on which step it stopped at.
    # StyleGAN2's recipe: output skips in G, its loss and regulariser (bce, lazy R1 with gamma
    # 0.0002 * 64^2 / 16 every 16 D steps) and no spectral norm. Against hinge + spectral norm
    # with one RGB output, two seeds of 30 minutes side by side (2026-12-01, one AMD EPYC core
    # each): the EMA's FVD over the second half of training 21.7 and 21.5 against 32.4 and 23.9,
    # at the end 22.8 and 19.5 against 35.0 and 26.6, outlines as crisp (edge steepness 48.0 and
    # 41.5 against 41.1 and 45.6). At the main job's shapes it did worse (see "small"), so that
    # keeps hinge + spectral norm.
    # The main job's 4x learning rates, reached by a straight rise over the first 500 steps: on
    # two seeds, 2,000 steps an arm on one AMD EPYC core each (2026-12-01/02; the control
    # repeated the day before's run exactly), the EMA's FVD over the second half 14.7 and 14.0
    # against 28.3 and 15.9 at the old rates, at the end 11.4 and 9.6 against 29.3 and 13.1, all
    # 7 colours, and outlines as steep as the real clips' or steeper (edge steepness 71.6 and
    # 65.0; real 61.9 and 58.8; old rates 43.4 and 44.8). 4x without the rise ended ahead too but was
    # behind over the second half (34.7 and 17.2): without spectral norm its discriminator swung
    # hard in the first few hundred steps.
    # Batch 8, not 16: a step costs 0.56x (351 against 624 ms, bench_train, both cores of a Zen 3
    # EPYC), so at equal time it sees as many clips in twice the steps, and learns far more from
    # them. 16,000 training clips an arm (2,000 steps of 8, 1,000 of 16), seeds 0 and 1, the same
    # 64x64 extractor (2026-12-02/03): the EMA's FVD at the end 15.9 and 12.5 against 37.3 and
    # 26.4, outlines as steep as the real clips' (edge steepness 53.8 and 61.1; real 61.9 and
    # 58.8) against 22.7 and 32.7, all 7 colours (largest 29% and 23%, against 36% and 41%).
    # R1's gamma stays 0.05, as in those runs (StyleGAN2-ADA's rule would double it at batch 8).
    # Plane waves at the synthesis network's 16x16 stage (fourier_features, 32 channels turned and
    # shifted per video by its content code; StyleGAN3's input): 2,000 steps an arm, seeds 0 and
    # 1, on one Zen 3 EPYC core each (2026-12-03, same-day controls, one extractor per seed's
    # pair), the EMA's FVD at the end 13.4 and 12.3 against 21.0 and 18.4, over the second half
    # 21.8 and 18.5 against 34.5 and 32.2, outlines steeper (edge steepness 63.6 and 60.0 against
    # 56.0 and 48.1; real 61.9 and 58.8), for 2.4% more arithmetic a step. The rarer background
    # (seed 0: the striped one) is still drawn and lost, as without them.
    # VGAN's still background (its mask held to the shapes by three priors: L1, undecided
    # values, and a wall beyond half a frame), the whole batch's standard deviation in 4
    # statistics and MSGAN's mode seeking at 0.3: 30 minutes on seeds 0, 1 and 2, one Zen 4 EPYC
    # core each (2026-12-05, one extractor), the EMA's FVD at the end 10.7, 9.5 and 10.3 against
    # 15.2, 21.3 and 19.8, over the second half 11.6, 11.9 and 14.6 against 13.7, 16.4 and 19.4
    # (a second run of seed 0: 9.9 and 12.0), in 2,824-2,999 steps against 3,600-3,754 (a step
    # is about 27% dearer); the striped background kept (28-51% of the EMA's samples, real
    # 40-45%; before, 0%) and the background still (0.14-0.21 levels a frame, real 0.73-0.75;
    # before, 2.4-2.9). Its shapes are paler (saturation 90-124 against 102-175, real 208-210).
    # Without the wall, the mask turned over the background by 30 minutes (seed 0: 17.5 / 19.2);
    # without mode seeking the stripes were lost.
    # The mask's prior on its cover changing within a clip (the main job's, at 10.0), off until
    # step 1,000 and full at 2,000 (cover_change_from): from the first step, at 10.0 learning stalled
    # for 1,400 steps and at 3.0 one seed crowded its colours into four. 30 minutes on seeds 0, 1
    # and 2, one Zen 4 EPYC core each (2026-12-06, the same extractor; 2,990-3,068 steps), the
    # EMA's FVD at the end 8.9, 8.7 and 12.4 against 10.7, 9.5 and 10.3 (level on average), over
    # the second half 13.5, 12.8 and 17.3 against 11.6, 11.9 and 14.6 (it learns slower while the
    # prior rises); samples whose shape comes and goes 8%, 21% and 21% against 41% and 66% (seeds
    # 0 and 1; real 1-2%), the shape's colour straying 14.5-26.2 levels against 37.0-43.9.
    # Not adopted: its 3 judged frames within 8 of each other (sparse_max_distance 8, the main
    # job's) against anywhere in the clip, 30 minutes an arm side by side, one core each: seed 0 on
    # a Zen 4 (2026-12-06, 3,093 steps against 2,990) the EMA's FVD at the end 9.0 against 8.9, over
    # the second half 13.2 against 13.5, leaps in 15% of the samples against 20%, but paler shapes
    # (saturation 63 against 124) crowded into one colour (64% against 45%); seed 1 on a Zen 3
    # (2026-12-07, 1,727 steps against 1,723; a new extractor) 15.9 against 18.6, over the second
    # half 20.1 against 20.6, leaps 10% against 13%, saturation 106 against 100, all 7 colours
    # (largest 28%) against 5 (32%), and the 64-frame videos moving nearer the data's pace (4.0-4.3
    # levels a frame against 2.8-3.0; real 5.7). Seed 2 beside them on the Zen 3 undid it: 26.5
    # against 20.7 at the end (21.5 against 22.6 over the second half), leaps 25% against 14%, 6
    # colours (largest 40%) against 7 (34%). Mixed over three seeds: base keeps its 3 frames
    # anywhere in the clip (`--sparse-max-distance 8` gives the main job's).
    # The main job's sprite foreground with R1 at gamma 0.5 (0.05 before): each alone had lost or
    # traded at `base` (the sprite behind on two seeds, its shapes still pale on one; gamma 0.5
    # saturated shapes at an FVD level on average). Together, 30 minutes an arm side by side on
    # one Zen 3 EPYC core each (2026-12-07, 74-80 GFLOP/s, one extractor), seeds 1 and 2: the
    # EMA's FVD over the second half 10.8 and 18.6 against 21.4 and 22.6, at the end 11.8 and 20.5
    # against 16.1 and 19.6, the generator itself 8.2 and 11.5 against 42.3 and 16.5 (its curve
    # falling, not swinging); 2,470-2,487 steps against 1,779-1,801 (a step 0.7x the time); shapes
    # as saturated as never before at `base` (133 and 173 against 98 and 108; real 208-210), one
    # colour a clip (straying 4.7-5.0 levels against 17.5-25.7), nothing coming and going (0%
    # against 8% and 22%), 7 colours of 7 on both seeds (largest 24% and 30%); but softer outlines
    # (edge steepness 46-49 against 60-61; real 59-61) and one of the 3 shapes lost on seed 2.
    # Seed 0 on a Zen 4 (2026-12-07, 104 GFLOP/s a core, 4,012 steps against 2,807) went the other
    # way: 15.5 against 10.7 at the end, 21.0 against 13.3 over the second half (a second run of
    # it: 14.6 / 15.8), pale shapes (49 against 121) in 4 colours, drifting up after step 1,600.
    # Over three seeds level at the end (15.8 against 15.5), ahead over the second half (15.9
    # against 19.1), steadier shapes on all three: kept, with that drift the next question.
    # The generator's learning rate falling along a half cosine to zero at the run's last step
    # (g_lr_schedule; the discriminator's constant), and the run 2,600 steps (25,000 before, a
    # count no 30-minute budget reached, so the decay needs one it does: about 20 minutes on one
    # Zen 4 EPYC core, 30 on a Zen 3). With the sprite a slowing generator no longer lets shapes
    # come and go or change colour (what stopped it in the main job before the sprite). Seeds
    # 0-2, 2,600 steps an arm, repeatable (Grappler off, so each arm differs only by the
    # setting), side by side on one Zen 4 EPYC (2026-12-07, one extractor): the EMA's FVD at the
    # end 14.1, 15.0 and 16.4 against 30.0, 23.9 and 24.4, over the second half 10.3, 10.6 and
    # 11.7 against 21.5, 18.0 and 20.5; 7 colours of 7 on all three (largest 26-28%) against 6, 6
    # and 5 (27-55%), all 3 shapes on all three against 2, 2 and 3; outlines level (edge
    # steepness 44-49 against 41-50). Still best near step 2,000 (9.3-10.0) and up after.
    # Then 4,000 steps (20 epochs; about 30 minutes on one Zen 4 EPYC core, 45 on a Zen 3), the
    # same decay stretched over them. Seeds 0-2, repeatable, on one Zen 4 (2026-12-07, the
    # extractor above): the EMA's FVD at the end 7.2, 7.0 and 8.1 against 14.1, 15.0 and 16.4
    # (the lowest any base run has reached), still falling at the last snapshot; over the
    # second half 11.4, 10.1 and 13.8 against 10.3, 10.6 and 11.7 (that half now starts at step
    # 2,000, before the decay does its work); the shapes' pace 4.3-4.9 levels a frame against
    # 3.0-3.6 (real 4.9-5.3); 7, 6 and 7 colours of 7 (largest 24-28%), all 3 shapes. The
    # discriminator's rate falling as well lost on every seed (26.4, 25.6 and 18.4 at 2,600
    # steps, 4 colours on two seeds), its logits running away (d_loss 0.06-0.14).
    # Not adopted: 6,000 steps, the decay stretched over them (2026-12-07, same machine and
    # extractor, seeds 0-2): 7.4, 6.1 and 9.6 at the end (7.7 against 7.4 averaged), the curves
    # stopping where the rate ends; the shapes too fast on two seeds (6.5 and 9.0 levels a frame,
    # real 5.3) and leaping in 18% and 27% of the samples. Nor `background_gate` (seed 1: 10.5
    # against 7.0, the gate open on every video, backgrounds as mottled; with an L1 price on the
    # gain, 11.5: the gain followed the backgrounds, the network drew larger detail under it).
    "base": dict(
        data=dict(frames=16, size=64, batch_size=8, shapes_videos=4096),
        model=dict(arch="stylegan-v", latent_dim=128, g_filters=256, d_filters=32, ema_decay=0.999,
                   output_skips=True, spectral_norm=False, fourier_features=16,
                   still_background=True, cover_change_weight=10.0, cover_change_from=1000,
                   sprite_foreground=True, d_stddev_group=8, d_stddev_features=4),
        loss="bce", r1_gamma=0.5, r1_interval=16, mode_seeking_weight=0.3,
        g_learning_rate=8e-4, d_learning_rate=1.6e-3, lr_warmup_steps=500, g_lr_schedule="cosine",
        epochs=20, steps_per_epoch=200,
    ),
}


# What `vidgen train` runs when given no preset or config: the README's first command.
MAIN_JOB_PRESET = "small"


def preset(preset_name, /, **overrides):
    """Returns the checked `TrainConfig` of a named preset, with top-level fields overridden.

    Args:
        preset_name: a key of `PRESETS` ("tiny", "small", "base").
        **overrides: `TrainConfig` fields to replace (e.g. `epochs=3`).

    Example:
        >>> config = preset("small", epochs=2)
        >>> config.data.size
        32
    """
    if preset_name not in PRESETS:
        raise ConfigError(f"{{0}} is not a preset; choose one of {sorted(PRESETS)}",
                          ("preset", preset_name))
    config = TrainConfig.from_dict(PRESETS[preset_name])
    return dataclasses.replace(config, **overrides).check()


def parse_settings(texts):
    """Reads "path=value" strings, as the benchmarks' `--set` takes them, into the dict that
    `TrainConfig.updated` takes; each value is read as JSON, else kept as text.

    Example:
        >>> parse_settings(["data.batch_size=16", "augment=color", "model.d_join_size=null"])
        {'data.batch_size': 16, 'augment': 'color', 'model.d_join_size': None}
    """
    settings = {}
    for text in texts:
        path, equals, value = text.partition("=")
        if not equals:
            raise ConfigError("{0}: write a setting as path=value, e.g. data.batch_size=16", (path, None))
        try:
            settings[path] = json.loads(value)
        except ValueError:
            settings[path] = value
    return settings
