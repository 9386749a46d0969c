"""oneDNN is asked for at import, in fresh processes, as a user's script or `vidgen` would start."""

import os
import subprocess
import sys

import pytest

from keras_vidgen import onednn

# TensorFlow's own log line, printed when its core reads the setting at `import tensorflow`: the
# kernels' truth, where `IsMklEnabled()`'s Python binding only repeats the variable it first saw.
ONEDNN_ON_LOG = "oneDNN custom operations are on"


def run_python(code, **env_overrides):
    env = {key: value for key, value in os.environ.items() if key != "TF_ENABLE_ONEDNN_OPTS"}
    env.update(TF_CPP_MIN_LOG_LEVEL="0", **env_overrides)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result


IMPORT_FIRST = """
import keras_vidgen, os
from keras_vidgen import onednn
print(os.environ["TF_ENABLE_ONEDNN_OPTS"], onednn.enabled(), onednn.set_here)
"""


@pytest.mark.skipif(not onednn.available(), reason="this TensorFlow has no oneDNN")
def test_importing_the_package_first_turns_onednn_on_when_the_variable_is_unset():
    result = run_python(IMPORT_FIRST)
    assert result.stdout.split() == ["1", "True", "True"]
    assert ONEDNN_ON_LOG in result.stderr
    assert "OneDNNWarning" not in result.stderr


def test_a_users_own_setting_is_kept():
    result = run_python(IMPORT_FIRST, TF_ENABLE_ONEDNN_OPTS="0")
    assert result.stdout.split() == ["0", "False", "False"]
    assert ONEDNN_ON_LOG not in result.stderr
    assert "OneDNNWarning" not in result.stderr


def test_tensorflow_imported_first_gets_one_warning_exactly_when_onednn_stayed_off():
    result = run_python("import tensorflow\n" + IMPORT_FIRST.replace('os.environ["TF_ENABLE_ONEDNN_OPTS"]',
                                                                      'os.environ.get("TF_ENABLE_ONEDNN_OPTS")'))
    variable, state, set_here = result.stdout.split()
    assert set_here == "False"
    assert variable == "None"  # nothing changed behind TensorFlow's back
    core_on = ONEDNN_ON_LOG in result.stderr  # on by default on CPUs with AVX-512 VNNI/AMX
    assert state == str(core_on)
    assert result.stderr.count("OneDNNWarning") == (0 if core_on else 1)


@pytest.mark.skipif(not onednn.available(), reason="this TensorFlow has no oneDNN")
def test_the_cli_runs_with_onednn_on():
    result = run_python("from keras_vidgen.cli import main; from keras_vidgen import onednn; "
                        "print(onednn.enabled())")
    assert result.stdout.split() == ["True"]
