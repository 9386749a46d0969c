"""`video_dataset`: video files in, batches of float clips out, as a `tf.data.Dataset`."""

import numpy as np
import tensorflow as tf

from keras_vidgen.data import decode, sources


def video_dataset(
    paths,
    frames=16,
    size=64,
    batch_size=8,
    stride=1,
    shuffle=True,
    repeat=False,
    random_crop=False,
    seed=None,
    deterministic=None,
    num_shards=1,
    shard_index=0,
):
    """Builds a `tf.data.Dataset` of video clips decoded by OpenCV.

    Each file gives one clip per pass: `frames` frames, `stride` apart, from a random start (the
    first frame when `shuffle=False`), resized on the shorter side and cropped square. Files are
    decoded in parallel (OpenCV releases the GIL), batched with a static batch size, converted to
    float32 in [-1, 1] and prefetched.

    Args:
        paths: a glob, a folder (searched recursively), a file, or a list of these; local or any
            scheme `tf.io.gfile` knows (`s3://`, `gs://`, `http://`, ... see `data.filesystems`).
        frames: frames per clip.
        size: output height and width in pixels.
        batch_size: clips per batch; a last partial batch is dropped so shapes stay static.
        stride: take every `stride`-th frame.
        shuffle: shuffle files each pass and draw random clip starts.
        repeat: repeat forever (then pass `steps_per_epoch` to `fit`).
        random_crop: crop at a random place instead of the centre.
        seed: makes file order and clip starts reproducible.
        deterministic: keep element order fixed under parallel decoding. `None` means "only when a
            seed is given"; out-of-order delivery is faster when decode times vary.
        num_shards, shard_index: read only every `num_shards`-th file starting at `shard_index`
            (multi-worker training: each worker decodes a distinct share of the files).

    Returns:
        A `tf.data.Dataset` of float32 tensors `[batch_size, frames, size, size, 3]` in [-1, 1].

    Raises:
        FileNotFoundError: `paths` names nothing, or fewer files than one batch without `repeat`.

    Example:
        >>> dataset = video_dataset("clips/*.mp4", frames=16, size=64, batch_size=8)
        >>> model.fit(dataset, epochs=10)
    """
    files = sources.list_video_files(paths)[shard_index::num_shards]
    if not repeat and len(files) < batch_size:
        raise FileNotFoundError(
            f"Found {len(files)} video file(s) in {paths!r}, fewer than one batch of {batch_size}: "
            "lower batch_size or pass repeat=True."
        )
    if deterministic is None:
        deterministic = seed is not None
    dataset = tf.data.Dataset.from_tensor_slices(files)
    if shuffle:
        dataset = dataset.shuffle(len(files), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    # One random integer per element seeds that element's clip start and crop, so results do not
    # depend on which thread decodes it.
    element_seeds = tf.data.Dataset.random(seed=seed)
    dataset = tf.data.Dataset.zip((dataset, element_seeds))
    load = _clip_loader(frames, size, stride, randomize=shuffle, random_crop=random_crop)
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=deterministic)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    dataset = dataset.map(_to_float, num_parallel_calls=tf.data.AUTOTUNE)
    if num_shards > 1:
        # Already sharded by file: tf.distribute must not shard it again.
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
        dataset = dataset.with_options(options)
    return dataset.prefetch(tf.data.AUTOTUNE)


def load_clip(path, frames, size, stride=1, rng=None, random_crop=False):
    """Reads and decodes one clip of one file, resized and cropped: the pipeline's unit of work.

    Args:
        path: the video file.
        frames, size, stride: as in `video_dataset`.
        rng: a `numpy.random.Generator` for the start (and the crop if `random_crop`); `None`
            takes the first frames and the centre.
        random_crop: crop at a random place.

    Returns:
        uint8 array `[frames, size, size, 3]`, RGB.
    """
    data = decode.read_bytes(path)
    clip = decode.decode_clip(data, path, frames, stride=stride, rng=rng)
    return decode.resize_clip(clip, size, rng=rng if random_crop else None)


def _clip_loader(frames, size, stride, randomize, random_crop):
    def load_numpy(path, element_seed):
        rng = np.random.default_rng(int(element_seed) & 0x7FFFFFFFFFFFFFFF) if randomize else None
        return load_clip(path.decode(), frames, size, stride, rng, random_crop)

    def load(path, element_seed):
        clip = tf.numpy_function(load_numpy, [path, element_seed], tf.uint8, stateful=False)
        return tf.ensure_shape(clip, [frames, size, size, 3])

    return load


def _to_float(clips):
    return tf.cast(clips, tf.float32) / 127.5 - 1.0
