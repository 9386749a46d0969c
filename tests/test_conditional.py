"""Class-conditional (labels) and frame-conditional (context) training and sampling."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen.data import load_clip, make_moving_shapes, read_manifest
from keras_vidgen.models import build_video_gan

FRAMES, SIZE, LATENT = 4, 16, 8


@pytest.fixture(scope="module")
def squares_and_circles(tmp_path_factory):
    """Labelled clips of two of the three built-in shapes: label 0 = square, 1 = circle."""
    folder = make_moving_shapes(str(tmp_path_factory.mktemp("shapes") / "s"), num_videos=16,
                                frames=FRAMES, size=SIZE, seed=3)
    records = [r for r in read_manifest(folder) if r["shape"] in ("square", "circle")]
    clips = np.stack([load_clip(f"{folder}/{r['file']}", FRAMES, SIZE) for r in records])
    labels = np.array([r["label"] for r in records], "int32")
    assert set(labels) == {0, 1}
    return clips.astype("float32") / 127.5 - 1.0, labels


def compiled(gan, **options):
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), **options)
    return gan


def embedding_rows(model, name):
    return [v.numpy().copy() for v in model.variables if name in v.path and "embeddings" in v.path][0]


def test_labels_from_the_data_train_their_own_embeddings_only(squares_and_circles):
    clips, labels = squares_and_circles
    keras.utils.set_random_seed(0)
    # Three classes, data of two: the triangle's embeddings must stay untouched, so labels are
    # routed from the batches (not ignored, nor drawn uniformly) in G and in D's projection.
    gan = compiled(build_video_gan("dcgan3d", LATENT, FRAMES, SIZE, 32, 8, seed=0, num_classes=3))
    g_before = embedding_rows(gan.generator, "label_embedding")
    d_before = embedding_rows(gan.discriminator, "class_embedding")
    dataset = tf.data.Dataset.from_tensor_slices((clips, labels)).shuffle(64, seed=0).repeat().batch(2)
    history = gan.fit(dataset, epochs=1, steps_per_epoch=4, verbose=0).history
    assert np.isfinite(history["d_loss"][-1]) and np.isfinite(history["g_loss"][-1])
    for before, after in ((g_before, embedding_rows(gan.generator, "label_embedding")),
                          (d_before, embedding_rows(gan.discriminator, "class_embedding"))):
        assert not np.allclose(before[0], after[0]) and not np.allclose(before[1], after[1])
        np.testing.assert_array_equal(before[2], after[2])


def test_generated_videos_depend_on_the_label():
    keras.utils.set_random_seed(0)
    gan = build_video_gan("mocogan", LATENT, FRAMES, SIZE, 32, 8, seed=0, num_classes=2)
    squares, circles = gan.generate(2, seed=1, labels=0), gan.generate(2, seed=1, labels=1)
    assert squares.shape == (2, FRAMES, SIZE, SIZE, 3)
    assert not np.array_equal(squares, circles)
    # Default labels take the classes in turn.
    np.testing.assert_array_equal(gan.generate(2, seed=1)[0], squares[0])
    np.testing.assert_array_equal(gan.generate(2, seed=1)[1], circles[1])


def test_a_conditional_gan_refuses_unlabelled_batches():
    gan = compiled(build_video_gan("dcgan3d", LATENT, FRAMES, SIZE, 32, 8, seed=0, num_classes=2))
    clips = np.zeros((2, FRAMES, SIZE, SIZE, 3), "float32")
    with pytest.raises(ValueError, match="labels"):
        gan.fit(tf.data.Dataset.from_tensors(clips), verbose=0)


def test_frame_conditional_generator_learns_to_continue_its_context(squares_and_circles):
    clips, _ = squares_and_circles
    keras.utils.set_random_seed(0)
    gan = compiled(build_video_gan("tgan", LATENT, FRAMES, SIZE, 32, 8, seed=0, context_frames=2),
                   recon_weight=50.0)
    dataset = tf.data.Dataset.from_tensors(clips[:2]).repeat()
    first = gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0).history["recon_penalty"][-1]
    later = gan.fit(dataset, epochs=1, steps_per_epoch=30, verbose=0).history["recon_penalty"][-1]
    assert later < 0.6 * first
    context = ((clips[:2, :2] + 1) * 127.5).round().astype(np.uint8)
    videos = gan.generate(2, seed=0, context=context)
    assert videos.shape == (2, FRAMES, SIZE, SIZE, 3)
    with pytest.raises(ValueError, match="context"):
        gan.generate(2, seed=0)


@pytest.mark.parametrize("arch", ["vgan", "dvdgan"])
def test_conditioning_works_for_other_architectures(arch, tmp_path):
    keras.utils.set_random_seed(0)
    gan = compiled(build_video_gan(arch, LATENT, FRAMES, SIZE, 32, 8, seed=0, num_classes=2,
                                   context_frames=1, spectral_norm=True))
    clips = np.random.default_rng(0).uniform(-1, 1, (2, FRAMES, SIZE, SIZE, 3)).astype("float32")
    dataset = tf.data.Dataset.from_tensors((clips, np.array([0, 1], "int32")))
    history = gan.fit(dataset, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    gan.save(tmp_path / "c.keras")
    restored = keras.models.load_model(tmp_path / "c.keras")
    context = np.zeros((2, 1, SIZE, SIZE, 3), np.uint8)
    np.testing.assert_array_equal(restored.generate(2, seed=0, context=context),
                                  gan.generate(2, seed=0, context=context))


@pytest.mark.slow
def test_a_class_conditional_run_from_a_folder_tree_samples_by_class_name(tmp_path):
    # The whole way of the class names: folder names -> the run's class_index.json -> the
    # checkpoint -> the export -> `vidgen sample --label NAME`, and `vidgen export` again.
    import glob
    import os

    from conftest import numbered_frames, write_video

    from keras_vidgen import cli
    from keras_vidgen.data import load_class_index
    from keras_vidgen.sample import load_sampler

    for name in ("circles", "squares"):
        (tmp_path / "data" / name).mkdir(parents=True)
        for index in range(2):
            write_video(tmp_path / "data" / name / f"{index}.avi", numbered_frames(8), fourcc="MJPG")
    code = cli.main([
        "train", "--preset", "tiny", "--epochs", "1", "--steps-per-epoch", "2", "--seed", "0",
        "--data", str(tmp_path / "data"), "--labels", "folder", "--num-classes", "2",
        "--name", "cls", "--logdir", str(tmp_path / "runs"), "--export-dir", str(tmp_path / "exports"),
    ])
    assert code == 0
    classes = {"circles": 0, "squares": 1}
    (run_dir,) = glob.glob(str(tmp_path / "runs" / "cls-*"))
    assert load_class_index(os.path.join(run_dir, "class_index.json")) == classes
    checkpoint = os.path.join(run_dir, "checkpoint.keras")
    assert keras.models.load_model(checkpoint).class_names == ["circles", "squares"]
    export = tmp_path / "exports" / "cls" / "1"
    assert load_class_index(export / "assets.extra" / "class_index.json") == classes

    out = str(tmp_path / "squares.gif")
    assert cli.main(["sample", str(tmp_path / "exports" / "cls"), "--label", "squares", "--num", "2",
                     "--out", out]) == 0
    assert os.path.exists(out)
    sampler = load_sampler(str(tmp_path / "exports" / "cls"))
    np.testing.assert_array_equal(sampler.from_seed(2, seed=1, label="squares"),
                                  sampler.from_seed(2, seed=1, label=1))
    assert load_sampler(checkpoint).class_names == ["circles", "squares"]

    assert cli.main(["export", checkpoint, "--export-dir", str(tmp_path / "again"), "--name", "m"]) == 0
    assert load_class_index(tmp_path / "again" / "m" / "1" / "assets.extra" / "class_index.json") == classes


def test_old_exports_class_index_format_still_reads(tmp_path):
    # Exports made before the run folder and the export shared one format wrote {"0": name}.
    import json

    from keras_vidgen.data import class_names, load_class_index

    (tmp_path / "class_index.json").write_text(json.dumps({"0": "ball", "1": "box"}))
    assert class_names(load_class_index(tmp_path / "class_index.json")) == ["ball", "box"]
    assert class_names({"0": 0, "2": 2}) == ["0", "1", "2"]  # integer labels with a gap
