"""Which frames make a clip: frames per clip, stride, target fps, clips per video, short videos.

Planning is pure arithmetic on frame indices, separate from decoding, so it is tested exactly.
A clip takes `frames` frames `step` source frames apart, where `step` is `stride` without a target
frame rate, and `stride * source_fps / fps` with one (frame `k` of a clip is source frame
`start + floor(k * step)`; a target rate above the source's repeats frames).
"""

import dataclasses
import math
from typing import Optional, Union

from keras_vidgen.choices import CLIP_STARTS, SHORT_VIDEO_POLICIES  # noqa: F401 -- re-exported


class TooShortError(ValueError):
    """A video holds fewer frames than one clip needs (raised by policies "skip" and "error")."""


@dataclasses.dataclass(frozen=True)
class ClipSpec:
    """How clips are cut from a video.

    Attributes:
        frames: frames per clip.
        stride: take every `stride`-th frame (after resampling to `fps`, if set).
        fps: resample to this frame rate from the file's own; `None` keeps the source's frames.
        clips_per_video: clips drawn from each video per pass, or "all" for every
            non-overlapping clip.
        clip_starts: "random" starts, or "even"ly spaced over the video (with `clips_per_video`).
        jitter: with "even" starts or "all" clips, move starts by up to this many source frames
            at random.
        short_videos: a video shorter than one clip is "loop"ed (frames repeat from the start),
            "pad"ded (its last frame repeats), "skip"ped, or an "error".
    """

    frames: int = 16
    stride: int = 1
    fps: Optional[float] = None
    clips_per_video: Union[int, str] = 1
    clip_starts: str = "random"
    jitter: int = 0
    short_videos: str = "loop"

    def __post_init__(self):
        if self.frames < 1 or self.stride < 1:
            raise ValueError(f"frames ({self.frames}) and stride ({self.stride}) must be >= 1.")
        if self.fps is not None and not self.fps > 0:
            raise ValueError(f"fps must be positive or None, not {self.fps!r}.")
        if self.clips_per_video != "all" and not (
            isinstance(self.clips_per_video, int) and self.clips_per_video >= 1
        ):
            raise ValueError(
                f"clips_per_video must be an int >= 1 or 'all', not {self.clips_per_video!r}."
            )
        if self.clip_starts not in CLIP_STARTS:
            raise ValueError(f"Unknown clip_starts={self.clip_starts!r}; choose one of {CLIP_STARTS}.")
        if self.short_videos not in SHORT_VIDEO_POLICIES:
            raise ValueError(
                f"Unknown short_videos={self.short_videos!r}; choose one of {SHORT_VIDEO_POLICIES}."
            )
        if self.jitter < 0:
            raise ValueError(f"jitter must be >= 0, not {self.jitter}.")

    def step(self, source_fps):
        """Source frames between consecutive clip frames, for a video at `source_fps`."""
        if self.fps is None:
            return float(self.stride)
        if not source_fps or not math.isfinite(source_fps) or source_fps <= 0:
            raise ValueError(
                f"the file reports no usable frame rate ({source_fps!r}), so it cannot be "
                f"resampled to fps={self.fps}; use stride instead of fps"
            )
        return self.stride * source_fps / self.fps

    def offsets(self, source_fps):
        """Source-frame offsets of a clip's frames from its first frame."""
        step = self.step(source_fps)
        return [int(math.floor(k * step + 1e-6)) for k in range(self.frames)]

    def span(self, source_fps):
        """Source frames one clip covers, first to last inclusive."""
        return self.offsets(source_fps)[-1] + 1


def plan_clips(spec, num_frames, source_fps, rng=None):
    """Chooses the source frames of each clip of one video.

    Args:
        spec: a `ClipSpec`.
        num_frames: frames really in the video (or in its manifest time range).
        source_fps: the video's frame rate.
        rng: a `numpy.random.Generator` for random starts and jitter; `None` gives fixed starts
            (the first frames, or evenly spaced when several clips are asked for).

    Returns:
        A list of clips, each a list of `spec.frames` source-frame indices in `[0, num_frames)`.

    Raises:
        TooShortError: the video is shorter than one clip and the policy is "skip" or "error".
    """
    offsets = spec.offsets(source_fps)
    span = offsets[-1] + 1
    if num_frames < span:
        return _short_clips(spec, offsets, num_frames, span)
    starts = _starts(spec, num_frames - span, span, rng)
    return [[start + offset for offset in offsets] for start in starts]


def _short_clips(spec, offsets, num_frames, span):
    if spec.short_videos in ("skip", "error") or num_frames < 1:
        raise TooShortError(
            f"it has {num_frames} frame(s) but one clip needs {span} (frames={spec.frames}, "
            f"stride={spec.stride}, fps={spec.fps}); short_videos='loop' or 'pad' would use it"
        )
    if spec.short_videos == "loop":
        clip = [offset % num_frames for offset in offsets]
    else:
        clip = [min(offset, num_frames - 1) for offset in offsets]
    count = 1 if spec.clips_per_video == "all" else spec.clips_per_video
    return [list(clip) for _ in range(count)]


def _starts(spec, last_start, span, rng):
    if spec.clips_per_video == "all":
        count = (last_start + span) // span
        room = last_start + span - count * span  # frames left over after the last whole clip
        shift = _draw(rng, 0, min(spec.jitter, room))
        return [shift + index * span for index in range(count)]
    count = spec.clips_per_video
    if spec.clip_starts == "random" and rng is not None:
        return [int(start) for start in rng.integers(0, last_start + 1, size=count)]
    if count == 1:
        starts = [0] if spec.clip_starts == "random" else [last_start // 2]
    else:
        starts = [round(index * last_start / (count - 1)) for index in range(count)]
    return [
        min(last_start, max(0, start + _draw(rng, -spec.jitter, spec.jitter))) for start in starts
    ]


def _draw(rng, low, high):
    if rng is None or high <= low:
        return 0 if low <= 0 <= high else low
    return int(rng.integers(low, high + 1))
