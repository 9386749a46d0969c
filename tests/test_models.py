import keras
import numpy as np
import pytest

from keras_vidgen.models import build_video_gan, dcgan3d


@pytest.mark.parametrize(
    "frames, size, expected",
    [
        (16, 64, (1, 4, [2, 2, 2, 2])),
        (12, 64, (3, 4, [2, 2, 1, 1])),
        (5, 32, (5, 4, [1, 1, 1])),
        (4, 16, (1, 4, [2, 2])),
        (16, 48, (2, 6, [2, 2, 2])),
    ],
)
def test_stage_plan(frames, size, expected):
    assert dcgan3d.stage_plan(frames, size) == (expected[0], expected[1], expected[2])


def test_sizes_that_cannot_be_halved_are_refused():
    with pytest.raises(ValueError, match="size 7"):
        dcgan3d.stage_plan(4, 7)


@pytest.mark.parametrize("frames, size", [(4, 16), (6, 16), (8, 32), (3, 24)])
def test_generator_and_discriminator_shapes(frames, size):
    generator = dcgan3d.build_generator(8, frames, size, filters=16)
    discriminator = dcgan3d.build_discriminator(frames, size, filters=8)
    videos = generator(np.random.normal(size=(2, 8)).astype("float32"))
    assert videos.shape == (2, frames, size, size, 3)
    assert float(keras.ops.max(keras.ops.abs(videos))) <= 1.0
    assert discriminator(videos).shape == (2, 1)


def test_networks_survive_a_save_and_load_round_trip(tmp_path):
    generator = dcgan3d.build_generator(8, 4, 16, filters=16)
    z = np.random.normal(size=(2, 8)).astype("float32")
    generator.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(loaded(z), generator(z), atol=1e-6)


def test_unknown_architecture_is_refused():
    with pytest.raises(ValueError, match="dcgan3d"):
        build_video_gan("nope", 8, 4, 16, 16, 8)
