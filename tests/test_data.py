import os

import numpy as np
import pytest
import tensorflow as tf
from conftest import frame_index, numbered_frames, write_video

from keras_vidgen import data
from keras_vidgen.data import VideoDecodeError, decode, load_clip, transforms, video_dataset


def test_dataset_yields_float_clips_of_static_shape_in_range(video_dir):
    dataset = video_dataset(str(video_dir), frames=4, size=16, batch_size=2, seed=0)
    assert dataset.element_spec.shape.as_list() == [2, 4, 16, 16, 3]
    batches = list(dataset)
    assert len(batches) == 2  # 5 files, batch 2, remainder dropped
    for batch in batches:
        assert batch.dtype == tf.float32
        assert float(tf.reduce_min(batch)) >= -1.0 and float(tf.reduce_max(batch)) <= 1.0
    # Numbered frames have grey levels 0..88, i.e. -1.0..-0.31: four consecutive ones span 0.19.
    values = np.concatenate([b.numpy().ravel() for b in batches])
    assert values.max() - values.min() > 0.15 and values.max() < -0.2


def test_clips_are_consecutive_frames_from_a_start_inside_the_video(video_dir):
    rng = np.random.default_rng(0)
    starts = set()
    for _ in range(20):
        clip = load_clip(str(video_dir / "clip0.mp4"), frames=4, size=16, rng=rng)
        indices = [frame_index(frame) for frame in clip]
        assert indices == list(range(indices[0], indices[0] + 4))
        assert 0 <= indices[0] <= 8
        starts.add(indices[0])
    assert len(starts) > 3  # random starts really vary


def test_stride_takes_every_nth_frame(video_dir):
    clip = load_clip(str(video_dir / "nested" / "clip1.avi"), frames=3, size=16, stride=3)
    assert [frame_index(frame) for frame in clip] == [0, 3, 6]


def test_frames_are_converted_to_rgb(coloured_video):
    clip = load_clip(coloured_video, frames=2, size=16)
    red, green, blue = clip[..., 0].mean(), clip[..., 1].mean(), clip[..., 2].mean()
    assert red > 240 and green < 15 and blue < 15


def test_resize_keeps_aspect_and_crops_the_centre():
    frame = np.zeros((20, 40, 3), np.uint8)
    frame[:, 10:30] = 255  # a bright centre band, half the width
    spec = transforms.FrameSpec(10)
    prepared = transforms.prepare_frame(frame, spec)
    assert prepared.shape == (10, 20, 3)  # shorter side to 10, aspect kept
    out = transforms.finish_clip([prepared], spec)
    assert out.shape == (1, 10, 10, 3)
    assert out.min() == 255  # the centre crop lies inside the band


def test_a_video_shorter_than_a_clip_loops(tmp_path):
    path = write_video(tmp_path / "short.avi", numbered_frames(3), fourcc="MJPG")
    clip = load_clip(path, frames=7, size=16)
    assert [frame_index(frame) for frame in clip] == [0, 1, 2, 0, 1, 2, 0]


def test_same_seed_gives_the_same_batches(video_dir):
    def first_batches(seed):
        dataset = video_dataset(str(video_dir), frames=4, size=16, batch_size=2, seed=seed,
                                repeat=True)
        return [batch.numpy() for batch in dataset.take(3)]

    first, second = first_batches(7), first_batches(7)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_folders_are_searched_recursively_and_globs_match(video_dir):
    found = data.list_video_files(str(video_dir))
    assert len(found) == 5 and any(path.endswith(".avi") for path in found)
    assert len(data.list_video_files(str(video_dir / "*.mp4"))) == 3
    assert len(data.list_video_files([str(video_dir / "clip0.mp4"), str(video_dir / "clip1.mp4")])) == 2


def test_empty_glob_names_the_pattern(tmp_path):
    pattern = str(tmp_path / "nothing-here" / "*.mp4")
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        video_dataset(pattern)


def test_missing_file_names_it(tmp_path):
    missing = str(tmp_path / "missing.mp4")
    with pytest.raises(FileNotFoundError, match="missing.mp4"):
        video_dataset([missing])


def test_folder_without_videos_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("no videos")
    with pytest.raises(FileNotFoundError, match="holds no videos"):
        data.list_video_files(str(tmp_path))


def test_fewer_files_than_a_batch_is_explained(video_dir):
    with pytest.raises(FileNotFoundError, match="fewer clips than one batch"):
        video_dataset(str(video_dir / "clip0.mp4"), batch_size=2)


@pytest.mark.parametrize(
    "name, reason", [("empty", "empty"), ("text", "no decoder"), ("truncated", "no frame|no decoder")]
)
def test_broken_files_raise_an_error_naming_the_file(broken_files, name, reason):
    with pytest.raises(VideoDecodeError, match=reason) as error:
        load_clip(broken_files[name], frames=4, size=16)
    assert broken_files[name] in str(error.value)


def test_a_broken_file_inside_the_pipeline_names_the_file_without_a_traceback(broken_files, video_dir):
    paths = [broken_files["text"], str(video_dir / "clip0.mp4")]
    dataset = video_dataset(paths, frames=4, size=16, batch_size=2, shuffle=False, validate=False)
    with pytest.raises(tf.errors.OpError, match="text.mp4.*no decoder") as error:
        list(dataset)
    assert "Traceback" not in str(error.value)


def test_many_in_memory_decodes_in_parallel_threads_do_not_crash(video_dir):
    # OpenCV's in-memory capture crashed the process when its stream was freed early.
    dataset = video_dataset(str(video_dir), frames=4, size=16, batch_size=5, repeat=True, seed=1)
    for batch in dataset.take(60):
        assert batch.shape == (5, 4, 16, 16, 3)


def test_an_unregistered_remote_scheme_explains_itself():
    with pytest.raises(ValueError, match="not registered"):
        data.list_video_files("nosuchscheme://bucket/videos/*.mp4")


def test_tensorflow_io_schemes_are_registered():
    from keras_vidgen.data import filesystems

    assert {"s3", "http", "hdfs"} <= filesystems.registered_schemes()


def test_a_clip_as_long_as_the_video_reads_every_frame(video_dir):
    path = str(video_dir / "clip2.mp4")
    clip = load_clip(path, frames=12, size=16, rng=np.random.default_rng(3))
    assert [frame_index(frame) for frame in clip] == list(range(12))


def test_every_random_choice_is_reproducible_with_a_seed(video_dir):
    def batches():
        dataset = video_dataset(str(video_dir), frames=3, size=16, batch_size=2, seed=5,
                                clips_per_video=2, crop="random", flip=True, deterministic=False)
        return [batch.numpy() for batch in dataset]

    # deterministic=False may reorder clips within a pass, but each clip's content is fixed by
    # the seed, so a whole pass holds the same clips.
    first, second = batches(), batches()
    key = lambda clips: sorted(clip.tobytes() for batch in clips for clip in batch)  # noqa: E731
    assert key(first) == key(second)


@pytest.mark.parametrize("cache", ["memory", "folder"])
def test_a_decoded_clip_cache_replays_the_first_pass(video_dir, tmp_path, cache):
    location = "memory" if cache == "memory" else str(tmp_path / "cache")
    dataset = video_dataset(str(video_dir), frames=3, size=16, batch_size=5, seed=0, repeat=True,
                            cache=location)
    first, second = [batch.numpy() for batch in dataset.take(2)]
    assert sorted(c.tobytes() for c in first) == sorted(c.tobytes() for c in second)
    if cache == "folder":
        assert any(name.startswith("clips-") for name in os.listdir(location))
