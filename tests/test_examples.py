import importlib.util
import os

import pytest
import tensorflow as tf

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quickstart_runs_as_written(tmp_path):
    export_path = load_example("quickstart").main(steps_per_epoch=2, epochs=1, workdir=str(tmp_path))
    assert tf.saved_model.contains_saved_model(export_path)
    for name in ("run.keras", "samples.gif"):
        assert (tmp_path / name).exists(), name
