"""`vidgen train`'s (and `inspect-data`'s) flags, derived from the config dataclasses' fields.

Each setting of `keras_vidgen.config` becomes one flag (`data.frames` -> `--frames`): its type,
choices and help come from the field, so a new setting needs no edit here. Unset flags are left
out of the parsed arguments entirely, so the preset's (or config file's) value stays.
"""

import argparse

from keras_vidgen import config as vidgen_config

def add_setting_flags(parser, paths=None):
    """Adds one flag per setting (or per setting in `paths`) to an argparse parser."""
    for path, field, hint in vidgen_config.settings_of():
        if paths is not None and path not in paths:
            continue
        meta, kind = field.metadata, vidgen_config.value_type(hint)
        options = dict(dest=path, default=argparse.SUPPRESS,
                       help=vidgen_config.setting_help(path).replace("%", "%%") or None)
        if kind is bool and meta.get("parse") is None:
            options["action"] = argparse.BooleanOptionalAction
        else:
            options["type"] = meta.get("parse") or kind
            if meta.get("choices") is not None:
                options["choices"] = meta["choices"]
            else:
                options["metavar"] = _metavar(field.name, kind, meta.get("words", ()))
        parser.add_argument(flag_of(path), **options)
        if meta.get("off_flag"):
            parser.add_argument("--" + meta["off_flag"], dest=path, action="store_const",
                                const=None, default=argparse.SUPPRESS,
                                help=f"sets {field.name} to None (off)")


def flag_of(path):
    """The flag of a setting's dotted path: `data.frames` -> `--frames`, `g_learning_rate` -> `--g-lr`."""
    fields = {setting: field for setting, field, _ in vidgen_config.settings_of()}
    field = fields.get(path)
    name = (field.metadata.get("flag") if field is not None else None) or path.rpartition(".")[2]
    return "--" + name.replace("_", "-")


def name_as_flag(path, value):
    """A setting as the command line spells it, for error messages: `--frames 0`."""
    if value is None:
        return flag_of(path)
    if isinstance(value, bool):
        return flag_of(path) if value else "--no-" + flag_of(path)[2:]
    return f"{flag_of(path)} {value}"


def config_from_args(args):
    """Builds the `TrainConfig` of `vidgen train`: a preset or a config file, then the flags given.

    `TrainConfig.check()` (which `vidgen train` calls at once, and `train()` first thing) then
    tells whether the settings work together.
    """
    if getattr(args, "config", None):
        config = vidgen_config.TrainConfig.load(args.config)
    else:
        config = vidgen_config.preset(getattr(args, "preset", vidgen_config.MAIN_JOB_PRESET))
    paths = {path for path, _, _ in vidgen_config.settings_of()}
    given = {key: value for key, value in vars(args).items() if key in paths}
    return config.updated(given)


def data_config_from_args(args):
    """The `DataConfig` of the data flags given (defaults for the rest), checked."""
    given = {key.partition(".")[2]: value for key, value in vars(args).items()
             if key.startswith("data.")}
    return vidgen_config.DataConfig(**given).check_fields("data.")


def _metavar(name, kind, words):
    """`FRAMES`; or the values themselves where a setting takes words: `N|all`, `on|off|auto`."""
    if not words:
        return name.upper()
    return "|".join([{bool: "on|off", int: "N"}.get(kind, name.upper()), *words])
