import cv2
import keras
import numpy as np
import pytest
from conftest import Exportable

from keras_vidgen import cli
from keras_vidgen.export import export_generator
from keras_vidgen.models import VideoGAN, build_video_gan
from keras_vidgen.sample import load_sampler


def dense_discriminator(frames=2, size=8):
    video = keras.Input((frames, size, size, 3), name="video")
    return keras.Model(video, keras.layers.Dense(1)(keras.layers.Flatten()(video)))


@pytest.fixture
def unconditional(make_generator, tmp_path):
    """A `.keras` checkpoint of a tiny VideoGAN and its SavedModel export."""
    gan = VideoGAN(make_generator(), dense_discriminator(), seed=0)
    gan.compile(g_optimizer="adam", d_optimizer="adam")  # an uncompiled VideoGAN cannot be saved
    gan.save(tmp_path / "gan.keras")
    export_generator(gan, str(tmp_path / "export"))
    return gan, str(tmp_path / "gan.keras"), str(tmp_path / "export")


def read_png(path):
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def test_a_seed_gives_the_same_videos_from_checkpoint_export_and_generate(unconditional):
    gan, checkpoint, exported = unconditional
    from_checkpoint = load_sampler(checkpoint).from_seed(3, seed=9)
    from_export = load_sampler(exported).from_seed(3, seed=9)
    np.testing.assert_array_equal(from_checkpoint, from_export)
    np.testing.assert_array_equal(from_export, gan.generate(3, seed=9))


def test_labels_and_context_are_refused_by_an_unconditional_model(unconditional):
    sampler = load_sampler(unconditional[2])
    with pytest.raises(ValueError, match="label was given, but .* is not class-conditional"):
        sampler.from_seed(1, seed=0, label=1)
    with pytest.raises(ValueError, match="context was given, but .* is not frame-conditional"):
        sampler.from_seed(1, seed=0, context=np.zeros((1, 8, 8, 3), np.uint8))


def test_a_class_conditional_export_takes_indices_and_class_names(make_generator, tmp_path):
    export_generator(Exportable(make_generator(label_classes=3)), str(tmp_path / "m"),
                     class_names=["ball", "box", "star"])
    sampler = load_sampler(str(tmp_path / "m"))
    np.testing.assert_array_equal(sampler.from_seed(2, seed=1, label="star"),
                                  sampler.from_seed(2, seed=1, label=2))
    assert not np.array_equal(sampler.from_seed(2, seed=1, label=0), sampler.from_seed(2, seed=1, label=2))
    with pytest.raises(ValueError, match="is class-conditional: pass a label"):
        sampler.from_seed(1, seed=0)
    with pytest.raises(ValueError, match=r"Unknown class 'cat'.*\['ball', 'box', 'star'\]"):
        sampler.from_seed(1, seed=0, label="cat")
    with pytest.raises(ValueError, match="Label 3 is out of range"):
        sampler.from_seed(1, seed=0, label=3)


def test_sample_continues_a_context_video_file(make_generator, video_dir, tmp_path):
    export_generator(Exportable(make_generator(context_frames=1)), str(tmp_path / "m"))
    out = tmp_path / "grid.png"
    context = str(video_dir / "clip0.mp4")
    args = ["sample", str(tmp_path / "m"), "--num", "2", "--seed", "0", "--out", str(out)]
    assert cli.main(args + ["--context", context]) == 0
    assert read_png(out).shape == (2 * 8, 2 * 8, 3)  # a row of 2 frames per video
    assert cli.main(args) == 1  # the model needs context


def test_sample_png_is_a_frame_grid_of_the_seeds_videos(unconditional, tmp_path):
    gan, checkpoint, _ = unconditional
    out = tmp_path / "grid.png"
    assert cli.main(["sample", checkpoint, "--num", "3", "--seed", "4", "--out", str(out)]) == 0
    videos = gan.generate(3, seed=4)
    np.testing.assert_array_equal(read_png(out)[8:16, 8:16], videos[1, 1])  # video 1, frame 1


def test_sample_with_a_label_for_an_unconditional_model_explains(unconditional, tmp_path, capsys):
    args = ["sample", unconditional[2], "--label", "1", "--out", str(tmp_path / "x.gif")]
    assert cli.main(args) == 1
    assert "not class-conditional" in capsys.readouterr().err


def test_interpolate_walks_from_seed_a_to_seed_b(unconditional, tmp_path):
    _, checkpoint, exported = unconditional
    walk, a, b = (tmp_path / f"{name}.png" for name in ("walk", "a", "b"))
    assert cli.main(["interpolate", exported, "--seed-a", "3", "--seed-b", "5", "--steps", "4",
                     "--out", str(walk)]) == 0
    for seed, out in ((3, a), (5, b)):
        assert cli.main(["sample", checkpoint, "--num", "1", "--seed", str(seed), "--out", str(out)]) == 0
    grid = read_png(walk)
    assert grid.shape == (4 * 8, 2 * 8, 3)  # one row per step
    np.testing.assert_array_equal(grid[:8], read_png(a))
    np.testing.assert_array_equal(grid[-8:], read_png(b))
    assert not np.array_equal(grid[8:16], read_png(a))


def test_interpolate_writes_the_walk_as_a_row_of_videos_in_a_gif(unconditional, tmp_path):
    from PIL import Image

    out = tmp_path / "walk.gif"
    assert cli.main(["interpolate", unconditional[2], "--steps", "3", "--out", str(out)]) == 0
    gif = Image.open(out)
    assert gif.size == (3 * 8, 8) and gif.n_frames == 2


def test_videos_like_real_ones_take_classes_in_turn_and_continue_each_real_clip(make_generator, tmp_path):
    # What `vidgen eval` compares with real clips: for FVD a class-conditional model must cover
    # its classes and a frame-conditional one must continue the real clips it is judged against.
    real = np.random.default_rng(0).integers(0, 256, (5, 2, 8, 8, 3), dtype=np.uint8)
    export_generator(Exportable(make_generator(label_classes=3)), str(tmp_path / "classes"),
                     class_names=["ball", "box", "star"])
    sampler = load_sampler(str(tmp_path / "classes"))
    videos = sampler.like_real(real, seed=4)
    z = sampler.latents(5, 4)
    for index in range(5):
        np.testing.assert_array_equal(videos[index], sampler.from_latents(z[index:index + 1], label=index % 3)[0])

    export_generator(Exportable(make_generator(context_frames=1)), str(tmp_path / "context"))
    sampler = load_sampler(str(tmp_path / "context"))
    videos = sampler.like_real(real, seed=4, batch_size=2)
    for index in range(5):
        expected = sampler.from_latents(z[index:index + 1], context=real[index:index + 1, :1])
        np.testing.assert_array_equal(videos[index], expected[0])


def test_the_class_count_of_a_checkpoint_comes_from_the_model(make_generator, tmp_path):
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0, num_classes=3)
    gan.compile(g_optimizer="adam", d_optimizer="adam")
    gan.save(tmp_path / "gan.keras")
    assert load_sampler(str(tmp_path / "gan.keras")).num_classes == 3
    export_generator(Exportable(make_generator(label_classes=3)), str(tmp_path / "bare"))
    with pytest.raises(ValueError, match="class count is unknown"):
        load_sampler(str(tmp_path / "bare")).like_real(np.zeros((2, 2, 8, 8, 3), np.uint8))
