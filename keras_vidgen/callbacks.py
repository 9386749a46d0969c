"""Callbacks that show a run in TensorBoard: animated samples and the real learning rates.

Everything here runs eagerly between steps (never `tf.summary` inside `train_step`).
"""

import os

import keras
import numpy as np
import tensorflow as tf
from tensorboard.plugins.image import metadata as image_metadata

from keras_vidgen import media


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


class VideoSamples(keras.callbacks.Callback):
    """Logs videos from one fixed batch of latents as animated GIFs and frame strips.

    The latents are drawn once when training begins, so every logged GIF shows the same videos
    improving. Also logs both optimizers' learning rates (`lr/g`, `lr/d`), which Keras's
    `TensorBoard` callback cannot see because a GAN's optimizers are not `model.optimizer`.

    Args:
        logdir: TensorBoard folder; summaries go to its `train` run.
        num_samples: videos in the fixed batch (tiled into one grid GIF).
        seed: seeds the fixed latents.
        every_n_epochs: log every this many epochs (the last epoch is always logged).
        fps: GIF playback rate.
    """

    def __init__(self, logdir, num_samples=8, seed=0, every_n_epochs=1, fps=8):
        super().__init__()
        self.logdir = logdir
        self.num_samples = num_samples
        self.seed = seed
        self.every_n_epochs = every_n_epochs
        self.fps = fps
        self._writer = None
        self._latents = None

    def on_train_begin(self, logs=None):
        self._latents = self.model.latents(self.num_samples, self.seed)
        self._writer = tf.summary.create_file_writer(os.path.join(self.logdir, "train"))

    def on_epoch_end(self, epoch, logs=None):
        last = epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every_n_epochs and not last:
            return
        videos = media.to_uint8(self.model.generator(self._latents, training=False)).numpy()
        with self._writer.as_default():
            write_gif_summary(
                "samples/video", media.tile_videos(videos), step=epoch, fps=self.fps,
                description="Generated from the same fixed latents at every epoch.",
            )
            tf.summary.image("samples/frames", media.frame_strip(videos)[np.newaxis], step=epoch)
            tf.summary.scalar("lr/g", _learning_rate(self.model.g_optimizer), step=epoch)
            tf.summary.scalar("lr/d", _learning_rate(self.model.d_optimizer), step=epoch)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()


def _learning_rate(optimizer):
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class SkippedFilesLogger(keras.callbacks.Callback):
    """Reports the videos skipped (`on_error="skip"`) in each epoch, and resets the count.

    The count goes into the epoch's logs as `skipped_files` (so the TensorBoard callback, if it
    comes after this one, plots it) and to the `keras_vidgen.data` logger when it is not zero.

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
