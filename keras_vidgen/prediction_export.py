"""Exporting a `VideoPredictor`'s generator as a SavedModel version for TF Serving.

Signatures (core TensorFlow ops only):

    serving_default     inputs  observed uint8 [N, k, H, W, C]
    predict_from_seed   inputs  observed uint8 [N, k, H, W, C], seed int64 []
    both                outputs frames uint8 [N, F, H, W, C]      the produced frames only
                                frames_float float32 (same shape, in [-1, 1])

The observed frames are uint8 pixels, as decoded from a video (0-255, RGB or gray as trained);
"predict" takes the first `k` frames of a clip, "interpolate" its first `k / 2` and last `k / 2`
frames, in that order. An adversarially trained generator draws its latents from `seed` (0 for
`serving_default`), exactly as `VideoPredictor.predict_frames(observed, seed)` does, so a seed
names the same frames in Python and on the server; a regression-only one ignores the seed.

Like `export.export_generator`, the version is written to a hidden folder, loaded back, every
signature compared with the in-process model and every warm-up request replayed, and only then
renamed into place. `assets.extra/config.json` names the task and the frame counts.
"""

import json
import os

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import media, warmup
from keras_vidgen.errors import ExportError
from keras_vidgen.models.tasks import OBSERVED
from keras_vidgen.models.video_predictor import run_predictor

SERVING_DEFAULT, FROM_SEED = "serving_default", "predict_from_seed"
NAMES = (SERVING_DEFAULT, FROM_SEED)
TOLERANCE = 1e-5


def export_predictor(model, base_dir, version=None, overwrite=False, config=None):
    """Exports `model.sampling_generator` of a `VideoPredictor`; returns the version folder.

    Args:
        model: a `VideoPredictor`.
        base_dir, version, overwrite, config: as for `export.export_generator`.

    Raises:
        FileExistsError: the version exists and `overwrite` is false.
        ExportError: a step failed; its message names it. Nothing is left behind.
    """
    from keras_vidgen.export import write_version

    functions = signature_functions(model)
    name = os.path.basename(os.path.normpath(base_dir))
    return write_version(base_dir, version, overwrite, lambda staging: [
        ("writing the SavedModel", lambda: _write(model, functions, staging)),
        ("writing config.json", lambda: _write_metadata(model, functions, staging, config)),
        ("writing the warm-up requests", lambda: _write_warmup(model, staging, name)),
        ("verifying the export", lambda: verify(model, staging)),
    ])


def signature_functions(model):
    """`{name: tf.function}` of the two signatures, over the model's sampling generator."""
    generator, latent_dim = model.sampling_generator, model.latent_dim
    observed_spec = tf.TensorSpec([None, model.observed, *model.frame_shape], tf.uint8, name=OBSERVED)

    def run(observed, seed):
        frames = media.to_float(observed)
        if latent_dim:
            z = tf.random.stateless_normal((tf.shape(frames)[0], latent_dim),
                                           seed=tf.stack([seed, tf.constant(0, tf.int64)]))
            produced = run_predictor(generator, {OBSERVED: frames, "z": z})
        else:
            produced = run_predictor(generator, frames)
        return {"frames": media.to_uint8(produced), "frames_float": produced}

    @tf.function(input_signature=[observed_spec])
    def serving_default(observed):
        return run(observed, tf.constant(0, tf.int64))

    @tf.function(input_signature=[observed_spec, tf.TensorSpec([], tf.int64, name="seed")])
    def predict_from_seed(observed, seed):
        return run(observed, seed)

    return {SERVING_DEFAULT: serving_default, FROM_SEED: predict_from_seed}


def sample_inputs(model, name, num=2):
    """Valid numpy inputs of signature `name` (random pixels; seed 3)."""
    rng = np.random.default_rng(0)
    inputs = {OBSERVED: rng.integers(0, 256, (num, model.observed, *model.frame_shape), dtype=np.uint8)}
    if name == FROM_SEED:
        inputs["seed"] = np.int64(3)
    return inputs


def verify(model, path):
    """Loads the SavedModel at `path` in TensorFlow alone and checks every signature against
    `model.produce`; replays every warm-up request. Raises `ExportError` naming the check."""
    loaded = tf.saved_model.load(path)
    for name in NAMES:
        inputs = sample_inputs(model, name)
        got = loaded.signatures[name](**{key: tf.constant(value) for key, value in inputs.items()})
        reference = model.produce(inputs[OBSERVED], seed=int(inputs.get("seed", 0))).numpy()
        error = float(np.max(np.abs(got["frames_float"].numpy() - reference)))
        uint8_error = int(np.max(np.abs(got["frames"].numpy().astype(int)
                                        - media.to_uint8(reference).numpy().astype(int))))
        if not error <= TOLERANCE or uint8_error > 1:
            raise ExportError(f"{path}: signature {name} differs from the in-process model by up to "
                              f"{error:g} ({uint8_error} in uint8).")
    for request in warmup.read_warmup(path):
        warmup.predict(loaded, request)


def _write(model, functions, path):
    archive = keras.export.ExportArchive()
    archive.track(model.sampling_generator)
    for name, function in functions.items():
        archive.add_endpoint(name, function)
    archive.write_out(path, verbose=False)


def _write_metadata(model, functions, path, config):
    from keras_vidgen import __version__

    folder = os.path.join(path, "assets.extra")
    os.makedirs(folder, exist_ok=True)
    metadata = {
        "keras_vidgen_version": __version__, "tensorflow_version": tf.__version__,
        "task": model.task, "observed": model.observed, "produced": model.produced,
        "frame_shape": list(model.frame_shape), "latent_dim": model.latent_dim,
        "signatures": {name: {spec.name: [spec.dtype.name, spec.shape.as_list()]
                              for spec in function.input_signature}
                       for name, function in functions.items()},
        "train_config": config.to_dict() if hasattr(config, "to_dict") else config,
    }
    with open(os.path.join(folder, "config.json"), "w") as file:
        json.dump(metadata, file, indent=2, sort_keys=True)
        file.write("\n")


def _write_warmup(model, path, model_name):
    requests = [warmup.predict_request(model_name, name, sample_inputs(model, name, num=1))
                for name in NAMES]
    warmup.write_warmup(path, requests)

