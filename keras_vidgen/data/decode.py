"""Decoding the clips of one video: plan the frames, read only those, transform them.

Bytes are read through `tf.io.gfile` (any registered scheme) and handed to OpenCV's FFmpeg backend
as an in-memory stream (OpenCV >= 4.11). Frame counts in container metadata are only a hint: real
files often report more (or fewer) frames than they hold, so a plan made from the reported count
is checked against what the decoder really produced, and made again from the true count when the
decoder stopped early.
"""

import math

import numpy as np

from keras_vidgen.data import readers, sampling, transforms
from keras_vidgen.data.errors import ShortVideoError, VideoDecodeError
from keras_vidgen.data.readers import open_capture, read_bytes  # noqa: F401 -- public helpers
from keras_vidgen.data.sources import VideoEntry

_ATTEMPTS = 3


def decode_clips(entry, clip_spec, frame_spec, rng=None):
    """Decodes the clips `clip_spec` asks for from one video.

    Args:
        entry: a `VideoEntry` (or a path): a video file, or a frame folder ending in "/".
        clip_spec: a `sampling.ClipSpec`.
        frame_spec: a `transforms.FrameSpec`.
        rng: a `numpy.random.Generator` for starts, crops and flips; `None` for fixed choices.

    Returns:
        uint8 array `[clips, frames, size, size, channels]`.

    Raises:
        ShortVideoError: shorter than one clip under short_videos "skip" or "error".
        VideoDecodeError: the file cannot be read or decoded; the message names it.
    """
    if isinstance(entry, str):
        entry = VideoEntry(entry)
    with readers.open_reader(entry.path) as reader:
        clips, frames = _read_planned(reader, entry, clip_spec, frame_spec, rng)
    return np.stack(
        [transforms.finish_clip([frames[i] for i in clip], frame_spec, rng) for clip in clips]
    )


def _read_planned(reader, entry, clip_spec, frame_spec, rng):
    """Plans from the reported length, reads, and re-plans from the true length if it differed."""
    path = entry.path
    try:
        step_fps = reader.fps
        clip_spec.step(step_fps)
        first, last = _frame_range(entry, step_fps)
    except ValueError as error:
        raise VideoDecodeError(path, str(error)) from None
    count_all = not reader.exact and clip_spec.clips_per_video == "all"
    count = reader.reported_frames or None

    def prepare(frame):
        return transforms.prepare_frame(frame, frame_spec)

    for _ in range(_ATTEMPTS):
        if count is None:
            _, count = reader.read([], to_end=True)
        if count == 0:
            raise VideoDecodeError(path, "the decoder returned no frame (truncated or corrupt file)")
        available = max(0, min(count, last if last is not None else count) - first)
        try:
            planned = sampling.plan_clips(clip_spec, available, step_fps, rng)
        except sampling.TooShortError as error:
            raise ShortVideoError(path, str(error)) from None
        clips = [[first + index for index in clip] for clip in planned]
        wanted = sorted({index for clip in clips for index in clip})
        frames, seen = reader.read(wanted, prepare, to_end=count_all)
        if seen == 0:
            raise VideoDecodeError(path, "the decoder returned no frame (truncated or corrupt file)")
        if len(frames) == len(wanted) and not (count_all and seen > count):
            return clips, frames
        count = seen  # The container misreported its length: plan again from the true one.
    raise VideoDecodeError(path, "the decoder gives different frames on every read")


def _frame_range(entry, fps):
    """Source-frame range `[first, last)` of a manifest's start/end seconds (`last` None: the end)."""
    if entry.start is None and entry.end is None:
        return 0, None
    if not fps or not math.isfinite(fps) or fps <= 0:
        raise ValueError("the file reports no frame rate, so its start/end times cannot be used")
    first = int(round(entry.start * fps)) if entry.start is not None else 0
    last = int(round(entry.end * fps)) if entry.end is not None else None
    return first, last
