import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen.config import preset
from keras_vidgen.train import build_model


def cosine_run(**overrides):
    return preset("tiny", **{"lr_schedule": "cosine", "epochs": 2, "steps_per_epoch": 3, **overrides})


def fit_steps(model, steps):
    clips = tf.data.Dataset.from_tensors(np.zeros((2, 4, 16, 16, 3), np.float32)).repeat()
    model.fit(clips, epochs=1, steps_per_epoch=steps, verbose=0)


def rates(model):
    return [float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            for optimizer in (model.g_optimizer, model.d_optimizer)]


def test_constant_rates_are_the_configured_ones():
    config = preset("tiny", g_learning_rate=1e-3, d_learning_rate=3e-4)
    model = build_model(config)
    fit_steps(model, 2)
    assert rates(model) == pytest.approx([1e-3, 3e-4])


def test_cosine_rates_halve_midway_and_reach_zero_at_the_last_step():
    config = cosine_run()
    model = build_model(config)
    assert rates(model) == pytest.approx([config.g_learning_rate, config.d_learning_rate])
    fit_steps(model, 3)  # half of epochs * steps_per_epoch
    assert rates(model) == pytest.approx([config.g_learning_rate / 2, config.d_learning_rate / 2])
    fit_steps(model, 3)
    assert rates(model) == pytest.approx([0.0, 0.0], abs=1e-12)


@pytest.mark.parametrize("network", ["g", "d"])
def test_one_network_s_own_schedule_overrides_the_shared_one(network):
    config = preset("tiny", **{f"{network}_lr_schedule": "cosine"}, epochs=2, steps_per_epoch=3)
    model = build_model(config)
    fit_steps(model, 3)  # half of the run: the overridden rate halved, the other held
    halved = {"g": [config.g_learning_rate / 2, config.d_learning_rate],
              "d": [config.g_learning_rate, config.d_learning_rate / 2]}[network]
    assert rates(model) == pytest.approx(halved)


def test_with_n_critic_the_generator_decays_over_its_own_fewer_steps():
    config = cosine_run(n_critic=2, epochs=4)  # 12 D steps, 6 G steps
    model = build_model(config)
    fit_steps(model, 6)
    assert int(model.g_optimizer.iterations) == 3
    assert rates(model) == pytest.approx([config.g_learning_rate / 2, config.d_learning_rate / 2])


def test_a_saved_run_continues_its_schedule(tmp_path):
    model = build_model(cosine_run())
    fit_steps(model, 2)
    model.save(tmp_path / "run.keras")
    restored = keras.models.load_model(tmp_path / "run.keras")
    assert rates(restored) == pytest.approx(rates(model))
    fit_steps(model, 1)
    fit_steps(restored, 1)
    assert rates(restored) == pytest.approx(rates(model))
    assert rates(restored)[0] < cosine_run().g_learning_rate / 2


def test_warm_up_rises_in_a_straight_line_then_holds_the_rates():
    config = preset("tiny", lr_warmup_steps=4, epochs=2, steps_per_epoch=3)
    model = build_model(config)
    assert rates(model) == pytest.approx([0.0, 0.0])
    fit_steps(model, 1)
    assert rates(model) == pytest.approx([config.g_learning_rate / 4, config.d_learning_rate / 4])
    fit_steps(model, 2)
    assert rates(model) == pytest.approx([config.g_learning_rate * 3 / 4, config.d_learning_rate * 3 / 4])
    for _ in range(3):  # to the run's last step and past it: held at the configured rates
        fit_steps(model, 1)
        assert rates(model) == pytest.approx([config.g_learning_rate, config.d_learning_rate])


def test_warm_up_then_cosine_reaches_zero_at_the_last_step():
    config = cosine_run(lr_warmup_steps=2, epochs=2, steps_per_epoch=3)  # 2 up, 4 down
    model = build_model(config)
    fit_steps(model, 2)
    assert rates(model) == pytest.approx([config.g_learning_rate, config.d_learning_rate])
    fit_steps(model, 2)
    assert rates(model) == pytest.approx([config.g_learning_rate / 2, config.d_learning_rate / 2])
    fit_steps(model, 2)
    assert rates(model) == pytest.approx([0.0, 0.0], abs=1e-12)


def test_with_n_critic_the_generator_warms_up_over_its_own_fewer_steps():
    config = preset("tiny", lr_warmup_steps=4, n_critic=2, epochs=2, steps_per_epoch=4)
    model = build_model(config)
    fit_steps(model, 2)  # one G step of its two-step warm-up, two of D's four
    assert rates(model) == pytest.approx([config.g_learning_rate / 2, config.d_learning_rate / 2])


def test_a_saved_run_continues_its_warm_up(tmp_path):
    config = preset("tiny", lr_warmup_steps=4)
    model = build_model(config)
    fit_steps(model, 1)
    model.save(tmp_path / "run.keras")
    restored = keras.models.load_model(tmp_path / "run.keras")
    fit_steps(restored, 1)
    assert rates(restored) == pytest.approx([config.g_learning_rate / 2, config.d_learning_rate / 2])


def test_an_unknown_schedule_is_named():
    with pytest.raises(ValueError, match="'linear'.*constant.*cosine"):
        build_model(preset("tiny", lr_schedule="linear"))
