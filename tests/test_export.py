import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from conftest import Exportable as Model

import keras_vidgen
from keras_vidgen import export, latents, media, warmup
from keras_vidgen.config import TrainConfig, preset
from keras_vidgen.export import export_generator, next_version
from keras_vidgen.models import build_video_gan
from keras_vidgen.sample import load_sampler



LOAD_WITHOUT_PACKAGE = r"""
import json, sys
import numpy as np
import tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
signature = model.signatures["serving_default"]
z = np.array(json.loads(sys.argv[2]), np.float32)
video = signature(z=tf.constant(z))["video"]
seeded = model.signatures["generate_from_seed"](seed=tf.constant(7, tf.int64), num=tf.constant(2))
assert not any(name.startswith("keras_vidgen") for name in sys.modules), "imported keras_vidgen"
print(json.dumps({"dtype": video.dtype.name, "shape": video.shape.as_list(),
                  "sum": int(tf.reduce_sum(tf.cast(video, tf.int64))),
                  "seeded": seeded["video"].numpy().tolist()}))
"""


@pytest.fixture(scope="module")
def gan():
    return build_video_gan("dcgan3d", 8, 4, 16, g_filters=32, d_filters=8, seed=0)


@pytest.mark.slow
def test_export_loads_in_plain_tensorflow_and_matches_the_model(gan, tmp_path):
    path = export_generator(gan, str(tmp_path / "vidgen"))
    assert path == str(tmp_path / "vidgen" / "1")
    z = gan.latents(3, seed=1)
    result = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_PACKAGE, path, json.dumps(z.tolist())],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    output = json.loads(result.stdout.strip().splitlines()[-1])
    assert output["dtype"] == "uint8" and output["shape"] == [3, 4, 16, 16, 3]
    expected = gan.generate(3, seed=1)
    assert output["sum"] == int(expected.astype(np.int64).sum())
    # The same seed gives the same videos in a process that never saw keras_vidgen.
    np.testing.assert_array_equal(np.array(output["seeded"], np.uint8), gan.generate(2, seed=7))


