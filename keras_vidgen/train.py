"""`train(config)`: data -> models -> compile -> fit -> checkpoint -> export, from one config."""

import dataclasses
import os
import time

import keras

from keras_vidgen import callbacks as vidgen_callbacks
from keras_vidgen import data as vidgen_data
from keras_vidgen import export, media, models, resume


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
    """

    model: keras.Model
    run_dir: str
    logdir: str
    checkpoint: str
    export_path: str
    sample_path: str
    data_path: str
    seconds: float


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
    started = time.time()
    keras.utils.set_random_seed(config.seed)
    run_dir = _new_run_dir(config.logdir, config.name)
    config.save(os.path.join(run_dir, "config.json"))
    data_path = resolve_data(config)
    def make_dataset():
        # A new dataset object per use: a reshuffling tf.data pipeline gives each new iterator
        # of one object a different order, which would make a resumed stream differ.
        return vidgen_data.video_dataset(
            data_path,
            frames=config.data.frames,
            size=config.data.size,
            batch_size=config.data.batch_size,
            stride=config.data.stride,
            repeat=True,
            seed=config.seed,
        )

    model = build_model(config)
    logdir = os.path.join(run_dir, "logs")
    checkpoint = os.path.join(run_dir, "checkpoint.keras")
    real_clips = _first_clips(make_dataset(), config.num_samples)
    resume.fit_resumable(
        model,
        make_dataset,
        epochs=config.epochs,
        steps_per_epoch=config.steps_per_epoch,
        callbacks=[
            *monitoring_callbacks(config, logdir, real_clips=real_clips),
            keras.callbacks.ModelCheckpoint(checkpoint),
            *extra_callbacks,
        ],
        backup_dir=config.backup_dir,
        backup_every=config.backup_every,
    )
    export_path = None
    if config.export_dir:
        export_path = export.export_generator(model, os.path.join(config.export_dir, config.name))
    context = real_clips if model.context_frames else None
    samples = media.tile_videos(model.generate(config.num_samples, seed=config.seed, context=context))
    sample_path = media.write_video(os.path.join(run_dir, "samples.gif"), samples)
    return TrainResult(
        model, run_dir, logdir, checkpoint, export_path, sample_path, data_path,
        seconds=time.time() - started,
    )


def build_model(config):
    """Builds and compiles the `VideoGAN` a config describes (Adam for both networks)."""
    model = models.build_video_gan(
        config.model.arch,
        latent_dim=config.model.latent_dim,
        frames=config.data.frames,
        size=config.data.size,
        g_filters=config.model.g_filters,
        d_filters=config.model.d_filters,
        seed=config.seed,
        spectral_norm=config.model.spectral_norm,
        ema_decay=config.model.ema_decay,
        num_classes=config.model.num_classes,
        context_frames=config.model.context_frames,
    )
    model.compile(
        g_optimizer=keras.optimizers.Adam(config.g_learning_rate, config.beta_1, config.beta_2),
        d_optimizer=keras.optimizers.Adam(config.d_learning_rate, config.beta_1, config.beta_2),
        loss=config.loss,
        n_critic=config.n_critic,
        gp_weight=config.gp_weight,
        r1_gamma=config.r1_gamma,
        r1_interval=config.r1_interval,
        augment=config.augment,
        recon_weight=config.recon_weight,
    )
    return model


def monitoring_callbacks(config, logdir, real_clips=None):
    """The TensorBoard callbacks of a run (grouped scalars, video samples, hyperparameters), and
    the time limit if one is set."""
    limit = [vidgen_callbacks.TimeLimit(config.max_minutes)] if config.max_minutes else []
    return limit + [
        vidgen_callbacks.ScalarLogger(logdir, config.data.batch_size),
        vidgen_callbacks.VideoSamples(
            logdir, config.num_samples, seed=config.seed, real_clips=real_clips
        ),
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
