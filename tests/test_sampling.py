"""Clip planning as pure index arithmetic: every option against indices worked out by hand."""

import numpy as np
import pytest

from keras_vidgen.data.sampling import ClipSpec, TooShortError, plan_clips


@pytest.mark.parametrize(
    "spec, source_fps, offsets",
    [
        (ClipSpec(frames=4), 25, [0, 1, 2, 3]),
        (ClipSpec(frames=4, stride=3), 25, [0, 3, 6, 9]),
        (ClipSpec(frames=4, fps=10), 30, [0, 3, 6, 9]),  # 30 -> 10 fps: every third frame
        (ClipSpec(frames=4, fps=4), 10, [0, 2, 5, 7]),  # 2.5 frames apart, floored
        (ClipSpec(frames=4, fps=20), 10, [0, 0, 1, 1]),  # up-sampling repeats frames
        (ClipSpec(frames=3, fps=10, stride=2), 30, [0, 6, 12]),  # stride after resampling
    ],
)
def test_offsets_follow_stride_and_target_fps(spec, source_fps, offsets):
    assert spec.offsets(source_fps) == offsets
    assert spec.span(source_fps) == offsets[-1] + 1


def test_fps_without_a_source_rate_is_explained():
    with pytest.raises(ValueError, match="no usable frame rate"):
        ClipSpec(frames=4, fps=8).offsets(0.0)


def test_random_starts_stay_inside_and_vary():
    spec = ClipSpec(frames=4, stride=2)  # span 7
    rng = np.random.default_rng(0)
    starts = set()
    for _ in range(50):
        (clip,) = plan_clips(spec, 20, 25, rng)
        assert clip == [clip[0] + 2 * k for k in range(4)] and clip[-1] < 20
        starts.add(clip[0])
    assert starts == set(range(14))  # every start 0..13 is reachable


def test_without_rng_the_first_frames_are_taken():
    assert plan_clips(ClipSpec(frames=3), 20, 25) == [[0, 1, 2]]


def test_evenly_spaced_clips_cover_the_video():
    spec = ClipSpec(frames=4, clips_per_video=3, clip_starts="even")
    assert plan_clips(spec, 20, 25) == [[0, 1, 2, 3], [8, 9, 10, 11], [16, 17, 18, 19]]


def test_all_non_overlapping_clips():
    spec = ClipSpec(frames=4, clips_per_video="all")
    assert plan_clips(spec, 13, 25) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_jitter_moves_all_clips_within_the_leftover_frames():
    spec = ClipSpec(frames=4, clips_per_video="all", jitter=5)
    shifts = {plan_clips(spec, 14, 25, np.random.default_rng(seed))[0][0] for seed in range(30)}
    assert shifts == {0, 1, 2}  # 14 frames hold 3 clips of 4 with 2 to spare
    even = ClipSpec(frames=4, clips_per_video=2, clip_starts="even", jitter=2)
    for seed in range(20):
        first, second = plan_clips(even, 20, 25, np.random.default_rng(seed))
        assert 0 <= first[0] <= 2 and 14 <= second[0] <= 16


@pytest.mark.parametrize(
    "policy, clip", [("loop", [0, 1, 2, 0, 1]), ("pad", [0, 1, 2, 2, 2])]
)
def test_short_videos_loop_or_pad(policy, clip):
    spec = ClipSpec(frames=5, short_videos=policy, clips_per_video=2)
    assert plan_clips(spec, 3, 25) == [clip, clip]


def test_short_videos_loop_with_stride():
    assert plan_clips(ClipSpec(frames=4, stride=2, short_videos="loop"), 3, 25) == [[0, 2, 1, 0]]


@pytest.mark.parametrize("policy", ["skip", "error"])
def test_short_videos_skip_or_error_say_how_short(policy):
    with pytest.raises(TooShortError, match="3 frame.*needs 5"):
        plan_clips(ClipSpec(frames=5, short_videos=policy), 3, 25)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(clips_per_video=0), "clips_per_video"),
        (dict(clip_starts="middle"), "clip_starts"),
        (dict(short_videos="drop"), "short_videos"),
        (dict(fps=-1), "fps"),
        (dict(stride=0), "stride"),
    ],
)
def test_bad_options_name_themselves(options, message):
    with pytest.raises(ValueError, match=message):
        ClipSpec(frames=4, **options)
