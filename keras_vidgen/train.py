"""`train(config)`: data -> models -> compile -> fit -> checkpoint -> export, from one config.

The config is checked first, and the data listed, labelled and validated, before the run writes
anything. Groups of settings are handed on by name (`DataConfig` fields to `video_dataset`,
`ModelConfig` fields to `build_video_gan`, `TrainConfig` fields to `VideoGAN.compile`), so a new
setting reaches the function that takes an argument of its name without an edit here.
"""

import dataclasses
import inspect
import math
import os
import shutil
import time
from typing import Optional

import keras
import tensorflow as tf

from keras_vidgen import callbacks as vidgen_callbacks
from keras_vidgen import config as vidgen_config
from keras_vidgen import data as vidgen_data
from keras_vidgen import distribute, export, media, models, prediction_monitor, resume
from keras_vidgen.errors import ConfigError


@dataclasses.dataclass
class TrainResult:
    """What a run produced and where.

    Attributes:
        model: the trained `VideoGAN`.
        run_dir: folder of this run: `config.json`, `checkpoint.keras`, `samples.gif`, `logs/`.
        logdir: the TensorBoard folder (`tensorboard --logdir` it).
        checkpoint: the `.keras` file of the final model (both networks and optimizers).
        export_path: the SavedModel version folder, or `None` if exporting was off.
        sample_path: a GIF of generated videos.
        data_path: the videos trained on (the built-in data set's cache folder if none was given).
        seconds: wall time of the whole run.
        class_index: `class_index.json` in the run folder when labels were on, else `None`.

    On a worker other than the chief (worker 0) of a multi-worker run, only `model`, `data_path`
    and `seconds` are set: the chief writes the run's files.
    """

    model: keras.Model
    run_dir: Optional[str]
    logdir: Optional[str]
    checkpoint: Optional[str]
    export_path: Optional[str]
    sample_path: Optional[str]
    data_path: str
    seconds: float
    class_index: Optional[str] = None


def train(config, extra_callbacks=()):
    """Trains a video GAN as `config` describes and writes every output of the run.

    Args:
        config: a `keras_vidgen.config.TrainConfig`.
        extra_callbacks: more Keras callbacks for `fit`.

    Returns:
        A `TrainResult`.

    Example:
        >>> from keras_vidgen.config import preset
        >>> result = train(preset("small", epochs=2))
        >>> result.export_path
        'saved_models/vidgen/1'
    """
    config.check()
    started = time.time()
    seed_run(config)
    strategy = distribute.make_strategy(config.strategy)
    data_path = resolve_data(config)
    source, class_names = labelled_source(config, data_path)
    skipped = vidgen_data.SkippedFiles()
    source = validated_source(config, source, skipped)
    # Only the chief writes where the user looks; other workers write to scratch folders.
    chief = distribute.is_chief()
    run_dir = _new_run_dir(config.logdir, config.name) if chief else distribute.scratch_dir()
    config.save(os.path.join(run_dir, "config.json"))
    class_index_path = None
    if class_names:
        class_index_path = vidgen_data.save_class_index(
            os.path.join(run_dir, vidgen_data.CLASS_INDEX_FILE), class_names
        )

    def make_dataset():
        # A new dataset object per use: a reshuffling tf.data pipeline gives each new iterator
        # of one object a different order, which would make a resumed stream differ.
        return build_dataset(config, source, skipped)

    with strategy.scope():
        model = build_model(config, class_names=class_names)
    logdir = os.path.join(run_dir, "logs")
    checkpoint = os.path.join(run_dir, "checkpoint.keras")
    # A bad file met in tf.data stops it with a message; this raises the typed error instead.
    with skipped.raise_recorded():
        real_clips = _first_clips(make_dataset(), config.num_samples)
        # What the TensorBoard samples show: these clips (generate), or held-out ones completed.
        monitored = prediction_monitor.monitored_clips(config, real_clips)
        resume.fit_resumable(
            model,
            make_dataset,
            epochs=config.epochs,
            steps_per_epoch=config.steps_per_epoch,
            callbacks=[
                vidgen_callbacks.SkippedFilesLogger(skipped),  # first: it adds the count to the logs
                *monitoring_callbacks(config, logdir, real_clips=monitored),
                keras.callbacks.ModelCheckpoint(checkpoint),
                *extra_callbacks,
            ],
            backup_dir=config.backup_dir,
            backup_every=config.backup_every,
        )
    export_path = None
    if config.export_dir:
        export_base = os.path.join(config.export_dir if chief else run_dir, config.name)
        # The model carries its class names into the export (class_index.json).
        export_path = export.export_generator(model, export_base, config=config)
    if not chief:
        # Its checkpoint and export were only its part in the collective saves: the chief's
        # copies are the run's outputs, so nothing of this worker's is left behind.
        shutil.rmtree(run_dir, ignore_errors=True)
        return TrainResult(model, None, None, None, None, None, data_path,
                           seconds=time.time() - started)
    if config.model.task == "generate":
        context = real_clips if model.context_frames else None
        samples = media.tile_videos(model.generate(config.num_samples, seed=config.seed, context=context))
    else:  # real clips beside the same clips completed by the model
        samples = prediction_monitor.completed_samples(model, monitored, config.seed)
    sample_path = media.write_video(os.path.join(run_dir, "samples.gif"), samples)
    return TrainResult(
        model, run_dir, logdir, checkpoint, export_path, sample_path, data_path,
        seconds=time.time() - started, class_index=class_index_path,
    )


