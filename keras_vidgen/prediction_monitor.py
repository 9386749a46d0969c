"""`PredictionMonitor`: PSNR and SSIM of a predictor on one fixed batch of clips, in TensorBoard;
the clips `train()` monitors, and the completed clips it writes as its sample."""

import os

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import data, media
from keras_vidgen.callbacks import write_gif_summary
from keras_vidgen.metrics.prediction import frame_scores, summarize
from keras_vidgen.models import tasks
from keras_vidgen.resume import global_step


class PredictionMonitor(keras.callbacks.Callback):
    """Scores a `VideoPredictor` on a fixed batch of clips after every `every_n_epochs` epochs.

    Logs to the `train` run of the log folder, on the fit-step axis:

    - `prediction/psnr`, `prediction/ssim`: averaged over clips and produced frames;
    - `prediction_per_frame/psnr_01`, ... `ssim_01`, ...: per produced frame (its distance from
      the observed ones), averaged over clips;
    - `prediction/rows` (still) and `prediction/video` (GIF): for each clip a row of the real
      clip above a row of the clip completed by the model (observed frames + produced ones).

    The batch is fixed when training starts, so the numbers of different epochs compare. Pass
    clips the model does not train on (`train()` uses moving shapes of another seed when it
    trains on the built-in data set).

    Args:
        logdir: the run's log folder.
        clips: uint8 `[n, frames, height, width, channels]`, whole clips (observed + to produce).
        every_n_epochs: how often to score (the last epoch always is).
        seed: the latents' seed of an adversarial predictor.
    """

    def __init__(self, logdir, clips, every_n_epochs=1, seed=0):
        super().__init__()
        self.logdir = logdir
        self.clips = np.asarray(clips)
        self.every_n_epochs = every_n_epochs
        self.seed = seed
        self.last_summary = None
        self._writer = None

    def on_train_begin(self, logs=None):
        self._writer = tf.summary.create_file_writer(os.path.join(self.logdir, "train"))

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs == 0 or epoch + 1 == self.params.get("epochs"):
            self.log(global_step(self.model))

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()

    def log(self, step):
        """Scores the batch now and writes everything at `step`; returns the summary."""
        model = self.model
        observed, target = tasks.split_clip(self.clips, model.task, model.observed)
        produced = model.predict_frames(observed, seed=self.seed)
        summary = summarize(frame_scores(target, produced))
        completed = tasks.assemble_clip(observed, produced, model.task).numpy()
        rows = np.stack([self.clips, completed], axis=1).reshape(-1, *self.clips.shape[1:])
        with self._writer.as_default(step=step):
            for name in ("psnr", "ssim"):
                tf.summary.scalar(f"prediction/{name}", summary[name])
                for index, value in enumerate(summary[f"{name}_per_frame"]):
                    tf.summary.scalar(f"prediction_per_frame/{name}_{index + 1:02d}", value)
            tf.summary.image("prediction/rows", media.frame_strip(rows, rows.shape[1])[np.newaxis])
            write_gif_summary("prediction/video", media.tile_videos(rows, columns=2), step=step,
                              description="left: real; right: observed + predicted")
        self._writer.flush()
        self.last_summary = summary
        return summary


def monitored_clips(config, training_clips):
    """The fixed clips a predictor is scored on in TensorBoard: moving shapes of another seed
    (held out) when training on the built-in data set, else the first training clips."""
    if config.model.task == "generate" or config.data.data:
        return training_clips
    settings = config.data
    folder = data.cached_moving_shapes(
        num_videos=config.num_samples, frames=settings.frames * settings.stride,
        size=settings.size, seed=config.seed + 1,
    )
    return np.stack([
        data.load_clip(path, settings.frames, settings.size, settings.stride,
                       grayscale=settings.grayscale)
        for path in data.list_video_files(folder)
    ])


def completed_samples(model, clips, seed):
    """One video: each clip (left) beside itself completed by the predictor (right)."""
    observed, _ = tasks.split_clip(clips, model.task, model.observed)
    completed = tasks.assemble_clip(observed, model.predict_frames(observed, seed=seed), model.task)
    pairs = np.stack([clips, completed.numpy()], axis=1).reshape(-1, *clips.shape[1:])
    return media.tile_videos(pairs, columns=2)
