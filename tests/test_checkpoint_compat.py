"""`.keras` checkpoints saved by earlier versions still load and train on identically.

The fixtures were written by `tests/fixtures/make_checkpoints.py` with the code as it was before
issue #15 restructured the config and `VideoGAN`; the script documents what they cover.
"""

import json
import os
import sys

import numpy as np
import pytest

import keras_vidgen  # noqa: F401 -- VideoGAN and its layers load once Keras is imported

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
sys.path.insert(0, FIXTURES)

import make_checkpoints  # noqa: E402


@pytest.mark.parametrize("name", sorted(make_checkpoints.CHECKPOINTS))
def test_an_old_checkpoint_loads_and_trains_on_identically(name):
    build, _ = make_checkpoints.CHECKPOINTS[name]
    model = make_checkpoints.load(os.path.join(FIXTURES, f"{name}.keras"))
    batches = make_checkpoints.fixed_batches(bool(build.get("num_classes")), make_checkpoints.STEPS,
                                             seed=2)
    make_checkpoints.fit_batches(model, batches)
    with open(os.path.join(FIXTURES, f"{name}.expected.json")) as file:
        expected = json.load(file)
    got = make_checkpoints.fingerprint(model)
    assert list(got) == list(expected)  # the same variables, in the same order
    # Adam moves a weight by about one learning rate a step whatever its gradient's size, so a
    # rounding difference in a gradient near zero moves a small weight by a share of that step
    # (seen on a Zen 4 EPYC: a bias's value 9.4750e-4 against 9.4648e-4, all else equal). A
    # real change (a weight, an optimizer state or a random draw not restored) moves values by
    # whole steps: the values may differ by 1% of the smallest learning rate.
    step_rounding = 0.01 * min(float(model.g_optimizer.learning_rate), float(model.d_optimizer.learning_rate))
    for key, (total, squares, *first) in expected.items():
        # Float32 arithmetic, equal up to rounding of the same operations: oneDNN may split a
        # reduction differently from run to run (seen under load on a Zen 1 EPYC: a kernel's sum
        # of -1.87433 against -1.87435). The sum of squares and the first values are checked
        # relative to themselves (the values also to `step_rounding`); the plain sum, whose terms
        # cancel, relative to the size of its terms (at most sqrt(count * sum of squares)), as its
        # rounding is.
        got_total, *got_rest = got[key]
        np.testing.assert_allclose(got_rest[0], squares, rtol=1e-5, atol=1e-6, err_msg=key)
        np.testing.assert_allclose(got_rest[1:], first, rtol=1e-5, atol=max(1e-6, step_rounding), err_msg=key)
        terms = np.sqrt(_values_in(key) * squares)
        np.testing.assert_allclose(got_total, total, rtol=0, atol=1e-5 * terms + 1e-6, err_msg=key)


def _values_in(key):
    """The number of values of a fingerprint's variable, from its key `index:name:shape`."""
    shape = key.rsplit(":", 1)[1]
    return int(np.prod([int(size) for size in shape.split("x")])) if shape else 1


def test_a_plain_import_is_light_and_still_lets_keras_load_a_checkpoint():
    # `import keras_vidgen` does not load TensorFlow (so `vidgen` checks flags at once), yet a
    # `.keras` file loads after it, whether Keras is imported before or after the package.
    import subprocess

    path = os.path.join(FIXTURES, "mocogan_wgan.keras")
    for imports in ("import keras_vidgen, sys; assert 'tensorflow' not in sys.modules; import keras",
                    "import keras, keras_vidgen",
                    # A layer first: Keras loads (and registers the models) inside that import.
                    "from keras_vidgen.layers import MoveForeground; import keras",
                    "import keras_vidgen.layers.motion_code; import keras"):
        code = f"{imports}; print(type(keras.models.load_model({path!r})).__name__)"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0 and result.stdout.strip() == "VideoGAN", result.stderr[-2000:]
