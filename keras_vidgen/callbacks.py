"""Callbacks that show a run in TensorBoard: grouped scalars, animated samples, hyperparameters.

Everything here runs eagerly between steps (never `tf.summary` inside `train_step`). Runs inside a
log folder: `train/` holds per-step scalars and the videos, `epoch/` the per-epoch scalars on the
same step axis, so TensorBoard draws both on one chart.
"""

import os
import time

import keras
import numpy as np
import tensorflow as tf
from tensorboard.plugins.hparams import api as hparams_api
from tensorboard.plugins.image import metadata as image_metadata

from keras_vidgen import media
from keras_vidgen.resume import global_step

# Metric name -> TensorBoard tag. Unlisted names ending in "_penalty" go under "penalty/", the
# rest under "metrics/".
SCALAR_TAGS = {
    "d_loss": "loss/d", "g_loss": "loss/g", "d_real": "d/real", "d_fake": "d/fake",
    "skipped_files": "data/skipped_files",
}


def scalar_tag(metric_name):
    """Returns the grouped TensorBoard tag of a metric name (`"d_loss"` -> `"loss/d"`)."""
    if metric_name in SCALAR_TAGS:
        return SCALAR_TAGS[metric_name]
    if metric_name.endswith("_penalty"):
        return "penalty/" + metric_name[: -len("_penalty")]
    return "metrics/" + metric_name


def write_gif_summary(tag, video, step, fps=8, description=None):
    """Writes one animated GIF to the default summary writer, shown by TensorBoard's image tab.

    `tf.summary.image` only encodes PNG stills; the image plugin itself displays any encoded
    image, so this writes the plugin's format (`[width, height, encoded...]`) with GIF bytes.

    Args:
        tag: the summary tag, e.g. `"samples/video"`.
        video: uint8 `[frames, height, width, 3]`.
        step: the step to record it at.
        fps: playback rate.
        description: optional text shown with the image.
    """
    height, width = video.shape[1:3]
    tensor = tf.constant([str(width).encode(), str(height).encode(), media.encode_gif(video, fps)])
    metadata = image_metadata.create_summary_metadata(
        display_name=tag, description=description or ""
    )
    tf.summary.write(tag, tensor, step=step, metadata=metadata)


def _epoch_is_due(epoch, every_n_epochs, params):
    """True every `every_n_epochs` epochs (0-based `epoch`) and always after the last one."""
    return (epoch + 1) % every_n_epochs == 0 or epoch + 1 == params.get("epochs")


def _learning_rate(optimizer):
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class ScalarLogger(keras.callbacks.Callback):
    """Logs losses, scores, penalties, both learning rates and throughput under grouped tags.

    Tags: `loss/d`, `loss/g`, `d/real`, `d/fake`, `penalty/<name>`, `lr/g`, `lr/d` and
    `speed/clips_per_sec`. Per-step values go to the `train` run every `update_freq` steps; they
    are the running means Keras keeps over the current epoch. Per-epoch values go to the `epoch`
    run at the epoch's last step. The learning rates are read from the GAN's own two optimizers
    (Keras's `TensorBoard` callback can only see `model.optimizer`, which a GAN does not use).

    Args:
        logdir: the run's log folder.
        batch_size: clips per step, for the throughput.
        update_freq: log per-step scalars every this many steps (0 turns them off).
    """

    def __init__(self, logdir, batch_size, update_freq=50):
        super().__init__()
        self.logdir = logdir
        self.batch_size = batch_size
        self.update_freq = update_freq
        self._writers = {}
        self._clocks = {}

    def on_train_begin(self, logs=None):
        self._writers = {
            run: tf.summary.create_file_writer(os.path.join(self.logdir, run))
            for run in ("train", "epoch")
        }
        # Each run measures throughput since its own previous write.
        start = (time.perf_counter(), global_step(self.model))
        self._clocks = {run: start for run in self._writers}

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.update_freq and step % self.update_freq == 0:
            self._write("train", logs or {}, step)

    def on_epoch_end(self, epoch, logs=None):
        self._write("epoch", logs or {}, global_step(self.model))

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()

    def _write(self, run, logs, step):
        with self._writers[run].as_default(step=step):
            for name, value in logs.items():
                tf.summary.scalar(scalar_tag(name), float(value))
            tf.summary.scalar("lr/g", _learning_rate(self.model.g_optimizer))
            if self.model.d_optimizer is not None:  # None: a predictor trained by regression alone
                tf.summary.scalar("lr/d", _learning_rate(self.model.d_optimizer))
            tf.summary.scalar("speed/clips_per_sec", self._clips_per_second(run, step))
        self._writers[run].flush()

    def _clips_per_second(self, run, step):
        now = time.perf_counter()
        started, start_step = self._clocks[run]
        self._clocks[run] = (now, step)
        return self.batch_size * (step - start_step) / max(now - started, 1e-9)


