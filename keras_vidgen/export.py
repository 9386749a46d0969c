"""Exporting the generator as a SavedModel that TF Serving loads: `<base>/<name>/<version>/`.

A version holds the signatures of `keras_vidgen.signatures` (core TF ops only) and, in
`assets.extra/`, `config.json` (what was exported, from what run), `class_index.json` (class
names of a class-conditional generator) and TF Serving's warm-up requests. It is written to a
hidden temporary folder, loaded back and checked against the in-process generator, and only then
renamed into place: a server watching the base folder never sees a half-written or wrong version.
"""

import json
import os
import re
import shutil
import tempfile

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import media, signatures, warmup
from keras_vidgen.data import labels
from keras_vidgen.errors import ConfigError, ExportError, ModelError

_VERSION = re.compile(r"^\d+$")
METADATA_DIR = "assets.extra"
CONFIG_FILE, CLASS_INDEX_FILE = "config.json", labels.CLASS_INDEX_FILE
FLOAT_TOLERANCE = 1e-5

__all__ = ["ExportError", "export_generator", "serving_generator", "verify_export"]


def export_generator(model, base_dir, version=None, overwrite=False, config=None, class_names=None):
    """Exports a `VideoGAN`'s generator as a SavedModel version ready for TF Serving.

    The generator exported is `model.ema_generator` when the model has one (the moving average of
    the weights, which samples better) and `model.generator` otherwise. Signatures, named:

    - `serving_default`: `z` float32 `[N, latent_dim]` -> `video` uint8 `[N, frames, height,
      width, 3]` and `video_float` float32, same shape, in [-1, 1].
    - `generate_from_seed`: `seed` int64 scalar, `num` int32 scalar -> the same outputs for `num`
      videos; a seed gives the same videos as `VideoGAN.generate(num, seed)` and `vidgen sample`.

    A generator with a `label` input adds `label` int32 `[N]` to both; one with a `context` input
    adds `context` uint8 `[N, k, height, width, 3]`; a continuous-time one (`stylegan-v`) adds
    `times` float32 `[N, T]` (the frame times to render, any `T`) to `serving_default` and
    `frames` int32 scalar to `generate_from_seed` (see `keras_vidgen.signatures`).

    Args:
        model: a `VideoGAN` (anything with a `generator` attribute).
        base_dir: the model's base folder, the one TF Serving's `--model_base_path` names.
        version: integer version; defaults to one above the highest existing version.
        overwrite: replace an existing version instead of failing.
        config: the run's `TrainConfig` (or its dict), stored in `config.json`.
        class_names: names of a class-conditional generator's labels, index order; written as
            `class_index.json` (`{"name": index}`). Default: the model's own `class_names` (a
            `VideoGAN` trained on labelled data carries them).

    Returns:
        The path of the version folder written.

    Raises:
        FileExistsError: the version exists and `overwrite` is false.
        ExportError: a step failed (writing, loading back, a signature's check, the warm-up
            replay); its message names the step. No version folder or temporary folder remains.

    Example:
        >>> export_generator(gan, "saved_models/vidgen", config=train_config)
        'saved_models/vidgen/1'
    """
    if getattr(model, "task", "generate") != "generate":  # a VideoPredictor: other signatures
        from keras_vidgen.prediction_export import export_predictor
        return export_predictor(model, base_dir, version, overwrite, config)
    generator = serving_generator(model)
    signatures.input_names(generator)
    if class_names is None:
        class_names = getattr(model, "class_names", None)
    _check_class_names(generator, class_names)
    name = os.path.basename(os.path.normpath(base_dir))
    return write_version(base_dir, version, overwrite, lambda staging: [
        ("writing the SavedModel", lambda: _write_saved_model(generator, staging)),
        ("writing config.json and class_index.json",
         lambda: _write_metadata(model, generator, staging, config, class_names)),
        ("writing the warm-up requests", lambda: _write_warmup(generator, staging, name)),
        ("verifying the export", lambda: verify_export(staging, generator)),
    ])


