import dataclasses

import pytest

from keras_vidgen.config import PRESETS, TrainConfig, parse_settings, preset


def test_json_round_trip(tmp_path):
    config = preset("tiny", name="x", loss="bce", export_dir=None)
    config.save(tmp_path / "config.json")
    assert TrainConfig.load(tmp_path / "config.json") == config


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_resolve(name):
    config = preset(name)
    assert config.data.frames > 0 and config.model.latent_dim > 0


def test_overrides_replace_top_level_fields():
    assert preset("small", epochs=3).epochs == 3


def test_the_benchmarks_set_strings_read_as_json_else_text():
    settings = parse_settings(["data.batch_size=16", "augment=color,cutout", "model.d_join_size=null",
                               "model.mapping_lr_multiplier=0.01", "model.output_skips=true"])
    assert settings == {"data.batch_size": 16, "augment": "color,cutout", "model.d_join_size": None,
                        "model.mapping_lr_multiplier": 0.01, "model.output_skips": True}
    config = preset("small").updated(settings).check()
    assert (config.data.batch_size, config.model.d_join_size, config.model.output_skips) == (16, None, True)
    with pytest.raises(ConfigError, match="seed=None: write a setting as path=value"):
        parse_settings(["seed"])


def test_unknown_settings_are_named():
    values = dataclasses.asdict(TrainConfig())
    values["data"]["fps_typo"] = 3
    with pytest.raises(ValueError, match="fps_typo"):
        TrainConfig.from_dict(values)
    with pytest.raises(ValueError, match="huge"):
        preset("huge")


def test_data_options_round_trip(tmp_path):
    config = preset("tiny")
    config = dataclasses.replace(config, data=dataclasses.replace(
        config.data, fps=7.5, clips_per_video="all", labels="folder", on_error="skip", cache="memory"))
    config.save(tmp_path / "config.json")
    assert TrainConfig.load(tmp_path / "config.json") == config


# --- One source of truth: choices from the registries, checks before anything runs -------------

from keras_vidgen import choices, config as vidgen_config  # noqa: E402
from keras_vidgen.errors import ConfigError  # noqa: E402


def test_the_choices_are_the_registries_names():
    from keras_vidgen import distribute, losses, models
    from keras_vidgen.data import labels, policies, sampling, transforms
    from keras_vidgen.layers.diff_augment import POLICIES as AUGMENTATIONS

    assert tuple(models.ARCHITECTURES) == choices.ARCHITECTURES
    assert set(losses.LOSSES) == set(choices.LOSSES)
    assert distribute.STRATEGIES == choices.STRATEGIES
    assert AUGMENTATIONS == choices.AUGMENTATIONS
    assert labels.LABEL_SOURCES == choices.LABEL_SOURCES
    assert policies.ON_ERROR_POLICIES == choices.ON_ERROR_POLICIES
    assert sampling.CLIP_STARTS == choices.CLIP_STARTS
    assert sampling.SHORT_VIDEO_POLICIES == choices.SHORT_VIDEO_POLICIES
    assert transforms.CROPS == choices.CROPS


def test_every_setting_has_help_from_its_docstring():
    for path, _, _ in vidgen_config.settings_of():
        assert vidgen_config.setting_help(path), path


