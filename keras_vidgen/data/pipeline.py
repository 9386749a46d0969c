"""`video_dataset`: videos in, batches of float clips (and labels) out, as a `tf.data.Dataset`.

Determinism: every file gets one random integer from a seeded `tf.data.Dataset.random`, which
seeds that file's clip starts, crop and flip, so a clip's content never depends on which thread
decodes it. With a seed and `deterministic=True` (the default when a seed is given) the same clips
come in the same order on every run. `deterministic=False` lets a slow file be overtaken by a
fast one: the clips are the same, their order in batches is not.
"""

import hashlib
import os

import cv2
import numpy as np
import tensorflow as tf

from keras_vidgen import media

from keras_vidgen.data import decode, labels as vidgen_labels, policies, probe, sources
from keras_vidgen.data.errors import DataError, ShortVideoError, VideoDecodeError
from keras_vidgen.data.sampling import ClipSpec
from keras_vidgen.data.transforms import FrameSpec

# Clips shuffled together after decoding, so the clips of one video spread over several batches.
_CLIP_SHUFFLE_BUFFER = 256


def video_dataset(
    paths, frames=16, size=64, batch_size=8, stride=1, shuffle=True, repeat=False,
    random_crop=False, seed=None, deterministic=None, *, fps=None, clips_per_video=1,
    clip_starts="random", jitter=0, crop=None, flip=False, grayscale=False, labels=None,
    short_videos="loop", on_error="raise", validate=True, cache=None, skipped=None,
    num_shards=1, shard_index=0,
):
    """Builds a `tf.data.Dataset` of video clips decoded by OpenCV, in parallel across files.

    Args:
        paths: a glob, a folder (searched recursively; folders of frame images count as one
            video), a file, a manifest (`.csv`/`.jsonl`, see `data.manifest`), a list of these, or
            `VideoEntry` records; local or any scheme `tf.io.gfile` knows (`s3://`, `gs://`, ...).
        frames: frames per clip.
        size: output height and width in pixels.
        batch_size: clips per batch; a last partial batch is dropped so shapes stay static.
        stride: take every `stride`-th frame (after resampling to `fps`, if given).
        shuffle: shuffle files each pass and draw random starts, crops and flips.
        repeat: repeat forever (then pass `steps_per_epoch` to `fit`).
        random_crop: shorthand for `crop="random"`.
        seed: makes file order and every random choice reproducible.
        deterministic: keep element order fixed under parallel decoding; `None` means "when a
            seed is given or `shuffle` is off".
        fps: resample every video from its own frame rate to this one.
        clips_per_video: clips per video per pass, or "all" non-overlapping clips.
        clip_starts: "random" or "even" starts when several clips are drawn.
        jitter: with "even" starts or "all" clips, move starts by up to this many frames.
        crop: "center", "random" (after resizing the shorter side) or "none" (plain resize).
        flip: random horizontal flips (the same for every frame of a clip).
        grayscale: 1 channel instead of RGB.
        labels: `None` for clips only; "folder", "manifest", "auto" (or `True`) for
            `(clips, labels)` batches of int32 class indices (see `data.labels`; `VideoEntry`
            records with integer labels keep them).
        short_videos: "loop", "pad", "skip" or "error" for videos shorter than one clip.
        on_error: "raise" (an error naming the file and reason) or "skip" (log it once, count it
            in `skipped`, go on) for unreadable files.
        validate: open every file before building the pipeline, so bad files are reported or
            skipped up front (reads each file once more; turn off for huge remote collections).
        cache: `None`, "memory", or a folder for a decoded-clip cache. The first pass's clips
            are replayed afterwards (random starts are drawn once); order still reshuffles.
        skipped: a `policies.SkippedFiles` to count skipped files in (for a callback).
        num_shards, shard_index: keep only every `num_shards`-th video starting at `shard_index`
            (multi-worker training: each worker decodes a distinct share of the files). Labels
            are numbered before sharding, so every worker agrees on them.

    Returns:
        A `tf.data.Dataset` of float32 `[batch_size, frames, size, size, channels]` in [-1, 1],
        or of `(clips, labels)` pairs when `labels` is set.

    Raises:
        FileNotFoundError: `paths` names nothing, or too few clips for one batch without `repeat`.
        ValueError: bad options, or unusable files under on_error="raise" (listed by name).

    Example:
        >>> dataset = video_dataset("ucf101/", frames=16, size=64, fps=8, labels="folder",
        ...                         on_error="skip", repeat=True, seed=0)
        >>> model.fit(dataset, epochs=10, steps_per_epoch=500)
    """
    policies.check_on_error(on_error)
    # The map below already decodes one file per core; OpenCV's own thread pool inside each
    # resize would oversubscribe the CPU (measured: ~8x slower resizes on 2 busy cores).
    cv2.setNumThreads(1)
    clip_spec = ClipSpec(frames, stride, fps, clips_per_video, clip_starts, jitter, short_videos)
    frame_spec = FrameSpec(size, crop or ("random" if random_crop else "center"), flip, grayscale)
    skipped = skipped if skipped is not None else policies.SkippedFiles()
    entries = _entries(paths)
    if labels and not all(isinstance(entry.label, int) for entry in entries):
        # (Entries that carry class indices already, e.g. from `attach_labels`, keep them.)
        entries, _ = vidgen_labels.attach_labels(entries, "auto" if labels is True else labels)
    entries = entries[shard_index::num_shards]
    if validate:
        entries = _usable(entries, clip_spec, on_error, skipped)
    _check_enough(entries, clip_spec, batch_size, repeat, paths)
    if deterministic is None:
        deterministic = seed is not None or not shuffle
    load = _clip_loader(clip_spec, frame_spec, on_error, skipped, len(entries), randomize=shuffle)
    files = tf.data.Dataset.from_tensor_slices(_columns(entries))
    if cache:
        settings = (clip_spec, frame_spec, entries)
        dataset = _cached_clips(files, load, len(entries), cache, seed, shuffle, settings)
    else:
        dataset = _decoded_clips(files, load, len(entries), seed, shuffle, repeat, deterministic)
        if shuffle and clips_per_video != 1:
            dataset = dataset.shuffle(_CLIP_SHUFFLE_BUFFER, seed=seed)
    if cache and repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=True)
    convert = _to_float_with_labels if labels else _to_float
    dataset = dataset.map(convert, num_parallel_calls=tf.data.AUTOTUNE)
    if num_shards > 1:
        # Already sharded by file: tf.distribute must not shard it again.
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
        dataset = dataset.with_options(options)
    return dataset.prefetch(tf.data.AUTOTUNE)


