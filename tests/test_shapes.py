import os
import numpy as np
import pytest

from keras_vidgen.data import load_clip, make_moving_shapes, read_manifest
from keras_vidgen.data.shapes import replay_positions


@pytest.fixture(scope="module")
def shapes_dir(tmp_path_factory):
    return make_moving_shapes(str(tmp_path_factory.mktemp("s") / "shapes"), num_videos=6, frames=10, size=32)


def test_manifest_describes_every_clip(shapes_dir):
    records = read_manifest(shapes_dir)
    assert len(records) == 6
    for record in records:
        assert record["shape"] in ("square", "circle", "triangle")
        assert set(record) >= {"file", "label", "colour", "rgb", "start", "velocity", "radius", "background"}


def test_same_seed_same_data_set(shapes_dir, tmp_path):
    again = make_moving_shapes(str(tmp_path / "again"), num_videos=6, frames=10, size=32)
    assert read_manifest(again) == read_manifest(shapes_dir)
    first = load_clip(f"{shapes_dir}/shapes_00003.mp4", frames=10, size=32)
    second = load_clip(f"{again}/shapes_00003.mp4", frames=10, size=32)
    np.testing.assert_array_equal(first, second)


def test_the_shape_moves_with_its_velocity_and_stays_inside(shapes_dir):
    record = read_manifest(shapes_dir)[0]
    clip = load_clip(f"{shapes_dir}/{record['file']}", frames=10, size=32).astype(float)
    colour = np.array(record["rgb"], float)
    centres = []
    for frame in clip:
        mask = np.abs(frame - colour).sum(-1) < 60
        assert mask.sum() > 10, "the shape is visible in every frame"
        ys, xs = np.nonzero(mask)
        centres.append((xs.mean(), ys.mean()))
    step = np.hypot(*np.subtract(centres[1], centres[0]))
    assert step == pytest.approx(np.hypot(*record["velocity"]), abs=1.5)


def test_replayed_positions_follow_the_drawn_shape_through_its_bounces(shapes_dir):
    # The extractor's motion targets come from replaying the manifest: they must be where the
    # shape really is in every frame, bounces included (10 frames at 32 px always bounce here).
    for record in read_manifest(shapes_dir)[:3]:
        if record["background"] != "plain":
            continue
        clip = load_clip(f"{shapes_dir}/{record['file']}", frames=10, size=32).astype(float)
        mask = np.abs(clip - np.array(record["rgb"], float)).sum(-1) < 60
        for frame_mask, (x, y) in zip(mask, replay_positions(record, 32, 10)):
            ys, xs = np.nonzero(frame_mask)
            assert (xs.mean(), ys.mean()) == pytest.approx((x, y), abs=1.5)


def test_an_existing_folder_is_reused_only_if_it_matches(shapes_dir):
    assert make_moving_shapes(shapes_dir, num_videos=6, frames=10, size=32) == shapes_dir
    with pytest.raises(FileExistsError, match="not a moving-shapes data set made with"):
        make_moving_shapes(shapes_dir, num_videos=7, frames=10, size=32)


def test_two_processes_making_the_same_data_set_both_succeed(tmp_path):
    import subprocess
    import sys

    script = ("import sys; from keras_vidgen.data import make_moving_shapes; "
              "make_moving_shapes(sys.argv[1], num_videos=30, frames=8, size=16)")
    out = str(tmp_path / "shared")
    processes = [subprocess.Popen([sys.executable, "-c", script, out], stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr[-2000:]
    assert len(read_manifest(out)) == 30
    assert [name for name in os.listdir(tmp_path) if name.startswith(".shapes-")] == []
