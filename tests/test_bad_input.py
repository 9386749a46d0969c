"""Bad input: a clear error naming the file, or skip and count; never a hang or a traceback."""

import logging
import os
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import frame_index, numbered_frames, truncate_avi_after, write_video

from keras_vidgen import callbacks
from keras_vidgen.data import SkippedFiles, probe_videos, video_dataset
from keras_vidgen.data.sources import VideoEntry

OPTIONS = dict(frames=4, size=16, batch_size=2)


@pytest.fixture
def good_and_bad(tmp_path, broken_files):
    """Three good videos plus every kind of broken file, in one folder."""
    for index in range(3):
        write_video(tmp_path / f"good{index}.avi", numbered_frames(8), fourcc="MJPG")
    for name, path in broken_files.items():
        shutil.copy(path, tmp_path / os.path.basename(path))
    return tmp_path


def test_up_front_validation_lists_every_bad_file_with_its_reason(good_and_bad):
    with pytest.raises(ValueError) as error:
        video_dataset(str(good_and_bad), **OPTIONS)
    message = str(error.value)
    assert "3 of 6 videos cannot be used" in message
    assert "empty.mp4: the file is empty (0 bytes)" in message
    assert "text.mp4: no decoder recognises it" in message
    assert "truncated.mp4:" in message and "on_error='skip'" in message


def test_skip_drops_bad_files_logs_each_once_and_counts_them(good_and_bad, caplog):
    skipped = SkippedFiles()
    with caplog.at_level(logging.WARNING, logger="keras_vidgen.data"):
        dataset = video_dataset(str(good_and_bad), **OPTIONS, on_error="skip", skipped=skipped, seed=0)
        assert len(list(dataset)) == 1  # 3 good clips -> one batch of 2
    assert sorted(os.path.basename(path) for path in skipped.reasons) == ["empty.mp4", "text.mp4", "truncated.mp4"]
    assert skipped.reset() == 3 and skipped.count() == 0
    assert sum("Skipping video" in record.message for record in caplog.records) == 3


def test_skip_inside_the_pipeline_when_validation_is_off(good_and_bad):
    skipped = SkippedFiles()
    dataset = video_dataset(str(good_and_bad), **OPTIONS, on_error="skip", skipped=skipped,
                            validate=False, repeat=True, seed=0)
    for batch in dataset.take(6):  # two passes over 6 files: every bad file skipped twice
        assert batch.shape == (2, 4, 16, 16, 3)
    assert len(skipped.reasons) == 3 and skipped.count() >= 6


def test_zero_frames_decoded_is_an_error_not_an_empty_clip(tmp_path):
    full = write_video(tmp_path / "full.avi", numbered_frames(6), fourcc="MJPG")
    cut = truncate_avi_after(full, tmp_path / "headers-only.avi", keep_frames=0)
    (info,) = probe_videos([VideoEntry(cut)])
    assert info.error and "no frame" in info.error


@pytest.fixture
def short_and_long(tmp_path):
    write_video(tmp_path / "long.avi", numbered_frames(10), fourcc="MJPG")
    write_video(tmp_path / "long2.avi", numbered_frames(10), fourcc="MJPG")
    write_video(tmp_path / "short.avi", numbered_frames(2), fourcc="MJPG")
    return tmp_path


def test_short_videos_error_names_the_file_and_the_lengths(short_and_long):
    with pytest.raises(ValueError, match=r"short.avi: it has 2 frame\(s\) but one clip needs 4"):
        video_dataset(str(short_and_long), **OPTIONS, short_videos="error")


def test_short_videos_skip_counts_them(short_and_long):
    skipped = SkippedFiles()
    dataset = video_dataset(str(short_and_long), **OPTIONS, short_videos="skip", skipped=skipped)
    assert len(list(dataset)) == 1
    assert [os.path.basename(path) for path in skipped.reasons] == ["short.avi"]


@pytest.mark.parametrize("policy, expected", [("loop", [0, 1, 0, 1]), ("pad", [0, 1, 1, 1])])
def test_short_videos_loop_or_pad_in_the_pipeline(short_and_long, policy, expected):
    dataset = video_dataset(
        str(short_and_long / "short.avi"), **dict(OPTIONS, batch_size=1), short_videos=policy,
        shuffle=False,
    )
    (clip,) = next(iter(dataset)).numpy()
    assert [frame_index((frame + 1) * 127.5) for frame in clip] == expected


def test_a_file_that_goes_bad_mid_run_does_not_stop_training_under_skip(tmp_path):
    for index in range(4):
        write_video(tmp_path / f"v{index}.avi", numbered_frames(6), fourcc="MJPG")
    skipped = SkippedFiles()
    dataset = video_dataset(str(tmp_path), **OPTIONS, on_error="skip", skipped=skipped, repeat=True, seed=1)
    iterator = iter(dataset)
    next(iterator)
    (tmp_path / "v2.avi").write_bytes(b"")  # overwritten by a failing copy
    os.remove(tmp_path / "v3.avi")  # deleted
    for _ in range(8):
        assert next(iterator).shape == (2, 4, 16, 16, 3)
    assert {os.path.basename(path) for path in skipped.reasons} == {"v2.avi", "v3.avi"}