class VideoSamples(keras.callbacks.Callback):
    """Logs videos from one fixed batch of latents as animated GIFs and frame strips.

    The latents are drawn once when training begins, so every logged GIF shows the same videos
    improving (`samples/video`, `samples/frames`). Real clips, when given, are logged once at the
    start (`real/video`, `real/frames`) for comparison.

    Args:
        logdir: the run's log folder; videos go to its `train` run.
        num_samples: videos in the fixed batch (tiled into one grid GIF).
        seed: seeds the fixed latents.
        every_n_epochs: log every this many epochs (the last epoch is always logged).
        every_n_steps: also log every this many steps (0: only at epoch ends).
        real_clips: optional uint8 `[n, frames, height, width, 3]` real clips.
        fps: GIF playback rate.
    """

    def __init__(self, logdir, num_samples=8, seed=0, every_n_epochs=1, every_n_steps=0,
                 real_clips=None, fps=8):
        super().__init__()
        self.logdir = logdir
        self.num_samples = num_samples
        self.seed = seed
        self.every_n_epochs = every_n_epochs
        self.every_n_steps = every_n_steps
        self.real_clips = real_clips
        self.fps = fps
        self._writer = None
        self._latents = None

    def on_train_begin(self, logs=None):
        self._latents = self.model.latents(self.num_samples, self.seed)
        self._writer = tf.summary.create_file_writer(os.path.join(self.logdir, "train"))
        if self.real_clips is not None:
            self._log_videos("real", np.asarray(self.real_clips), global_step(self.model))

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.every_n_steps and step % self.every_n_steps == 0:
            self._log_generated(step)

    def on_epoch_end(self, epoch, logs=None):
        if _epoch_is_due(epoch, self.every_n_epochs, self.params):
            self._log_generated(global_step(self.model))

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()

    def _log_generated(self, step):
        videos = media.to_uint8(self.model.render(self._latents, context=self.real_clips)).numpy()
        self._log_videos("samples", videos, step)

    def _log_videos(self, prefix, videos, step):
        with self._writer.as_default(step=step):
            write_gif_summary(f"{prefix}/video", media.tile_videos(videos), step=step, fps=self.fps)
            tf.summary.image(f"{prefix}/frames", media.frame_strip(videos)[np.newaxis])
        self._writer.flush()


