"""Looking at videos before training: metadata, up-front validation, and `vidgen inspect-data`.

Opening every file once before training reports most bad files (empty, not a video, unknown
codec, shorter than a clip) with a clean error, or skips them, before the first step instead of
hours into a run. Videos whose reported length is below one clip are counted exactly (cheap: they
are short), so the short-video policy is decided on real frame counts.
"""

import collections
import concurrent.futures
import dataclasses
from typing import Optional

from keras_vidgen.data import policies, readers
from keras_vidgen.data.errors import DataError, VideoDecodeError

# Probing is mostly waiting on I/O (remote reads) or on OpenCV, which releases the GIL.
_WORKERS = 8


@dataclasses.dataclass
class VideoInfo:
    """What the pipeline sees of one video.

    Attributes:
        path: the file or frame folder.
        frames: frame count; reported by the container unless `exact`.
        exact: `frames` was counted by decoding (or listing a frame folder).
        fps: frames per second (frame folders: `readers.FRAME_FOLDER_FPS`).
        width, height: frame size in pixels (0 if unknown).
        error: why the video cannot be used, or `None`.
        short: the video holds fewer frames than one clip.
    """

    path: str
    frames: int = 0
    exact: bool = False
    fps: float = 0.0
    width: int = 0
    height: int = 0
    error: Optional[str] = None
    short: bool = False

    @property
    def duration(self):
        return self.frames / self.fps if self.fps > 0 else 0.0


def probe_video(entry, clip_spec=None, count_frames=False):
    """Opens one video and returns its `VideoInfo`; never raises for a bad file.

    Args:
        entry: a `VideoEntry`.
        clip_spec: a `sampling.ClipSpec`; when given, videos reported shorter than one clip are
            counted exactly and flagged `short`.
        count_frames: count every video's frames by decoding (slow; exact durations).
    """
    info = VideoInfo(entry.path)
    try:
        with readers.open_reader(entry.path) as reader:
            info.fps, info.frames, info.exact = reader.fps, reader.reported_frames, reader.exact
            needed = _frames_needed(entry, clip_spec, reader.fps) if clip_spec else 0
            if not info.exact and (count_frames or info.frames < needed or info.frames == 0):
                _, info.frames = reader.read([], to_end=True)
                info.exact = True
            first, _ = reader.read([0])
        if not first:
            raise VideoDecodeError(
                entry.path, "the decoder returned no frame (truncated or corrupt file)"
            )
        info.height, info.width = first[0].shape[:2]
        info.short = info.exact and info.frames < needed
    except VideoDecodeError as error:
        info.error = error.reason
    except ValueError as error:  # e.g. fps resampling of a file without a frame rate
        info.error = str(error)
    except Exception as error:  # A bad file must never stop a scan; report what happened.
        info.error = f"{type(error).__name__}: {error}"
    return info


def _frames_needed(entry, clip_spec, fps):
    """Source frames a video must hold for one clip, counting the manifest's start time."""
    first = round(entry.start * fps) if entry.start else 0
    return first + clip_spec.span(fps)


def probe_videos(entries, clip_spec=None, count_frames=False):
    """Probes videos in parallel threads; returns `VideoInfo`s in the order of `entries`."""
    with concurrent.futures.ThreadPoolExecutor(_WORKERS) as pool:
        return list(pool.map(lambda entry: probe_video(entry, clip_spec, count_frames), entries))


def usable_entries(entries, infos, clip_spec, on_error, skipped):
    """Applies the bad-file and short-video policies to probed videos, before training.

    Args:
        entries: `VideoEntry` records; `infos`: their `VideoInfo`s.
        clip_spec: the `ClipSpec` (its `short_videos` policy is applied).
        on_error: "raise" or "skip".
        skipped: a `policies.SkippedFiles` that records skipped files.

    Returns:
        The entries to train on.

    Raises:
        DataError: bad files under on_error="raise", or short videos under
            short_videos="error"; the message lists the files and reasons.
    """
    kept, problems = [], []
    for entry, info in zip(entries, infos):
        fate = "keep"
        if info.error is not None or info.short:
            fate = policies.action(info.error is None, clip_spec.short_videos, on_error)
        if fate == "keep":
            kept.append(entry)
        elif fate == "skip":
            skipped.record(info.path, reason_of(info, clip_spec))
        else:
            problems.append(f"  {info.path}: {reason_of(info, clip_spec)}")
    if problems:
        raise DataError(
            f"{len(problems)} of {len(entries)} videos cannot be used:\n" + "\n".join(problems[:20])
            + ("\n  ..." if len(problems) > 20 else "")
            + "\nFix or remove them, or pass on_error='skip' (and short_videos='skip' or 'loop' "
            "for short videos) to train without them."
        )
    if not kept:
        raise DataError(
            f"All {len(entries)} videos were skipped; the first: {entries[0].path}: "
            f"{reason_of(infos[0], clip_spec)}."
        )
    return kept


def reason_of(info, clip_spec):
    if info.error:
        return info.error
    span = clip_spec.span(info.fps) if info.fps or clip_spec.fps is None else "?"
    return f"it has {info.frames} frame(s) but one clip needs {span}"


def summarize(infos):
    """Counts, total duration, and the most common frame rates and resolutions of good videos."""
    good = [info for info in infos if info.error is None]
    return {
        "videos": len(infos),
        "readable": len(good),
        "bad": [(info.path, info.error) for info in infos if info.error],
        "short": [info.path for info in good if info.short],
        "seconds": sum(info.duration for info in good),
        "frames": sum(info.frames for info in good),
        "fps": collections.Counter(round(info.fps, 2) for info in good).most_common(),
        "resolutions": collections.Counter(f"{info.width}x{info.height}" for info in good).most_common(),
        "durations": sorted(info.duration for info in good),
    }