def seed_run(config):
    """Seeds Python, NumPy and TensorFlow with `config.seed`, and turns TensorFlow's graph
    optimiser off or on (for the whole process) as `config.repeatable` says."""
    keras.utils.set_random_seed(config.seed)
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": config.repeatable})


def labelled_source(config, data_path):
    """Attaches labels to the videos when `config.data.labels` asks for them.

    Returns:
        `(source, class_names)`: what `video_dataset` reads (labelled entries, or the path as it
        was), and the class names in index order (`None` without labels).

    Raises:
        ConfigError: `config.model.num_classes` differs from the number of classes found.
    """
    if not config.data.labels:
        return data_path, None
    source, class_index = vidgen_data.attach_labels(
        vidgen_data.list_videos(data_path), config.data.labels
    )
    class_names = vidgen_data.class_names(class_index)
    if len(class_names) != config.model.num_classes:
        raise ConfigError(
            f"{{0}} does not match the {len(class_names)} classes that {{1}} finds in "
            f"{data_path}: {class_names[:10]}{' ...' if len(class_names) > 10 else ''}",
            ("model.num_classes", config.model.num_classes), ("data.labels", config.data.labels),
        )
    return source, class_names


def validated_source(config, source, skipped):
    """Opens every video once, before training, when `config.data.validate` asks for it.

    `train()` builds several datasets from one source (the real clips shown in TensorBoard, one
    per `fit()` of a resumed run); validating here instead of in each of them reads the files
    once and records each skipped file once.

    Returns:
        The usable `VideoEntry` records, or `source` unchanged when validation is off.
    """
    settings = config.data
    if not settings.validate:
        return source
    return vidgen_data.usable_videos(
        source, frames=settings.frames, stride=settings.stride, fps=settings.fps,
        clips_per_video=settings.clips_per_video, short_videos=settings.short_videos,
        on_error=settings.on_error, skipped=skipped,
    )


def build_dataset(config, source, skipped):
    """Builds the training `tf.data` pipeline of `config.data` over `source`, validated already
    when `config.data.validate` is on (see `validated_source`).

    Each worker of a multi-worker run reads its own share of the files.
    """
    worker, workers = distribute.worker_index_and_count() if config.strategy == "multiworker" else (0, 1)
    options = arguments_of(vidgen_data.video_dataset, config.data)
    # `source` is validated (and labelled, when labels are on) already.
    options.update(validate=False, skipped=skipped, num_shards=workers, shard_index=worker)
    return vidgen_data.video_dataset(source, repeat=True, seed=config.seed, **options)


def build_model(config, class_names=None):
    """Builds and compiles the model a config describes: a `VideoGAN` (task "generate") or a
    `VideoPredictor` ("predict", "interpolate"), with the optimizers it names (`make_optimizer`).

    Under a tf.distribute strategy, call it inside `strategy.scope()` so that the networks and
    both optimizers' slots are created as distributed variables.

    Args:
        config: a `TrainConfig`.
        class_names: the classes' names in index order, kept by the model (class-conditional).
    """
    # Layers take the global dtype policy when built; restore it so nothing else is affected.
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(config.mixed_precision or "float32")
    try:
        if config.model.task == "generate":
            model = models.build_video_gan(
                frames=config.data.frames, size=config.data.size, seed=config.seed,
                channels=1 if config.data.grayscale else 3, class_names=class_names,
                **arguments_of(models.build_video_gan, config.model),
                **vidgen_config.continuous_time_options(config.model),
            )
        else:
            model = models.build_video_predictor(
                frames=config.data.frames, size=config.data.size, seed=config.seed,
                channels=1 if config.data.grayscale else 3,
                adversarial=config.effective_adversarial_weight() > 0,
                **arguments_of(models.build_video_predictor, config.model),
            )
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    # The D optimizer counts every training step, G's every n_critic-th one.
    total_steps = config.epochs * config.steps_per_epoch
    optimizers = [
        make_optimizer(name or config.optimizer,
                       learning_rate(schedule or config.lr_schedule, rate, steps, warmup_steps),
                       config, clip_norm)
        for name, schedule, rate, steps, warmup_steps, clip_norm in (
            (config.g_optimizer, config.g_lr_schedule, config.g_learning_rate,
             max(1, total_steps // config.n_critic),
             math.ceil(config.lr_warmup_steps / config.n_critic), config.effective_g_clip_norm()),
            (config.d_optimizer, config.d_lr_schedule, config.d_learning_rate, total_steps,
             config.lr_warmup_steps, 0.0))
    ]
    if getattr(model, "discriminator", True) is None:
        optimizers[1] = None  # regression only: nothing for a D optimizer to train
    if config.mixed_precision == "mixed_float16":
        # float16 gradients underflow without loss scaling; bfloat16 has float32's range.
        optimizers = [optimizer and keras.optimizers.LossScaleOptimizer(optimizer)
                      for optimizer in optimizers]
    # The config names the optimizers (g_optimizer, d_optimizer); compile takes them built.
    options = arguments_of(model.compile, config)
    options.update(g_optimizer=optimizers[0], d_optimizer=optimizers[1])
    if "adversarial_weight" in options:  # VideoPredictor's
        options["adversarial_weight"] = config.effective_adversarial_weight()
    model.compile(jit_compile=config.jit_compile,  # Keras's own, through compile's **kwargs
                  **options)
    return model


def make_optimizer(name, rate, config, clip_norm=0.0):
    """An optimizer by name ("adam", "rmsprop", "adadelta") at learning rate `rate`.

    Adam takes `config.beta_1` and `beta_2`; RMSprop and Adadelta keep Keras's defaults
    (rho 0.9 and 0.95). Adadelta's step is scaled by the learning rate as given (Zeiler 2012
    used 1.0; Keras's default is 0.001). `clip_norm > 0` scales the gradients down to that
    global norm when larger (Keras's `global_clipnorm`).
    """
    clipping = {"global_clipnorm": clip_norm} if clip_norm else {}
    if name == "adam":
        return keras.optimizers.Adam(rate, config.beta_1, config.beta_2, **clipping)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(rate, **clipping)
    if name == "adadelta":
        return keras.optimizers.Adadelta(rate, **clipping)
    raise ConfigError("{0} is not an optimizer; choose adam, rmsprop or adadelta", ("optimizer", name))


def arguments_of(function, settings):
    """The fields of a config dataclass that `function` takes as named arguments, by name.

    Example:
        >>> arguments_of(models.build_video_gan, ModelConfig())["arch"]
        'dcgan3d'
    """
    parameters = inspect.signature(function).parameters
    return {
        field.name: getattr(settings, field.name)
        for field in dataclasses.fields(settings)
        if field.name in parameters
        and parameters[field.name].kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                            inspect.Parameter.KEYWORD_ONLY)
    }