class HParamsLogger(keras.callbacks.Callback):
    """Records the run's hyperparameters and final metrics for TensorBoard's HPARAMS tab.

    Args:
        logdir: the run's log folder (hyperparameters go to its `hparams` run).
        hparams: a flat dict of name -> bool, int, float or str (e.g. from
            `flatten_hparams(config.to_dict())`).
    """

    def __init__(self, logdir, hparams):
        super().__init__()
        self.logdir = logdir
        self.hparams = hparams
        self._writer = None

    def on_train_begin(self, logs=None):
        self._writer = tf.summary.create_file_writer(os.path.join(self.logdir, "hparams"))
        metrics = [hparams_api.Metric(f"final/{tag}") for tag in SCALAR_TAGS.values()]
        with self._writer.as_default():
            hparams_api.hparams_config(
                hparams=[hparams_api.HParam(name) for name in self.hparams], metrics=metrics
            )
            hparams_api.hparams(self.hparams)

    def on_epoch_end(self, epoch, logs=None):
        # Written every epoch so an interrupted run still shows its latest metrics.
        with self._writer.as_default(step=global_step(self.model)):
            for name, value in (logs or {}).items():
                tf.summary.scalar(f"final/{scalar_tag(name)}", float(value))
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()


def flatten_hparams(values, prefix=""):
    """Flattens a nested dict to `{"data.frames": 16, ...}`; None becomes the string "None"."""
    flat = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_hparams(value, prefix=f"{name}."))
        else:
            flat[name] = value if isinstance(value, (bool, int, float, str)) else str(value)
    return flat


class FVDMonitor(keras.callbacks.Callback):
    """Computes FVD and KVD against held-out real clips every N epochs; keeps the best checkpoint.

    Real features are computed once at the start. Generated videos come from fixed seeds, so
    successive values differ only by training. Class-conditional models generate the classes in
    turn; frame-conditional models continue the first frames of the held-out clips (cycled), as
    video-prediction FVD is measured, and predictors (`VideoPredictor`) complete them (observed
    frames + produced ones). Logged as `metrics/fvd` and `metrics/kvd` in the `epoch`
    run.

    Args:
        logdir: the run's log folder.
        real_videos: uint8 `[n, frames, height, width, 3]` held-out real clips.
        extractor: a feature extractor (`keras_vidgen.metrics.load_extractor`).
        num_samples: generated videos per evaluation.
        every_n_epochs: evaluate every this many epochs (and after the last).
        best_checkpoint: if set, the model is saved there whenever FVD improves.
    """

    def __init__(self, logdir, real_videos, extractor, num_samples=256, every_n_epochs=1,
                 best_checkpoint=None):
        super().__init__()
        self.logdir = logdir
        self.real_videos = real_videos
        self.extractor = extractor
        self.num_samples = num_samples
        self.every_n_epochs = every_n_epochs
        self.best_checkpoint = best_checkpoint
        self.best_fvd = float("inf")
        self.history = []
        self._real_features = None
        self._writer = None

    def on_train_begin(self, logs=None):
        self._real_features = self.extractor(self.real_videos)
        self._writer = tf.summary.create_file_writer(os.path.join(self.logdir, "epoch"))

    def on_epoch_end(self, epoch, logs=None):
        if not _epoch_is_due(epoch, self.every_n_epochs, self.params):
            return
        from keras_vidgen.metrics import evaluate_features

        context = self.real_videos if self.model.context_frames else None
        videos = self.model.generate(self.num_samples, seed=0, context=context)
        result = evaluate_features(
            self.extractor(videos), self._real_features, self.extractor.name, videos.shape
        )
        self.history.append(dict(result, epoch=epoch + 1))
        with self._writer.as_default(step=global_step(self.model)):
            tf.summary.scalar("metrics/fvd", result["fvd"])
            tf.summary.scalar("metrics/kvd", result["kvd"])
        self._writer.flush()
        if logs is not None:
            logs.update(fvd=result["fvd"], kvd=result["kvd"])
        if result["fvd"] < self.best_fvd:
            self.best_fvd = result["fvd"]
            if self.best_checkpoint:
                self.model.save(self.best_checkpoint)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()


