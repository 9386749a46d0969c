import io

import cv2
import numpy as np
import pytest
from PIL import Image

from keras_vidgen import media


def test_to_uint8_maps_the_range_ends_and_clips():
    values = np.array([-1.5, -1.0, 0.0, 1.0, 2.0], np.float32)
    np.testing.assert_array_equal(media.to_uint8(values).numpy(), [0, 0, 128, 255, 255])


def test_tile_videos_places_each_video_in_its_cell():
    videos = np.stack([np.full((2, 3, 4, 1), value, np.uint8) for value in (10, 20, 30)])
    grid = media.tile_videos(videos, columns=2)
    assert grid.shape == (2, 6, 8, 1)
    assert grid[0, 0, 0, 0] == 10 and grid[0, 0, 4, 0] == 20 and grid[0, 3, 0, 0] == 30
    assert grid[0, 3, 4, 0] == 0  # the empty cell is black


def test_gif_round_trip_keeps_every_frame():
    video = np.stack([np.full((8, 8, 3), 40 * i, np.uint8) for i in range(5)])
    gif = Image.open(io.BytesIO(media.encode_gif(video)))
    assert gif.n_frames == 5 and gif.size == (8, 8)


@pytest.mark.parametrize("extension", [".mp4", ".avi"])
def test_written_videos_decode_back(tmp_path, extension):
    video = np.zeros((6, 16, 16, 3), np.uint8)
    video[..., 0] = 200  # red in RGB
    path = media.write_video(tmp_path / f"v{extension}", video)
    capture = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    assert len(frames) == 6
    assert frames[0][..., 2].mean() > 150  # BGR order on disk: red is the last channel


def test_unknown_extension_is_explained(tmp_path):
    with pytest.raises(ValueError, match=".gif"):
        media.write_video(tmp_path / "v.xyz", np.zeros((1, 4, 4, 3), np.uint8))
