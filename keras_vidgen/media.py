"""Pixels and media files: the one place that converts between model outputs and things people see.

Model outputs are float videos in [-1, 1] shaped `[batch, frames, height, width, channels]`. This
module turns them into uint8, tiles them into grids, and writes animated GIFs and MP4 files.
"""

import io
import os

import cv2
import numpy as np
import tensorflow as tf
from PIL import Image

from keras_vidgen.errors import ConfigError


def to_uint8(videos):
    """Maps float pixels in [-1, 1] to uint8 in [0, 255] with core TensorFlow ops only.

    Only core ops are used so that the same function can sit inside an exported SavedModel.

    Args:
        videos: float tensor of any shape with values in [-1, 1] (values outside are clipped).

    Returns:
        A uint8 tensor of the same shape.
    """
    videos = tf.convert_to_tensor(videos, tf.float32)
    scaled = tf.round((tf.clip_by_value(videos, -1.0, 1.0) + 1.0) * 127.5)
    return tf.cast(scaled, tf.uint8)


def to_float(videos):
    """Maps uint8 pixels in [0, 255] to float32 in [-1, 1]: the inverse of `to_uint8`, core TF only.

    Args:
        videos: a uint8 (or other integer) tensor of any shape; a float one is taken as in
            [-1, 1] already and only cast to float32.

    Returns:
        A float32 tensor of the same shape.
    """
    videos = tf.convert_to_tensor(videos)
    if videos.dtype.is_floating:
        return tf.cast(videos, tf.float32)
    return tf.cast(videos, tf.float32) / 127.5 - 1.0


def tile_videos(videos, columns=None):
    """Tiles a batch of videos into one video whose frames are grids.

    Args:
        videos: uint8 array `[n, frames, height, width, channels]`.
        columns: videos per row; defaults to `ceil(sqrt(n))`.

    Returns:
        uint8 array `[frames, rows * height, columns * width, channels]`; empty cells are black.
    """
    videos = np.asarray(videos)
    n, frames, height, width, channels = videos.shape
    columns = columns or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / columns))
    padded = np.zeros((rows * columns, frames, height, width, channels), videos.dtype)
    padded[:n] = videos
    grid = padded.reshape(rows, columns, frames, height, width, channels)
    grid = grid.transpose(2, 0, 3, 1, 4, 5)
    return grid.reshape(frames, rows * height, columns * width, channels)


def frame_strip(videos, max_frames=8):
    """Lays out each video as a row of frames: one still image for quick comparison.

    Args:
        videos: uint8 array `[n, frames, height, width, channels]`.
        max_frames: at most this many evenly spaced frames per video.

    Returns:
        uint8 array `[n * height, k * width, channels]`.
    """
    videos = np.asarray(videos)
    frames = videos.shape[1]
    picked = np.linspace(0, frames - 1, min(frames, max_frames)).round().astype(int)
    rows = [np.concatenate(list(video[picked]), axis=1) for video in videos]
    return np.concatenate(rows, axis=0)


def encode_gif(video, fps=8):
    """Encodes one video as animated GIF bytes that loop forever.

    Args:
        video: uint8 array `[frames, height, width, 3 or 1]`.
        fps: playback rate.

    Returns:
        The GIF file's bytes.
    """
    video = np.asarray(video)
    if video.dtype != np.uint8:
        raise ValueError(f"encode_gif expects uint8 frames, got {video.dtype}")
    if video.shape[-1] == 1:
        video = np.repeat(video, 3, axis=-1)
    images = [Image.fromarray(frame) for frame in video]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=max(1, round(1000 / fps)),
        loop=0,
    )
    return buffer.getvalue()


def write_video(path, video, fps=8):
    """Writes one video to `path`; the extension picks the format (.gif, .mp4, .avi, .png).

    `.png` writes a still strip of frames; `.mp4` uses the mp4v codec and `.avi` MJPG, both
    through OpenCV, so no extra encoder is needed.

    Args:
        path: output file; parent folders are created.
        video: uint8 array `[frames, height, width, 3]` in RGB order.
        fps: playback rate.

    Returns:
        The path written.
    """
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    video = np.asarray(video)
    if extension == ".gif":
        with open(path, "wb") as file:
            file.write(encode_gif(video, fps))
    elif extension == ".png":
        _write_png(path, frame_strip(video[np.newaxis]))
    elif extension in (".mp4", ".avi"):
        _write_with_opencv(path, video, fps, "mp4v" if extension == ".mp4" else "MJPG")
    else:
        raise ConfigError(f"Cannot write {path!r}: use a .gif, .mp4, .avi or .png file name.")
    return path


def write_videos(path, videos, fps=8, columns=None):
    """Writes a batch of videos to one file: a tiled grid video, or for `.png` a still frame grid.

    Args:
        path: output `.gif`, `.mp4`, `.avi` (grid video) or `.png` (one row of frames per video).
        videos: uint8 array `[n, frames, height, width, 3]`.
        fps: playback rate.
        columns: videos per row of the grid video; defaults to a square-ish grid.

    Returns:
        The path written.
    """
    path = os.fspath(path)
    if path.lower().endswith(".png"):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        _write_png(path, frame_strip(videos))
        return path
    return write_video(path, tile_videos(videos, columns), fps)


def _write_png(path, image):
    if not cv2.imwrite(path, cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
        raise OSError(f"OpenCV could not write {path}")


def _write_with_opencv(path, video, fps, fourcc):
    height, width = video.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"OpenCV could not open {path} for writing with codec {fourcc}")
    try:
        for frame in video:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
