"""Exporting the generator as a SavedModel that TF Serving loads: `<base>/<name>/<version>/`."""

import os
import re
import shutil
import tempfile

import keras
import tensorflow as tf

from keras_vidgen import media

_VERSION = re.compile(r"^\d+$")


def export_generator(model, base_dir, version=None, overwrite=False):
    """Exports a `VideoGAN`'s generator as a SavedModel version ready for TF Serving.

    The signature `serving_default` takes `z` (float32 `[N, latent_dim]`) and returns `video`
    (uint8 `[N, frames, height, width, 3]`). It holds core TensorFlow ops only, so it runs in
    `tensorflow_model_server` and in any TensorFlow process without keras_vidgen.

    The version is written to a temporary folder beside the target and renamed into place, so a
    server watching `base_dir` never sees a half-written version.

    Args:
        model: a `VideoGAN` (anything with `generator` and `latent_dim`).
        base_dir: the model's base folder, the one TF Serving's `--model_base_path` names.
        version: integer version; defaults to one above the highest existing version.
        overwrite: replace an existing version instead of failing.

    Returns:
        The path of the version folder written.

    Example:
        >>> export_generator(gan, "saved_models/vidgen")
        'saved_models/vidgen/1'
    """
    version = next_version(base_dir) if version is None else int(version)
    if version < 1:
        raise ValueError(f"SavedModel versions are positive integers, got {version}.")
    target = os.path.join(base_dir, str(version))
    if os.path.exists(target) and not overwrite:
        raise FileExistsError(
            f"{target} already exists; pass another version or overwrite=True (--overwrite)."
        )
    os.makedirs(base_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".export-{version}-", dir=base_dir)
    try:
        _write_saved_model(model, staging)
        if os.path.exists(target):
            shutil.rmtree(target)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def next_version(base_dir):
    """Returns one above the highest integer version folder in `base_dir` (1 if none)."""
    return max(existing_versions(base_dir), default=0) + 1


def existing_versions(base_dir):
    """Returns the integer version numbers of the folders in `base_dir` (TF Serving ignores others)."""
    if not os.path.isdir(base_dir):
        return []
    return sorted(int(name) for name in os.listdir(base_dir) if _VERSION.match(name))


def _write_saved_model(model, path):
    generator = model.generator
    latent_spec = tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")

    @tf.function(input_signature=[latent_spec])
    def serving_default(z):
        return {"video": media.to_uint8(generator(z, training=False))}

    archive = keras.export.ExportArchive()
    archive.track(generator)
    archive.add_endpoint("serving_default", serving_default)
    archive.write_out(path, verbose=False)