def test_when_every_file_fails_mid_run_skip_stops_with_an_error_instead_of_hanging(tmp_path):
    for index in range(2):
        write_video(tmp_path / f"v{index}.avi", numbered_frames(6), fourcc="MJPG")
    dataset = video_dataset(str(tmp_path), **OPTIONS, on_error="skip", repeat=True, seed=1)
    iterator = iter(dataset)
    next(iterator)
    for index in range(2):
        os.remove(tmp_path / f"v{index}.avi")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Every video failed"):
        for _ in range(10):
            next(iterator)


def test_a_remote_style_read_error_under_raise_is_one_clean_line(tmp_path):
    write_video(tmp_path / "a.avi", numbered_frames(6), fourcc="MJPG")
    write_video(tmp_path / "b.avi", numbered_frames(6), fourcc="MJPG")
    dataset = video_dataset(str(tmp_path), **OPTIONS, shuffle=False)
    os.remove(tmp_path / "b.avi")
    with pytest.raises(tf.errors.OpError, match="b.avi") as error:
        list(dataset)
    assert "Traceback" not in str(error.value)


def test_the_callback_reports_skips_per_epoch_and_resets(tmp_path):
    skipped = SkippedFiles()
    skipped.record("a.mp4", "broken")
    skipped.record("a.mp4", "broken")
    logs = {}
    callbacks.SkippedFilesLogger(skipped).on_epoch_end(0, logs)
    assert logs["skipped_files"] == 2 and skipped.count() == 0
    assert isinstance(callbacks.SkippedFilesLogger(skipped), keras.callbacks.Callback)


def test_mixed_resolutions_and_frame_rates_make_one_batch_shape(tmp_path):
    write_video(tmp_path / "wide.avi", numbered_frames(12, width=40, height=24), fourcc="MJPG", fps=30)
    write_video(tmp_path / "tall.mp4", numbered_frames(6, width=16, height=36), fps=10)
    dataset = video_dataset(str(tmp_path), **OPTIONS, fps=10)
    batch = next(iter(dataset)).numpy()
    assert batch.shape == (2, 4, 16, 16, 3) and np.isfinite(batch).all()


def test_train_opens_each_file_once_up_front_and_counts_each_skip_once(good_and_bad, monkeypatch):
    # train() builds a dataset for the real clips it shows and another for fit(); validating in
    # each would read every file twice and count every bad file twice in the first epoch.
    from keras_vidgen.config import preset
    from keras_vidgen.data import probe
    from keras_vidgen.train import train

    probed = []
    probe_video = probe.probe_video
    monkeypatch.setattr(probe, "probe_video", lambda entry, *args, **kwargs: (
        probed.append(os.path.basename(entry.path)) or probe_video(entry, *args, **kwargs)))
    epoch_logs = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epoch_logs.append(dict(logs)))
    videos = sorted(os.listdir(good_and_bad))
    config = preset("tiny", logdir=str(good_and_bad.parent / "runs"), export_dir=None)
    config.data.data, config.data.on_error = str(good_and_bad), "skip"
    train(config, extra_callbacks=[record])
    assert sorted(probed) == videos
    assert epoch_logs[0]["skipped_files"] == 3


@pytest.mark.parametrize("validate", [True, False])
def test_short_videos_error_is_an_error_under_on_error_skip_with_or_without_validation(short_and_long, validate):
    # One policy (`policies.action`) for the up-front check and the pipeline: a short video under
    # short_videos="error" is an error; on_error="skip" is about unreadable files.
    from keras_vidgen.data.errors import DataError

    skipped = SkippedFiles()
    dataset_options = dict(OPTIONS, shuffle=False, short_videos="error", on_error="skip",
                           skipped=skipped, validate=validate)
    with pytest.raises((DataError, tf.errors.OpError), match="short.avi"):
        list(video_dataset(str(short_and_long), **dataset_options))
    if not validate:
        assert isinstance(skipped.error, DataError) and "short.avi" in str(skipped.error)


def test_train_raises_the_typed_error_of_a_bad_file_met_while_training(tmp_path, broken_files):
    from keras_vidgen.config import preset
    from keras_vidgen.errors import VideoDecodeError
    from keras_vidgen.train import train

    (tmp_path / "data").mkdir()
    write_video(tmp_path / "data" / "good.avi", numbered_frames(6), fourcc="MJPG")
    shutil.copy(broken_files["text"], tmp_path / "data" / "text.mp4")
    config = preset("tiny", logdir=str(tmp_path / "runs"), export_dir=None)
    config = config.updated({"data.data": str(tmp_path / "data"), "data.validate": False})
    with pytest.raises(VideoDecodeError, match="no decoder recognises it") as error:
        train(config)
    assert error.value.path.endswith("text.mp4") and "no decoder" in error.value.reason
