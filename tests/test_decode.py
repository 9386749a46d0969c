"""Decoding real files: every container and source kind, and every sampling option, checked
against the known content of numbered frames (frame i has grey level 8 * i)."""

import cv2
import numpy as np
import pytest
from conftest import (
    frame_index, numbered_frames, truncate_avi_after, write_frame_folder, write_gif, write_video,
)

from keras_vidgen.data import decode, load_clip, readers, transforms
from keras_vidgen.data.sampling import ClipSpec
from keras_vidgen.data.sources import VideoEntry
from keras_vidgen.data.transforms import FrameSpec


def indices(clip):
    return [frame_index(frame) for frame in clip]


# Containers and codecs OpenCV's own FFmpeg can write here (h264 needs an encoder pip wheels lack).
CONTAINERS = [("mp4v", ".mp4"), ("MJPG", ".avi"), ("MJPG", ".mkv"), ("mp4v", ".mov"), ("VP80", ".webm")]


@pytest.mark.parametrize("fourcc, extension", CONTAINERS)
def test_each_container_decodes_frames_in_order(tmp_path, fourcc, extension):
    path = write_video(tmp_path / f"clip{extension}", numbered_frames(10), fourcc=fourcc)
    assert indices(load_clip(path, frames=10, size=16)) == list(range(10))


def test_an_animated_gif_is_a_video(tmp_path):
    path = write_gif(tmp_path / "clip.gif", numbered_frames(8))
    assert indices(load_clip(path, frames=3, size=16, stride=2)) == [0, 2, 4]


def test_a_frame_folder_is_a_video_in_natural_order(tmp_path):
    folder = tmp_path / "clip_x"
    folder.mkdir()
    for index, frame in enumerate(numbered_frames(12)):  # frame_2.png sorts before frame_10.png
        cv2.imwrite(str(folder / f"frame_{index}.png"), frame)
    assert indices(load_clip(str(folder) + "/", frames=4, size=16, stride=3)) == [0, 3, 6, 9]


def test_target_fps_resamples_from_the_files_own_rate(tmp_path):
    path = write_video(tmp_path / "30fps.avi", numbered_frames(24), fourcc="MJPG", fps=30)
    clip = load_clip(path, frames=4, size=16, fps=10, rng=np.random.default_rng(1))
    got = indices(clip)
    assert np.diff(got).tolist() == [3, 3, 3] and got[-1] < 24
    slow = write_video(tmp_path / "5fps.avi", numbered_frames(6), fourcc="MJPG", fps=5)
    assert indices(load_clip(slow, frames=4, size=16, fps=10)) == [0, 0, 1, 1]


def test_all_clips_of_a_video(tmp_path):
    path = write_video(tmp_path / "v.avi", numbered_frames(14), fourcc="MJPG")
    clips = decode.decode_clips(path, ClipSpec(frames=4, clips_per_video="all"), FrameSpec(16))
    assert [indices(clip) for clip in clips] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_evenly_spaced_clips(tmp_path):
    path = write_video(tmp_path / "v.avi", numbered_frames(12), fourcc="MJPG")
    spec = ClipSpec(frames=2, stride=2, clips_per_video=3, clip_starts="even")
    clips = decode.decode_clips(path, spec, FrameSpec(16))
    assert [indices(clip) for clip in clips] == [[0, 2], [4, 6], [9, 11]]


def test_a_clip_near_the_end_converts_only_the_frames_it_uses(tmp_path, monkeypatch):
    path = write_video(tmp_path / "long.avi", numbered_frames(30), fourcc="MJPG")
    converted = []
    original = transforms.prepare_frame
    monkeypatch.setattr(
        transforms, "prepare_frame", lambda frame, spec: converted.append(1) or original(frame, spec)
    )
    clip = decode.decode_clips(path, ClipSpec(frames=3, clip_starts="even"), FrameSpec(16))
    assert indices(clip[0]) == [13, 14, 15]  # one clip in the middle ...
    assert len(converted) == 3  # ... and only its 3 frames were converted and resized


def test_a_lying_frame_count_is_replanned_from_the_real_length(tmp_path):
    full = write_video(tmp_path / "full.avi", numbered_frames(20), fourcc="MJPG")
    cut = truncate_avi_after(full, tmp_path / "cut.avi", keep_frames=12)
    with readers.CaptureReader(cut) as reader:
        assert reader.reported_frames == 20  # the header still claims every frame
    spec = ClipSpec(frames=4, clips_per_video="all")
    clips = decode.decode_clips(cut, spec, FrameSpec(16))
    assert [indices(clip) for clip in clips] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    for seed in range(10):  # random starts drawn from the claimed length land inside the real one
        clip = load_clip(cut, frames=4, size=16, rng=np.random.default_rng(seed))
        assert indices(clip)[-1] <= 11 and np.diff(indices(clip)).tolist() == [1, 1, 1]


def test_a_manifest_time_range_limits_the_frames(tmp_path):
    path = write_video(tmp_path / "v.avi", numbered_frames(20), fourcc="MJPG", fps=10)
    entry = VideoEntry(path, start=0.5, end=1.2)  # frames 5..11
    for seed in range(10):
        clips = decode.decode_clips(entry, ClipSpec(frames=3), FrameSpec(16), np.random.default_rng(seed))
        got = indices(clips[0])
        assert 5 <= got[0] and got[-1] <= 11