@pytest.mark.parametrize("settings, named", [
    ({"model.arch": "dcgan"}, ["model.arch"]),
    ({"loss": "hinj"}, ["loss"]),
    ({"data.labels": "folders", "model.num_classes": 2}, ["data.labels"]),
    ({"data.frames": 0}, ["data.frames"]),
    ({"data.batch_size": -1}, ["data.batch_size"]),
    ({"data.frames": 2.5}, ["data.frames"]),
    ({"data.clips_per_video": "some"}, ["data.clips_per_video"]),
    ({"model.ema_decay": 1.0}, ["model.ema_decay"]),
    ({"augment": "color,zoom"}, ["augment"]),
    ({"jit_compile": "sometimes"}, ["jit_compile"]),
    ({"data.labels": "folder"}, ["data.labels", "model.num_classes"]),
    ({"model.num_classes": 3}, ["model.num_classes", "data.labels"]),
    ({"model.context_frames": 4}, ["model.context_frames", "data.frames"]),
    ({"n_critic": 5, "strategy": "mirrored"}, ["n_critic", "strategy"]),
    ({"mode_seeking_weight": 1.0, "data.batch_size": 1}, ["mode_seeking_weight", "data.batch_size"]),
    ({"mode_seeking_pool": 4}, ["mode_seeking_pool", "mode_seeking_weight"]),
    ({"mode_seeking_weight": 1.0, "mode_seeking_pool": 3}, ["mode_seeking_pool", "data.size"]),
    ({"mode_seeking_space": "discriminator"}, ["mode_seeking_space", "mode_seeking_weight"]),
    ({"mode_seeking_steps": 800}, ["mode_seeking_steps", "mode_seeking_weight"]),
    ({"mode_seeking_weight": 1.0, "mode_seeking_steps": 0}, ["mode_seeking_steps"]),
    ({"mode_seeking_weight": 1.0, "mode_seeking_space": "discriminator", "mode_seeking_pool": 2},
     ["mode_seeking_pool", "mode_seeking_space"]),
])
def test_check_names_the_settings_their_values_and_what_works(settings, named):
    config = preset("tiny").updated(settings)  # tiny: 4 frames
    with pytest.raises(ConfigError) as error:
        config.check()
    assert error.value.fields == named
    message = str(error.value)
    assert all(f"{path}=" in message for path in named), message
    if "model.arch" in named:
        assert "dvdgan" in message  # the choices


def test_good_settings_pass_and_words_are_allowed():
    config = preset("tiny").updated({
        "data.clips_per_video": "all", "jit_compile": False, "data.labels": "folder",
        "model.num_classes": 2, "model.context_frames": 3, "n_critic": 2, "model.ema_decay": 0.0,
        "augment": "color, cutout", "data.fps": 8,
    })
    assert config.check() is config


def test_preset_and_from_dict_errors_are_config_errors():
    with pytest.raises(ConfigError, match="preset='huge' is not a preset"):
        preset("huge")
    with pytest.raises(ConfigError, match="epochs=0 must be at least 1"):
        preset("tiny", epochs=0)
    with pytest.raises(ConfigError, match="is not a setting"):
        preset("tiny").updated({"optimizer.beta": 1})


@pytest.mark.parametrize("settings, named", [
    ({"model.task": "predict"}, ["model.task", "model.observed"]),
    ({"model.task": "predict", "model.observed": 16}, ["model.observed", "data.frames"]),
    ({"model.task": "interpolate", "model.observed": 3}, ["model.observed", "model.task"]),
    ({"model.observed": 2}, ["model.observed", "model.task"]),
    ({"gdl_weight": 1.0}, ["gdl_weight", "model.task"]),
    ({"adversarial_weight": 0.0}, ["adversarial_weight", "model.task"]),
    ({"model.task": "predict", "model.observed": 4, "model.context_frames": 2},
     ["model.context_frames", "model.task"]),
    ({"model.task": "predict", "model.observed": 4, "n_critic": 2}, ["n_critic", "model.task"]),
    ({"model.task": "predict", "model.observed": 4, "loss": "wgan-gp"}, ["loss", "model.task"]),
    ({"model.task": "predict", "model.observed": 4, "mode_seeking_weight": 1.0},
     ["mode_seeking_weight", "model.task"]),
    ({"model.task": "predict", "model.observed": 4, "recon_weight": 0.0, "adversarial_weight": 0.0},
     ["recon_weight", "gdl_weight", "adversarial_weight"]),
])
def test_task_rules_name_the_settings(settings, named):
    with pytest.raises(ConfigError) as caught:
        preset("tiny", epochs=1).updated({"data.frames": 16, **settings}).check()
    assert caught.value.fields == named