def write_version(base_dir, version, overwrite, steps):
    """Writes SavedModel version `version` of `base_dir` by named steps, then publishes it.

    The steps write into a staging folder beside the target; the version appears with one rename
    after all of them succeed, so TF Serving never loads half an export, and a failure leaves
    nothing behind. Shared by every kind of export (generators here, predictors in
    `prediction_export`).

    Args:
        base_dir: the model's base folder.
        version: integer version, or `None` for one above the highest existing one.
        overwrite: replace an existing version instead of failing.
        steps: `steps(staging_folder)` -> `[(description, callable), ...]`, run in order.

    Returns:
        The published version folder.

    Raises:
        FileExistsError: the version exists and `overwrite` is false.
        ExportError: a step failed; its message names the step. Nothing is published.
    """
    version = next_version(base_dir) if version is None else int(version)
    if version < 1:
        raise ConfigError("{0} must be a positive integer (a SavedModel version)", ("version", version))
    target = os.path.join(base_dir, str(version))
    if os.path.exists(target) and not overwrite:
        raise FileExistsError(
            f"{target} already exists; pass another version or overwrite=True (--overwrite)."
        )
    os.makedirs(base_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".export-{version}-", dir=base_dir)
    try:
        for step, run in steps(staging) + [("publishing", lambda: _publish(staging, target))]:
            _run_step(step, run, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def serving_generator(model):
    """Returns the generator to export: `model.ema_generator` if present, else `model.generator`."""
    ema = getattr(model, "ema_generator", None)
    return ema if ema is not None else model.generator


def next_version(base_dir):
    """Returns one above the highest integer version folder in `base_dir` (1 if none)."""
    return max(existing_versions(base_dir), default=0) + 1


def existing_versions(base_dir):
    """Returns the integer version numbers of the folders in `base_dir` (TF Serving ignores others)."""
    if not os.path.isdir(base_dir):
        return []
    return sorted(int(name) for name in os.listdir(base_dir) if _VERSION.match(name))


def verify_export(path, generator):
    """Loads the SavedModel at `path` and checks every signature against the in-process generator.

    Each signature runs once on `signatures.sample_inputs`, and is compared with the generator
    run eagerly in this process on the same latents: `video_float` must agree within
    `FLOAT_TOLERANCE` and `video` exactly, except where the float lies within that tolerance of
    a uint8 rounding boundary (there either neighbour is right). Every warm-up request must run.

    Raises:
        ExportError: naming the check that failed.
    """
    loaded = _run_step("loading the SavedModel back", lambda: tf.saved_model.load(path), path)
    missing = sorted(set(signatures.NAMES) - set(loaded.signatures))
    if missing:
        raise ExportError(f"{path}: signature(s) {missing} are missing from the SavedModel.")
    for name in signatures.NAMES:
        inputs = signatures.sample_inputs(generator, name)
        got = _run_step(f"running signature {name}", lambda: loaded.signatures[name](**inputs), path)
        _compare(path, name, got, _in_process_video(generator, name, inputs).numpy())
    for index, request in enumerate(warmup.read_warmup(path)):
        _run_step(f"replaying warm-up request {index}", lambda: warmup.predict(loaded, request), path)


def _run_step(step, run, target):
    try:
        return run()
    except ExportError:
        raise
    except Exception as error:
        raise ExportError(
            f"Exporting {target} failed while {step}: {type(error).__name__}: {error}. "
            "Nothing was published."
        ) from error


def _write_saved_model(generator, path):
    archive = keras.export.ExportArchive()
    archive.track(generator)
    for name, signature in signatures.build_signatures(generator).items():
        archive.add_endpoint(name, signature.function)
    archive.write_out(path, verbose=False)


def _write_metadata(model, generator, path, config, class_names):
    from keras_vidgen import __version__

    folder = os.path.join(path, METADATA_DIR)
    os.makedirs(folder, exist_ok=True)
    metadata = {
        "keras_vidgen_version": __version__,
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
        "generator": "ema_generator" if generator is not model.generator else "generator",
        "latent_dim": signatures.latent_dim(generator),
        # A continuous-time generator's frame count is its caller's: null.
        "video_shape": [None if d is None else int(d) for d in generator.output_shape[1:]],
        # What a continuous-time generator renders by default: the training clips' length.
        "frames": getattr(model, "frames", None),
        "signatures": {
            name: {spec.name: [spec.dtype.name, spec.shape.as_list()] for spec in signature.specs}
            for name, signature in signatures.build_signatures(generator).items()
        },
        "train_config": config.to_dict() if hasattr(config, "to_dict") else config,
    }
    _write_json(os.path.join(folder, CONFIG_FILE), metadata)
    if class_names is not None:
        labels.save_class_index(os.path.join(folder, CLASS_INDEX_FILE), class_names)


def _write_warmup(generator, path, model_name):
    requests = [
        warmup.predict_request(model_name, name, signatures.sample_inputs(generator, name, num=1))
        for name in signatures.NAMES
    ]
    warmup.write_warmup(path, requests)


def _publish(staging, target):
    if os.path.exists(target):
        shutil.rmtree(target)
    os.rename(staging, target)


def _in_process_video(generator, name, inputs):
    if name == signatures.FROM_SEED:
        inputs = signatures.seed_to_generator_inputs(generator, inputs)
    return signatures.run_generator(generator, inputs)


def _compare(path, name, got, reference):
    video = got["video"].numpy()
    if video.shape != reference.shape:
        raise ExportError(
            f"{path}: signature {name}'s `video` has shape {video.shape}, the in-process "
            f"generator's {reference.shape}."
        )
    # A graph may fuse ops and round differently from eager Keras (by ~1e-7): where the float
    # lies that close to a rounding boundary, either neighbouring uint8 value is right.
    # Everywhere else `video` must equal the in-process result exactly.
    low = media.to_uint8(reference - FLOAT_TOLERANCE).numpy()
    high = media.to_uint8(reference + FLOAT_TOLERANCE).numpy()
    wrong = int(np.sum((video < low) | (video > high)))
    if wrong:
        raise ExportError(
            f"{path}: signature {name}'s `video` differs from the in-process generator's at "
            f"{wrong} of {video.size} values: the SavedModel does not compute what the model does."
        )
    error = float(np.max(np.abs(got["video_float"].numpy() - reference)))
    if not error <= FLOAT_TOLERANCE:
        raise ExportError(
            f"{path}: signature {name}'s `video_float` differs from the in-process generator's "
            f"by up to {error:g} (tolerance {FLOAT_TOLERANCE:g})."
        )


def _check_class_names(generator, class_names):
    if class_names is None:
        return
    names = list(class_names)
    if signatures.LABEL not in signatures.input_names(generator):
        raise ModelError(
            f"class_names were given but the generator {generator.name!r} has no `label` input: "
            "only class-conditional generators have classes."
        )
    if not names or len(set(names)) != len(names) or not all(isinstance(n, str) and n for n in names):
        raise ModelError(f"class_names must be distinct non-empty strings, got {names}.")


def _write_json(path, value):
    with open(path, "w") as file:
        json.dump(value, file, indent=2, sort_keys=True)
        file.write("\n")