def test_random_crop_moves_and_centre_crop_does_not(tmp_path):
    ramp = np.tile(np.arange(0, 240, 6, dtype=np.uint8), (16, 1))  # 16 x 40, brighter to the right
    frames = [np.repeat(ramp[..., None], 3, axis=2)] * 4
    path = write_video(tmp_path / "ramp.avi", frames, fourcc="MJPG")
    means = {float(load_clip(path, 2, 16, rng=np.random.default_rng(s), crop="random").mean()) for s in range(8)}
    assert max(means) - min(means) > 30
    centre = {float(load_clip(path, 2, 16, rng=np.random.default_rng(s)).mean()) for s in range(4)}
    assert len(centre) == 1
    plain = load_clip(path, 2, 16, crop="none")
    assert plain.shape == (2, 16, 16, 3) and plain[:, :, 0].mean() < 30 and plain[:, :, -1].mean() > 200


def test_flip_mirrors_every_frame_of_a_clip_alike(tmp_path):
    frames = [np.zeros((16, 16, 3), np.uint8) for _ in range(4)]
    for frame in frames:
        frame[:, :8] = 200  # bright left half
    path = write_video(tmp_path / "half.avi", frames, fourcc="MJPG")
    flipped = 0
    for seed in range(12):
        clip = load_clip(path, 4, 16, rng=np.random.default_rng(seed), flip=True)
        left_bright = clip[:, :, :8].mean(axis=(1, 2, 3)) > clip[:, :, 8:].mean(axis=(1, 2, 3))
        assert left_bright.all() or not left_bright.any()  # one decision per clip
        flipped += not left_bright[0]
    assert 0 < flipped < 12


def test_grayscale_gives_one_channel(tmp_path):
    path = write_video(tmp_path / "v.avi", numbered_frames(6), fourcc="MJPG")
    clip = load_clip(path, 4, 16, grayscale=True)
    assert clip.shape == (4, 16, 16, 1) and indices(clip) == [0, 1, 2, 3]


@pytest.mark.parametrize("channels", [1, 4])
def test_one_and_four_channel_frames(tmp_path, channels):
    frames = [frame[..., :1] if channels == 1 else np.dstack([frame, np.full(frame.shape[:2], 255, np.uint8)])
              for frame in numbered_frames(5)]
    folder = write_frame_folder(tmp_path / f"c{channels}", frames)
    clip = load_clip(folder, 5, 16)
    assert clip.shape == (5, 16, 16, 3) and indices(clip) == list(range(5))


def test_sixteen_bit_frames_are_scaled_to_eight(tmp_path):
    frames = [(frame.astype(np.uint16) * 257) for frame in numbered_frames(3)]
    folder = write_frame_folder(tmp_path / "deep", frames)
    assert indices(load_clip(folder, 3, 16)) == [0, 1, 2]


def test_frames_that_change_size_mid_stream_are_still_cropped_alike(tmp_path):
    frames = numbered_frames(3, width=40, height=32) + numbered_frames(6, width=24, height=48)[3:]
    folder = write_frame_folder(tmp_path / "mixed", frames)
    clip = load_clip(folder, 6, 16)
    assert clip.shape == (6, 16, 16, 3) and indices(clip) == list(range(6))


def test_a_gray_video_written_without_colour(tmp_path):
    path = str(tmp_path / "gray.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 10, (32, 24), isColor=False)
    for frame in numbered_frames(4, width=32, height=24):
        writer.write(frame[..., 0])
    writer.release()
    assert indices(load_clip(path, 4, 16)) == [0, 1, 2, 3]


@pytest.mark.parametrize("fourcc, extension", [("mp4v", ".mp4"), ("MJPG", ".avi"), ("VP80", ".webm")])
def test_a_clip_far_into_a_video_seeks_instead_of_decoding_every_frame_before_it(tmp_path, fourcc, extension):
    path = write_video(tmp_path / f"long{extension}", numbered_frames(30) * 2, fourcc=fourcc)
    with readers.CaptureReader(path) as reader:
        frames, _ = reader.read([40, 42, 44])
        assert reader.grabs == 5  # from frame 40 on, not 45
    assert {index: frame_index(frame) for index, frame in frames.items()} == {40: 10, 42: 12, 44: 14}


def test_a_seek_past_a_lying_end_falls_back_to_the_real_length(tmp_path):
    full = write_video(tmp_path / "full.avi", numbered_frames(30) * 2, fourcc="MJPG")
    cut = truncate_avi_after(full, tmp_path / "cut.avi", keep_frames=30)
    clips = decode.decode_clips(cut, ClipSpec(frames=4, clip_starts="even"), FrameSpec(16))
    assert indices(clips[0]) == [13, 14, 15, 16]  # the middle of the 30 real frames, not of 60


def test_captures_decode_on_one_thread(tmp_path):
    # The pipeline decodes one file per core; FFmpeg's own threads made every frame cost ~1.5x
    # the CPU (benchmarks/bench_data.py), so a capture must not start its own.
    path = write_video(tmp_path / "clip.mp4", numbered_frames(4))
    with open(path, "rb") as file, readers.open_capture(file.read(), path) as capture:
        assert capture.get(cv2.CAP_PROP_N_THREADS) == readers.DECODER_THREADS == 1
