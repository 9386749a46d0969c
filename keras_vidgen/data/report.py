"""`vidgen inspect-data`: what the pipeline would see of a collection, as a short text report."""

import dataclasses
import statistics

from keras_vidgen.data import labels as vidgen_labels
from keras_vidgen.data import probe, sources
from keras_vidgen.data.sampling import ClipSpec

@dataclasses.dataclass
class DataReport:
    """The result of `inspect_data`.

    Attributes:
        text: the printable report.
        readable: videos that decode.
        usable: videos the pipeline would train on under the configured policies.
        infos: one `probe.VideoInfo` per video.
    """

    text: str
    readable: int
    usable: int
    infos: list


def inspect_data(paths, settings, count_frames=False):
    """Probes every video of `paths` and describes the collection.

    Args:
        paths: anything `video_dataset` accepts.
        settings: a `keras_vidgen.config.DataConfig` (frames, stride, fps and the policies).
        count_frames: decode every video to count frames exactly, instead of trusting the
            containers (slow for long videos).

    Returns:
        A `DataReport`.
    """
    entries = sources.list_videos(paths)
    spec = ClipSpec(settings.frames, settings.stride, settings.fps, settings.clips_per_video,
                    settings.clip_starts, short_videos=settings.short_videos)
    infos = probe.probe_videos(entries, spec, count_frames=count_frames)
    summary = probe.summarize(infos)
    short = set(summary["short"])
    usable = summary["readable"] - (len(short) if spec.short_videos in ("skip", "error") else 0)
    lines = [
        f"Videos:       {summary['videos']} found, {summary['readable']} readable, "
        f"{len(summary['bad'])} unreadable",
        _durations(summary, count_frames),
        "Frame rates:  " + _counts(summary["fps"], " fps"),
        "Resolutions:  " + _counts(summary["resolutions"], ""),
        f"Clips:        {spec.frames} frames, stride {spec.stride}, fps {spec.fps or 'as recorded'}"
        f"; {_clips_per_pass(infos, spec)} clip(s) per pass from {usable} video(s)",
    ]
    if short:
        lines.append(f"Short:        {len(short)} video(s) shorter than one clip -> "
                     f"short_videos={spec.short_videos!r}")
        lines += [f"  {path}" for path in sorted(short)[:10]]
    if settings.labels:
        lines.append("Classes:      " + _classes(entries, settings.labels))
    if summary["bad"]:
        action = "skipped" if settings.on_error == "skip" else "an error (on_error='raise')"
        lines.append(f"Unreadable ({action}):")
        lines += [f"  {path}: {reason}" for path, reason in summary["bad"]]
    return DataReport("\n".join(lines), summary["readable"], usable, infos)


def _durations(summary, exact):
    durations = summary["durations"]
    if not durations:
        return "Duration:     -"
    source = "decoded" if exact else "container metadata; --count-frames to decode and count"
    return (
        f"Duration:     {summary['seconds']:.1f} s in {summary['frames']} frames ({source}); "
        f"per video min {durations[0]:.1f} s, median {statistics.median(durations):.1f} s, "
        f"max {durations[-1]:.1f} s"
    )


def _counts(pairs, unit):
    return ", ".join(f"{value}{unit} x {count}" for value, count in pairs[:6]) or "-"


def _clips_per_pass(infos, spec):
    good = [info for info in infos if info.error is None and not (
        info.short and spec.short_videos in ("skip", "error"))]
    if spec.clips_per_video != "all":
        return len(good) * spec.clips_per_video
    total = 0
    for info in good:
        try:
            total += max(1, info.frames // spec.span(info.fps))
        except ValueError:
            continue
    return total


def _classes(entries, label_source):
    try:
        labelled, class_index = vidgen_labels.attach_labels(entries, label_source)
    except ValueError as error:
        return f"cannot label: {error}"
    counts = {}
    for entry in labelled:
        counts[entry.label] = counts.get(entry.label, 0) + 1
    names = {index: name for name, index in class_index.items()}
    shown = ", ".join(f"{names[index]} ({count})" for index, count in sorted(counts.items())[:20])
    return f"{len(class_index)}: {shown}"