def test_tasks_and_optimizers_pass_and_round_trip(tmp_path):
    config = preset("tiny").updated({
        "data.frames": 12, "model.task": "interpolate", "model.observed": 2, "gdl_weight": 1.0,
        "adversarial_weight": 0.0, "recon_loss": "l1", "optimizer": "rmsprop", "d_optimizer": "adadelta",
    }).check()
    config.save(tmp_path / "config.json")
    assert TrainConfig.load(tmp_path / "config.json") == config
    # Unset, the adversarial weight is the task's: GANs are adversarial, predictors regress.
    assert preset("tiny").effective_adversarial_weight() == 1.0
    assert config.updated({"adversarial_weight": None}).effective_adversarial_weight() == 0.0
    # Unset, the generator's gradient clipping too: never for GANs, scaled to the
    # reconstruction's weight for predictors; 0 turns it off.
    assert preset("tiny").effective_g_clip_norm() == 0.0
    assert config.updated({"recon_weight": 4.0}).effective_g_clip_norm() == pytest.approx(0.4)
    assert config.updated({"g_clip_norm": 0.0}).effective_g_clip_norm() == 0.0


def test_turning_off_a_presets_still_background_drops_its_options():
    """`vidgen train --no-still-background` on the main job: its background's width and its mask's
    prior go with it; one given alongside, or in a config file without the background, is
    refused at once."""
    config = preset("small").updated({"model.still_background": False}).check()
    assert config.model.background_filters is None and config.model.cover_change_weight is None
    assert preset("small").updated({"model.sprite_foreground": True,
                                    "model.still_background": False}).model.sprite_foreground
    assert preset("small").updated({"model.sprite_foreground": True}).updated(
        {"model.still_background": False}).check().model.sprite_foreground is False
    # Other settings leave them.
    kept = preset("small").updated({"model.d_join_size": 8}).check().model
    assert (kept.background_filters, kept.cover_change_weight) == (128, 3.0)
    with pytest.raises(ConfigError, match="model.background_filters=64 is an option of the still "
                       r"background \(its layers or its mask\), and with model.still_background=False "
                       "there is none"):
        preset("small").updated({"model.still_background": False, "model.background_filters": 64}).check()
    settings = preset("small").to_dict()
    settings["model"]["still_background"] = False
    with pytest.raises(ConfigError, match="model.background_filters=128"):
        TrainConfig.from_dict(settings).check()
    settings["model"]["background_filters"] = None
    with pytest.raises(ConfigError, match="model.cover_change_weight=3.0 is an option of the still background"):
        TrainConfig.from_dict(settings).check()


def test_turning_off_bases_cover_change_prior_drops_when_it_starts():
    """`vidgen train --preset base --cover-change-weight 0`: the prior's start goes with it; given
    alongside, or in a config file without the weight, it is refused at once."""
    assert (preset("base").model.cover_change_weight, preset("base").model.cover_change_from) == (10.0, 1000)
    config = preset("base").updated({"model.cover_change_weight": 0.0}).check()
    assert config.model.cover_change_from is None
    with pytest.raises(ConfigError, match="model.cover_change_from=500 says when the prior on the mask's "
                       "cover changing starts, and model.cover_change_weight=0.0 turns that prior off"):
        preset("base").updated({"model.cover_change_weight": 0.0, "model.cover_change_from": 500}).check()
    settings = preset("base").to_dict()
    settings["model"]["cover_change_weight"] = None
    with pytest.raises(ConfigError, match="model.cover_change_from=1000"):
        TrainConfig.from_dict(settings).check()


def test_another_architecture_on_a_stylegan_v_preset_drops_the_presets_stylegan_v_options():
    """`vidgen train --preset small --arch dcgan3d`: the preset's d_join_size, sparse_frames and
    mapping settings are stylegan-v's; given by the user alongside, they are still refused."""
    config = preset("small").updated({"model.arch": "dcgan3d"}).check()
    assert config.model.d_join_size is None and config.model.sparse_frames is None
    assert config.model.sparse_max_distance is None
    assert config.model.mapping_layers is None and config.data.size == 32
    with pytest.raises(ConfigError, match="model.d_join_size=16 is an option of the continuous-time"):
        preset("small").updated({"model.arch": "dcgan3d", "model.d_join_size": 16}).check()
    # Staying continuous-time keeps them.
    assert preset("small").updated({"model.arch": "stylegan-v"}).model.d_join_size == 16
