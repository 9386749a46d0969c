import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from keras_vidgen.export import export_generator, next_version
from keras_vidgen.models import build_video_gan

LOAD_WITHOUT_PACKAGE = r"""
import json, sys
import numpy as np
import tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
signature = model.signatures["serving_default"]
z = np.array(json.loads(sys.argv[2]), np.float32)
video = signature(z=tf.constant(z))["video"]
assert not any(name.startswith("keras_vidgen") for name in sys.modules), "imported keras_vidgen"
print(json.dumps({"dtype": video.dtype.name, "shape": video.shape.as_list(),
                  "sum": int(tf.reduce_sum(tf.cast(video, tf.int64)))}))
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
    from keras_vidgen import export

    def fail(model, path):
        os.makedirs(os.path.join(path, "variables"))
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_write_saved_model", fail)
    base = tmp_path / "vidgen"
    with pytest.raises(RuntimeError, match="disk full"):
        export_generator(gan, str(base))
    assert os.listdir(base) == []
