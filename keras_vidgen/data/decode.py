"""Decoding clips from video bytes with OpenCV, without temporary files.

Bytes are read through `tf.io.gfile` (any registered scheme) and handed to OpenCV's FFmpeg backend
as an in-memory stream (OpenCV >= 4.11). Frame counts in container metadata are only a hint: real
files often report more (or fewer) frames than they hold, so decoding always reads until the
decoder stops and never trusts `CAP_PROP_FRAME_COUNT` alone.
"""

import contextlib
import io

import cv2
import numpy as np
import tensorflow as tf


class VideoDecodeError(ValueError):
    """A video file could not be read or decoded; the message names the file and the reason."""

    def __init__(self, path, reason):
        super().__init__(f"Cannot decode video {path!r}: {reason}")
        self.path = path
        self.reason = reason


def read_bytes(path):
    """Reads a whole file through `tf.io.gfile`, so remote schemes work like local paths."""
    try:
        with tf.io.gfile.GFile(path, "rb") as file:
            return file.read()
    except tf.errors.OpError as error:
        raise VideoDecodeError(path, error.message) from None


@contextlib.contextmanager
def open_capture(data, path):
    """Opens an OpenCV capture on in-memory video bytes, released on exit.

    OpenCV's capture only borrows the Python stream it reads from: if the stream object is freed
    first, decoding reads freed memory and crashes the process (seen with OpenCV 4.11 after a few
    hundred clips). This context keeps the stream alive until the capture is released.

    Args:
        data: the file's bytes.
        path: the file's name, used in error messages only.

    Yields:
        An opened `cv2.VideoCapture`.

    Raises:
        VideoDecodeError: the bytes are empty or no decoder accepts them.
    """
    if not data:
        raise VideoDecodeError(path, "the file is empty (0 bytes)")
    stream = io.BytesIO(data)
    capture = cv2.VideoCapture(stream, cv2.CAP_FFMPEG, [])
    try:
        if not capture.isOpened():
            raise VideoDecodeError(
                path, "no decoder recognises it (not a video, or an unknown codec)"
            )
        yield capture
    finally:
        capture.release()
        del stream


def read_frames(capture, count):
    """Reads up to `count` frames as RGB uint8 arrays; fewer if the decoder stops first."""
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(to_rgb(frame))
    return frames


def to_rgb(frame):
    """Converts an OpenCV frame (gray, BGR or BGRA) to an RGB uint8 array `[H, W, 3]`."""
    if frame.dtype != np.uint8:
        frame = cv2.convertScaleAbs(frame, alpha=255.0 / max(1, np.iinfo(frame.dtype).max))
    if frame.ndim == 2 or frame.shape[-1] == 1:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if frame.shape[-1] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def skip_frames(capture, count):
    """Advances past `count` frames with `grab()`, which skips colour conversion; returns how many."""
    skipped = 0
    while skipped < count and capture.grab():
        skipped += 1
    return skipped


def decode_clip(data, path, frames, stride=1, rng=None):
    """Decodes one clip of `frames` frames, `stride` apart, from a random start.

    Frames before the start are skipped with `grab()` so the cost follows the frames used.
    A video shorter than one clip is looped (frames repeat from the beginning).

    Args:
        data: the file's bytes.
        path: the file's name, for error messages.
        frames: frames in the clip.
        stride: take every `stride`-th frame.
        rng: a `numpy.random.Generator` for the start; `None` starts at frame 0.

    Returns:
        uint8 array `[frames, height, width, 3]` in RGB order.

    Raises:
        VideoDecodeError: the file cannot be decoded or holds no frame.
    """
    span = (frames - 1) * stride + 1
    with open_capture(data, path) as capture:
        reported = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        start = _random_start(reported - span, rng)
        skipped = skip_frames(capture, start)
        decoded = read_frames(capture, span) if skipped == start else []
    if len(decoded) < span:
        # The metadata overstated the length, or the video is short: decode what is really there.
        decoded = _decode_all(data, path)
        start = _random_start(len(decoded) - span, rng)
        decoded = decoded[start:start + span]
    picked = [decoded[i % len(decoded)] for i in range(0, span, stride)]
    if len({frame.shape for frame in picked}) > 1:
        raise VideoDecodeError(path, "its frames change size mid-stream")
    return np.stack(picked)


def _decode_all(data, path):
    with open_capture(data, path) as capture:
        frames = read_frames(capture, count=np.iinfo(np.int64).max)
    if not frames:
        raise VideoDecodeError(path, "the decoder returned no frame (truncated or corrupt file)")
    return frames


def _random_start(last_start, rng):
    if rng is None or last_start <= 0:
        return 0
    return int(rng.integers(0, last_start + 1))


def resize_clip(clip, size, rng=None):
    """Resizes the shorter side to `size`, then crops a `size` x `size` square.

    Args:
        clip: uint8 array `[frames, height, width, 3]`.
        size: output height and width.
        rng: a `numpy.random.Generator` for a random crop; `None` crops the centre.

    Returns:
        uint8 array `[frames, size, size, 3]`; the same crop for every frame.
    """
    height, width = clip.shape[1:3]
    scale = size / min(height, width)
    new_height = max(size, round(height * scale))
    new_width = max(size, round(width * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    top = _crop_offset(new_height - size, rng)
    left = _crop_offset(new_width - size, rng)
    resized = [
        cv2.resize(frame, (new_width, new_height), interpolation=interpolation) for frame in clip
    ]
    return np.stack([frame[top:top + size, left:left + size] for frame in resized])


def _crop_offset(room, rng):
    if room <= 0:
        return 0
    return room // 2 if rng is None else int(rng.integers(0, room + 1))