def learning_rate(schedule, rate, steps, warmup_steps=0):
    """An optimizer's learning rate over its `steps`: `rate` itself ("constant"), or a cosine decay
    from `rate` to zero ("cosine"); with `warmup_steps`, first a straight rise from 0 to `rate`
    over that many steps. Schedules are Keras's, saved with the optimizer, so a resumed run
    continues them."""
    if schedule not in vidgen_config.LR_SCHEDULES:
        raise ValueError(
            f"Unknown lr_schedule {schedule!r}; choose one of {list(vidgen_config.LR_SCHEDULES)}.")
    if schedule == "constant" and not warmup_steps:
        return rate
    warmup = dict(warmup_target=rate, warmup_steps=warmup_steps) if warmup_steps else {}
    # Keras's CosineDecay is also the warm-up's owner; alpha=1 holds it at the top ("constant").
    return keras.optimizers.schedules.CosineDecay(
        0.0 if warmup_steps else rate, decay_steps=max(1, steps - warmup_steps),
        alpha=1.0 if schedule == "constant" else 0.0, **warmup)


def monitoring_callbacks(config, logdir, real_clips=None):
    """The TensorBoard callbacks of a run (grouped scalars, video samples, hyperparameters), and
    the time limit if one is set."""
    limit = []
    if config.max_minutes:
        limit = [vidgen_callbacks.TimeLimit(
            config.max_minutes, total_steps=config.epochs * config.steps_per_epoch)]
    if config.model.task == "generate":
        samples = vidgen_callbacks.VideoSamples(
            logdir, config.num_samples, seed=config.seed, real_clips=real_clips
        )
    else:
        samples = prediction_monitor.PredictionMonitor(logdir, real_clips, seed=config.seed)
    return limit + [
        vidgen_callbacks.ScalarLogger(logdir, config.data.batch_size),
        samples,
        vidgen_callbacks.HParamsLogger(logdir, vidgen_callbacks.flatten_hparams(config.to_dict())),
    ]


def _first_clips(dataset, count):
    batch = next(iter(dataset.take(1)))
    clips = batch[0] if isinstance(batch, (tuple, list)) else batch
    return media.to_uint8(clips[:count]).numpy()


def resolve_data(config):
    """Returns the configured video location, or the built-in moving shapes (made on first use)."""
    if config.data.data:
        return config.data.data
    # Clips twice as long as needed, so random starts give varied clips of every video.
    return vidgen_data.cached_moving_shapes(
        num_videos=config.data.shapes_videos,
        frames=2 * (config.data.frames - 1) * config.data.stride + 2,
        size=config.data.size,
        seed=config.seed,
        verbose=1,
    )


def _new_run_dir(logdir, name):
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = os.path.join(logdir, f"{name}-{stamp}")
    suffix = 1
    while os.path.exists(run_dir):
        suffix += 1
        run_dir = os.path.join(logdir, f"{name}-{stamp}-{suffix}")
    os.makedirs(run_dir)
    return run_dir
