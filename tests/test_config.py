import dataclasses

import pytest

from keras_vidgen.config import PRESETS, TrainConfig, preset


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
