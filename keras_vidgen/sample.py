"""Generating videos from a trained model, whether a `.keras` checkpoint or an exported SavedModel."""

import os

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import export


def load_sampler(path):
    """Returns a function `(num, seed) -> uint8 videos` for a checkpoint or an export.

    Args:
        path: a `.keras` file saved from a `VideoGAN`; a SavedModel version folder; or a SavedModel
            base folder (its highest integer version is used, as TF Serving would).

    Raises:
        FileNotFoundError: `path` does not exist or holds no SavedModel version.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"Model {path!r} does not exist.")
    if path.endswith(".keras"):
        model = keras.models.load_model(path)
        return lambda num, seed=None: model.generate(num, seed=seed)
    return _saved_model_sampler(resolve_saved_model(path))


def resolve_saved_model(path):
    """Returns `path` if it is a SavedModel, else its highest integer version subfolder."""
    if tf.saved_model.contains_saved_model(path):
        return path
    versions = export.existing_versions(path)
    if not versions:
        raise FileNotFoundError(
            f"{path!r} is neither a SavedModel nor a folder of integer SavedModel versions."
        )
    return os.path.join(path, str(versions[-1]))


def _saved_model_sampler(path):
    signature = tf.saved_model.load(path).signatures["serving_default"]
    latent_dim = signature.structured_input_signature[1]["z"].shape[-1]

    def sample(num, seed=None):
        z = np.random.default_rng(seed).standard_normal((num, latent_dim)).astype(np.float32)
        return signature(z=tf.constant(z))["video"].numpy()

    return sample