def usable_videos(paths, frames=16, stride=1, *, fps=None, clips_per_video=1, short_videos="loop",
                  on_error="raise", skipped=None):
    """Lists `paths` and keeps the videos training can use: `video_dataset`'s `validate` step,
    done once, so that several datasets built from its result (pass `validate=False`) do not
    open every file again.

    Args:
        paths: as in `video_dataset` (labelled `VideoEntry` records keep their labels).
        frames, stride, fps, clips_per_video, short_videos, on_error: as in `video_dataset`.
        skipped: a `policies.SkippedFiles` that records the files left out.

    Returns:
        The usable `VideoEntry` records, in the order listed.

    Raises:
        ValueError: unusable files under on_error="raise" (listed by name), or none usable.

    Example:
        >>> videos = usable_videos("clips/", frames=16, on_error="skip", skipped=skipped)
        >>> dataset = video_dataset(videos, frames=16, validate=False, skipped=skipped)
    """
    policies.check_on_error(on_error)
    clip_spec = ClipSpec(frames, stride, fps, clips_per_video, short_videos=short_videos)
    skipped = skipped if skipped is not None else policies.SkippedFiles()
    return _usable(_entries(paths), clip_spec, on_error, skipped)


def _usable(entries, clip_spec, on_error, skipped):
    infos = probe.probe_videos(entries, clip_spec)
    return probe.usable_entries(entries, infos, clip_spec, on_error, skipped)


def _decoded_clips(files, load, count, seed, shuffle, repeat, deterministic):
    if shuffle:
        files = files.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        files = files.repeat()
    # One random integer per element seeds that element's random choices (see module docstring).
    dataset = tf.data.Dataset.zip((files, tf.data.Dataset.random(seed=seed)))
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=deterministic)
    return dataset.unbatch()


def _cached_clips(files, load, count, cache, seed, shuffle, settings):
    if shuffle:  # one fixed file order, so the cached clips of one class are not all together
        files = files.shuffle(count, seed=seed, reshuffle_each_iteration=False)
    dataset = tf.data.Dataset.zip((files, tf.data.Dataset.random(seed=seed)))
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    dataset = dataset.unbatch().cache(_cache_file(cache, settings, seed))
    if shuffle:
        dataset = dataset.shuffle(_CLIP_SHUFFLE_BUFFER, seed=seed, reshuffle_each_iteration=True)
    return dataset


def _cache_file(cache, settings, seed):
    """`""` for memory, else a file whose name hashes the settings, so a stale cache is not reused."""
    if cache == "memory":
        return ""
    os.makedirs(cache, exist_ok=True)
    digest = hashlib.sha1(repr((settings, seed)).encode()).hexdigest()[:16]
    return os.path.join(cache, f"clips-{digest}")