class StepTimer(keras.callbacks.Callback):
    """Records the wall time of every training step, each from the end of the one before (an
    epoch's first from its own start), so what happens between steps counts (waiting for the
    input pipeline, other callbacks' per-step work) and the epochs' ends do not; leaves out
    `fit()`'s start-up and teardown, which over tf.data can take ~9 s more than its steps.

    Args:
        clock: seconds from a fixed point (`time.perf_counter`; tests pass their own).
    """

    def __init__(self, clock=time.perf_counter):
        super().__init__()
        self.clock = clock
        self.seconds = []
        self._last_end = None

    def on_epoch_begin(self, epoch, logs=None):
        self._last_end = None

    def on_train_batch_begin(self, batch, logs=None):
        if self._last_end is None:
            self._last_end = self.clock()

    def on_train_batch_end(self, batch, logs=None):
        now = self.clock()
        self.seconds.append(now - self._last_end)
        self._last_end = now


class TimeLimit(keras.callbacks.Callback):
    """Stops training cleanly once a wall-clock budget is spent (checked after every step), and
    says up front what the budget will cut on this machine.

    When training starts it prints the budget; once the first steps are timed (after tracing),
    how long the run's remaining steps take here and, if that is over budget, about where the
    budget will stop it; at each later epoch's start, again if the forecast has moved by more
    than `MOVED` of the run's steps; when it does stop a run, after how many steps. Machines
    differ ~7x in matmul rate and up to 27x more without oneDNN, so a fixed step count alone
    could mean 4 minutes on one and 8 hours on another. The epoch in progress ends early, so
    epoch-end callbacks (checkpoints, samples) still run.

    Steps are timed by a `StepTimer`, so they include what happens between steps. The first
    estimate, the median of `timed_steps` steps, cannot include the epoch-end callbacks yet; the later ones
    divide the wall time since tracing by the steps since, which does. (Timed from each
    batch's begin to its end, on a 2-core Zen 3 the first estimate said 226 ms a step and about
    1,544 steps where the run averaged 267 ms and stopped at 1,350.)

    Args:
        minutes: the budget.
        timed_steps: steps after the first two (which trace the graph) whose median time is the
            first estimate.
        clock: seconds from a fixed point (`time.monotonic`; tests pass their own).
        total_steps: the run's steps, when `fit()`'s own count is not the run's (a resumed run
            finishes a partial epoch in a `fit()` of its own); `None`: `fit()`'s epochs x steps.
    """

    # Steps that would take this many times the budget (or a minute) are not a plan but a bound.
    OPEN_ENDED = 1000
    # A new forecast is printed when the steps it says the budget reaches move by this share of
    # the run's steps.
    MOVED = 0.03
    TRACING_STEPS = 2

    def __init__(self, minutes, timed_steps=6, clock=time.monotonic, total_steps=None):
        super().__init__()
        self.minutes = minutes
        self.total_steps = total_steps
        self.timed_steps = timed_steps
        self.clock = clock
        self.stopped_at_step = None
        self.estimate = None
        self.forecasts = []  # every forecast printed, the first (`estimate`) included
        self._deadline = None
        self._timer = StepTimer(clock)  # the first steps' times, until the first estimate
        self._traced = None  # (clock, global step) once the tracing steps are done
        self._reached = None  # the steps the last forecast printed said the budget reaches

    def on_train_begin(self, logs=None):
        if self._deadline is not None:
            return  # a resumed run's second `fit()` (see `resume.fit_resumable`): one budget
        self._deadline = self.clock() + 60 * self.minutes
        print(f"Training for at most {self.minutes:g} minutes (max_minutes; `vidgen train "
              "--no-time-limit` lifts it).", flush=True)

    def on_train_batch_begin(self, batch, logs=None):
        if self.estimate is None:
            self._timer.on_train_batch_begin(batch)

    def on_train_batch_end(self, batch, logs=None):
        now = self.clock()
        if self.estimate is None:
            self._timer.on_train_batch_end(batch)
            seconds = self._timer.seconds
            if len(seconds) == self.TRACING_STEPS:
                self._traced = (now, global_step(self.model))
            if len(seconds) == self.TRACING_STEPS + self.timed_steps:
                self.estimate = self._forecast(np.median(seconds[self.TRACING_STEPS:]), now)
        if now >= self._deadline and not self.model.stop_training:
            self.model.stop_training = True
            self.stopped_at_step = global_step(self.model)
            # Otherwise the run would end with no word of why (the estimate is only an estimate).
            print("\n" + self._stop_message(), flush=True)

    def on_epoch_begin(self, epoch, logs=None):
        if self.estimate is None:
            self._timer.on_epoch_begin(epoch)
            return
        if self.model.stop_training:
            return
        now = self.clock()
        traced_at, traced_step = self._traced
        done = global_step(self.model)
        if done > traced_step:
            self._forecast((now - traced_at) / (done - traced_step), now,
                           lead=f"After {done:,} steps, {{0}} counting the epochs' ends")

    def _forecast(self, step_seconds, now, lead="{0}"):
        """Prints and returns the forecast at `step_seconds` a step (`lead` says what was timed),
        the first time or when it has moved by more than `MOVED` of the run's steps (else
        returns `None`)."""
        done = global_step(self.model)
        total = self.total_steps or self.params["epochs"] * self.params["steps"]
        reached = min(total, done + int((self._deadline - now) / max(step_seconds, 1e-9)))
        if self._reached is not None and abs(reached - self._reached) <= self.MOVED * total:
            return None
        self._reached = reached
        text = self._describe(lead.format(f"{1000 * step_seconds:.0f} ms a step here"),
                              step_seconds, now, done, total, reached)
        self.forecasts.append(text)
        print("\n" + text, flush=True)  # on its own line, below fit's progress bar
        return text

    def _stop_message(self):
        budget = f"The {self.minutes:g}-minute budget"
        if self.estimate is None:
            return (f"{budget} ran out after {self.stopped_at_step:,} steps, before the step time "
                    "was measured (the first two steps trace the graph): raise max_minutes.")
        return (f"{budget} stopped training after {self.stopped_at_step:,} steps "
                "(`vidgen train --no-time-limit` lifts it).")

    def _describe(self, lead, step_seconds, now, done, total, reached):
        remaining = max(0, total - done)
        needed = remaining * step_seconds / 60
        left = (self._deadline - now) / 60
        if needed > self.OPEN_ENDED * max(left, 1):
            # A step count set only to never be reached (a run stopped by its budget alone):
            # how long it would take means nothing, where the budget stops it does.
            return (f"{lead}: the {self.minutes:g}-minute budget stops training after about "
                    f"{reached:,} steps.")
        text = f"{lead}: the remaining {remaining:,} steps take about {needed:.1f} minutes"
        if needed <= left:
            return text + f", within the {self.minutes:g}-minute budget."
        return (text + f"; the {self.minutes:g}-minute budget stops training after about "
                f"{reached:,} of {total:,} steps. `vidgen doctor` shows why this "
                "machine is slower.")


class SkippedFilesLogger(keras.callbacks.Callback):
    """Reports the videos skipped (`on_error="skip"`) in each epoch, and resets the count.

    The count goes into the epoch's logs as `skipped_files` (so `ScalarLogger`, if it comes after
    this one, plots it as `data/skipped_files`) and to the `keras_vidgen.data` logger when it is
    not zero.

    Args:
        skipped: the `keras_vidgen.data.SkippedFiles` passed to `video_dataset`.
    """

    def __init__(self, skipped):
        super().__init__()
        self.skipped = skipped

    def on_epoch_end(self, epoch, logs=None):
        count = self.skipped.reset()
        if logs is not None:
            logs["skipped_files"] = count
        if count:
            from keras_vidgen.data.policies import logger

            logger.warning(
                "Epoch %d: skipped %d clip(s) of unreadable videos (%d distinct files so far).",
                epoch + 1, count, len(self.skipped.reasons),
            )