@pytest.mark.slow
def test_saved_model_cli_lists_the_signature(gan, tmp_path):
    path = export_generator(gan, str(tmp_path / "vidgen"))
    cli = shutil.which("saved_model_cli") or os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run([cli, "show", "--dir", path, "--all"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout
    assert "signature_def['serving_default']" in text
    assert "inputs['z']" in text and "outputs['video']" in text
    assert "dtype: DT_UINT8" in text and "shape: (-1, 4, 16, 16, 3)" in text
    assert "signature_def['generate_from_seed']" in text
    assert "inputs['seed']" in text and "inputs['num']" in text and "outputs['video_float']" in text


@pytest.mark.slow
def test_saved_model_cli_runs_generate_from_seed(gan, tmp_path):
    path = export_generator(gan, str(tmp_path / "vidgen"))
    cli = shutil.which("saved_model_cli") or os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    np.save(tmp_path / "seed.npy", np.int64(4))
    np.save(tmp_path / "num.npy", np.int32(2))
    inputs = f"seed={tmp_path / 'seed.npy'};num={tmp_path / 'num.npy'}"
    result = subprocess.run(
        [cli, "run", "--dir", path, "--tag_set", "serve", "--signature_def", "generate_from_seed",
         "--inputs", inputs, "--outdir", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    video = np.load(tmp_path / "out" / "video.npy")
    np.testing.assert_array_equal(video, gan.generate(2, seed=4))


@pytest.mark.slow
def test_saved_model_cli_runs_serving_default_with_latents_on_the_command_line(gan, tmp_path):
    path = export_generator(gan, str(tmp_path / "vidgen"))
    cli = shutil.which("saved_model_cli") or os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    z = gan.latents(2, seed=3)
    result = subprocess.run(
        [cli, "run", "--dir", path, "--tag_set", "serve", "--signature_def", "serving_default",
         "--input_exprs", f"z={json.dumps(z.tolist())}", "--outdir", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "video.npy"), gan.generate(2, seed=3))


def test_versions_increment_and_are_never_overwritten(gan, tmp_path):
    base = str(tmp_path / "vidgen")
    assert next_version(base) == 1
    os.makedirs(os.path.join(base, "3"))
    os.makedirs(os.path.join(base, "not-a-version"))
    assert next_version(base) == 4
    with pytest.raises(FileExistsError, match="3 already exists"):
        export_generator(gan, base, version=3)
    assert os.listdir(os.path.join(base, "3")) == []


def test_a_failed_export_leaves_nothing_behind(gan, tmp_path, monkeypatch):
    def fail(model, path):
        os.makedirs(os.path.join(path, "variables"))
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_write_saved_model", fail)
    base = tmp_path / "vidgen"
    with pytest.raises(RuntimeError, match="disk full"):
        export_generator(gan, str(base))
    assert os.listdir(base) == []


@pytest.mark.parametrize("step, function, works_first", [
    ("writing the SavedModel", "_write_saved_model", True),
    ("writing config.json", "_write_metadata", True),
    ("writing the warm-up requests", "_write_warmup", True),
    ("verifying the export", "verify_export", True),
    ("publishing", "_publish", False),  # the rename itself fails
])
def test_each_failing_step_is_named_and_publishes_nothing(make_generator, tmp_path, monkeypatch, step, function, works_first):
    original = getattr(export, function)

    def run_then_fail(*args):
        if works_first:
            original(*args)  # the step writes its files, so there is something to clean up
        raise OSError("simulated failure")

    monkeypatch.setattr(export, function, run_then_fail)
    base = tmp_path / "vidgen"
    with pytest.raises(export.ExportError, match=f"while {step}.*simulated failure.*Nothing was published"):
        export_generator(Model(make_generator()), str(base))
    assert os.listdir(base) == []  # neither the version folder nor the temporary one


def test_verification_catches_a_saved_model_that_computes_something_else(make_generator, tmp_path, monkeypatch):
    generator = make_generator()
    other = make_generator()
    other.set_weights([w * 0.5 for w in generator.get_weights()])
    # The SavedModel is written from other weights than the generator it is checked against.
    write = export._write_saved_model
    monkeypatch.setattr(export, "_write_saved_model", lambda g, path: write(other, path))
    with pytest.raises(export.ExportError, match="serving_default's `video` differs .* at [0-9]+ of 768"):
        export_generator(Model(generator), str(tmp_path / "vidgen"))
    assert os.listdir(tmp_path / "vidgen") == []


def test_verification_catches_float_drift_that_leaves_uint8_alone(make_generator, tmp_path, monkeypatch):
    def drifting_outputs(video_float):  # what the SavedModel computes; the reference is untouched
        return {"video": media.to_uint8(video_float), "video_float": video_float + 1e-4}

    monkeypatch.setattr(export.signatures, "outputs", drifting_outputs)
    with pytest.raises(export.ExportError, match="`video_float` differs .* by up to 0.0001"):
        export_generator(Model(make_generator()), str(tmp_path / "vidgen"))


def test_a_saved_model_that_does_not_load_is_named(make_generator, tmp_path, monkeypatch):
    write = export._write_saved_model

    def write_truncated(generator, path):
        write(generator, path)
        with open(os.path.join(path, "saved_model.pb"), "r+b") as file:
            file.truncate(100)

    monkeypatch.setattr(export, "_write_saved_model", write_truncated)
    with pytest.raises(export.ExportError, match="while loading the SavedModel back"):
        export_generator(Model(make_generator()), str(tmp_path / "vidgen"))
    assert os.listdir(tmp_path / "vidgen") == []


def test_a_warmup_request_that_fails_is_named(make_generator, tmp_path, monkeypatch):
    def fail(loaded, request):
        raise ValueError("simulated")

    monkeypatch.setattr(warmup, "predict", fail)
    with pytest.raises(export.ExportError, match="while replaying warm-up request 0"):
        export_generator(Model(make_generator()), str(tmp_path / "vidgen"))
    assert os.listdir(tmp_path / "vidgen") == []


def test_metadata_records_the_model_and_its_run(make_generator, tmp_path):
    config = preset("tiny", name="shapes")
    path = export_generator(Model(make_generator()), str(tmp_path / "vidgen"), config=config)
    with open(os.path.join(path, "assets.extra", "config.json")) as file:
        metadata = json.load(file)
    assert metadata["keras_vidgen_version"] == keras_vidgen.__version__
    assert metadata["latent_dim"] == 8 and metadata["video_shape"] == [2, 8, 8, 3]
    assert metadata["generator"] == "generator"
    assert metadata["signatures"]["generate_from_seed"] == {"seed": ["int64", []], "num": ["int32", []]}
    assert TrainConfig.from_dict(metadata["train_config"]) == config
    assert not os.path.exists(os.path.join(path, "assets.extra", "class_index.json"))


def test_warmup_requests_cover_every_signature_and_run(make_generator, tmp_path):
    path = export_generator(Model(make_generator(label_classes=3)), str(tmp_path / "vidgen"))
    requests = warmup.read_warmup(path)
    assert [r.model_spec.signature_name for r in requests] == ["serving_default", "generate_from_seed"]
    assert {r.model_spec.name for r in requests} == {"vidgen"}
    loaded = tf.saved_model.load(path)
    for request in requests:
        response = warmup.predict(loaded, request)
        assert tf.make_ndarray(response.outputs["video"]).shape == (1, 2, 8, 8, 3)


def test_a_class_conditional_export_takes_labels_and_names_its_classes(make_generator, tmp_path):
    generator = make_generator(label_classes=3)
    path = export_generator(Model(generator), str(tmp_path / "vidgen"), class_names=["ball", "box", "star"])
    with open(os.path.join(path, "assets.extra", "class_index.json")) as file:
        # One format for every class_index.json (issue #15): the run folder's `{name: index}`.
        # Exports written before in `{"0": name}` still read (test_conditional.py).
        assert json.load(file) == {"ball": 0, "box": 1, "star": 2}
    loaded = tf.saved_model.load(path)
    label = tf.constant([2, 0], tf.int32)
    out = loaded.signatures["generate_from_seed"](seed=tf.constant(1, tf.int64), num=tf.constant(2), label=label)
    z = latents.seeded_latents(2, 8, 1)
    np.testing.assert_allclose(out["video_float"], generator([z, label[:, None]]), atol=1e-5)


def test_a_frame_conditional_export_takes_uint8_context(make_generator, tmp_path):
    path = export_generator(Model(make_generator(context_frames=1)), str(tmp_path / "vidgen"))
    signature = tf.saved_model.load(path).signatures["serving_default"]
    assert signature.structured_input_signature[1]["context"].dtype == tf.uint8


def test_class_names_need_a_label_input(make_generator, tmp_path):
    with pytest.raises(ValueError, match="no `label` input"):
        export_generator(Model(make_generator()), str(tmp_path / "vidgen"), class_names=["a"])
    with pytest.raises(ValueError, match="distinct"):
        export_generator(Model(make_generator(label_classes=2)), str(tmp_path / "vidgen"), class_names=["a", "a"])


def test_the_ema_generator_is_exported_when_the_model_has_one(make_generator, tmp_path):
    generator = make_generator()
    ema = make_generator()
    ema.set_weights([w * 0.5 for w in generator.get_weights()])
    model = Model(generator, ema_generator=ema)
    path = export_generator(model, str(tmp_path / "vidgen"))
    z = latents.seeded_latents(2, 8, 0)
    out = tf.saved_model.load(path).signatures["serving_default"](z=z)["video_float"]
    np.testing.assert_allclose(out, ema(z), atol=1e-5)
    assert not np.allclose(out, generator(z), atol=1e-3)
    with open(os.path.join(path, "assets.extra", "config.json")) as file:
        assert json.load(file)["generator"] == "ema_generator"


def test_conditional_models_of_the_package_export_and_serve(tmp_path):
    # Their generators take a dict of inputs, whose order differs from the signatures' order.
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0, num_classes=3,
                          context_frames=1)
    gan.compile(g_optimizer="adam", d_optimizer="adam")
    version = export_generator(gan, str(tmp_path / "m"))
    context = np.random.default_rng(0).integers(0, 256, (2, 1, 16, 16, 3), dtype=np.uint8)
    served = load_sampler(version).from_seed(2, seed=5, label=1, context=context)
    expected = gan.render(gan.latents(2, 5), labels=[1, 1], context=context)
    np.testing.assert_allclose(served / 255.0, media.to_uint8(expected).numpy() / 255.0, atol=1 / 255)