def load_clip(path, frames, size, stride=1, rng=None, random_crop=False, **options):
    """Reads and decodes one clip of one video, resized and cropped: the pipeline's unit of work.

    Args:
        path: the video file (or a frame folder ending in "/").
        frames, size, stride: as in `video_dataset`.
        rng: a `numpy.random.Generator` for the start (and crop/flip); `None` takes the first
            frames and the centre.
        random_crop: crop at a random place.
        **options: `fps`, `clip_starts`, `jitter`, `short_videos` (as in `video_dataset`), and
            `crop`, `flip`, `grayscale`.

    Returns:
        uint8 array `[frames, size, size, channels]`.
    """
    frame_options = {key: options.pop(key) for key in ("crop", "flip", "grayscale") if key in options}
    frame_options.setdefault("crop", "random" if random_crop else "center")
    clip_spec = ClipSpec(frames, stride, clips_per_video=1, **options)
    return decode.decode_clips(path, clip_spec, FrameSpec(size, **frame_options), rng)[0]


def _entries(paths):
    if isinstance(paths, (list, tuple)) and paths and all(
        isinstance(item, sources.VideoEntry) for item in paths
    ):
        return list(paths)
    return sources.list_videos(paths)


def _columns(entries):
    def seconds(value):
        return -1.0 if value is None else float(value)

    return (
        [entry.path for entry in entries],
        np.array([entry.label if isinstance(entry.label, int) else -1 for entry in entries], np.int32),
        np.array([seconds(entry.start) for entry in entries], np.float64),
        np.array([seconds(entry.end) for entry in entries], np.float64),
    )


def _check_enough(entries, clip_spec, batch_size, repeat, paths):
    if repeat or clip_spec.clips_per_video == "all":
        return
    if len(entries) * clip_spec.clips_per_video < batch_size:
        raise FileNotFoundError(
            f"Found {len(entries)} usable video(s) in {paths!r}, fewer clips than one batch of "
            f"{batch_size}: lower batch_size, raise clips_per_video, or pass repeat=True."
        )


def _clip_loader(clip_spec, frame_spec, on_error, skipped, num_files, randomize):
    shape = (clip_spec.frames, frame_spec.size, frame_spec.size, frame_spec.channels)
    empty = np.zeros((0, *shape), np.uint8)

    def load_numpy(path, start, end, element_seed):
        path = path.decode()
        entry = sources.VideoEntry(
            path, start=None if start < 0 else start, end=None if end < 0 else end
        )
        rng = np.random.default_rng(int(element_seed) & 0x7FFFFFFFFFFFFFFF) if randomize else None
        try:
            clips = decode.decode_clips(entry, clip_spec, frame_spec, rng)
        except Exception as error:  # noqa: BLE001 -- under "skip" nothing may end a long run
            if not isinstance(error, VideoDecodeError):
                error = VideoDecodeError(path, f"{type(error).__name__}: {error}")
            short = isinstance(error, ShortVideoError)
            if policies.action(short, clip_spec.short_videos, on_error) == "raise":
                return _fail(error)
            return _skip(path, error)
        skipped.record_success()
        return clips, b""

    def _skip(path, error):
        in_a_row = skipped.record(path, error.reason)
        # With one good file left, failures in a row stay below two passes' worth; beyond that
        # every file is failing (storage gone), and "skip" would spin forever: stop instead.
        if in_a_row >= 2 * num_files:
            return _fail(DataError(
                f"Every video failed {in_a_row} times in a row (storage gone?); the last: {error}"
            ))
        return empty, b""

    def _fail(error):
        skipped.fail(error)
        return empty, str(error).encode()

    def load(columns, element_seed):
        path, label, start, end = columns
        clips, message = tf.numpy_function(
            load_numpy, [path, start, end, element_seed], [tf.uint8, tf.string], stateful=False
        )
        # Stops the pipeline with the error's message (`skipped.raise_recorded()` turns it back
        # into the typed error), instead of a Python traceback from inside tf.data.
        with tf.control_dependencies([tf.debugging.Assert(tf.equal(message, ""), [message])]):
            clips = tf.identity(clips)
        clips = tf.ensure_shape(clips, [None, *empty.shape[1:]])
        return clips, tf.fill(tf.shape(clips)[:1], label)

    return load


def _to_float(clips, labels):
    del labels
    return media.to_float(clips)


def _to_float_with_labels(clips, labels):
    return media.to_float(clips), labels
