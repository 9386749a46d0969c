"""keras_vidgen: train video GANs with Keras 3 `fit()`, watch them in TensorBoard, serve with TF Serving.

Example:
    >>> import keras_vidgen as kv
    >>> dataset = kv.video_dataset("clips/*.mp4", frames=16, size=64, batch_size=8)
    >>> gan = kv.build_video_gan("dcgan3d", latent_dim=128, frames=16, size=64,
    ...                          g_filters=512, d_filters=64)
    >>> gan.compile(g_optimizer="adam", d_optimizer="adam", loss="hinge")
    >>> gan.fit(dataset, epochs=10)
    >>> kv.export_generator(gan, "saved_models/vidgen")
"""

import importlib
import os
import sys
import types

# The package is built on TensorFlow (tf.data, tf.io file systems, SavedModel); Keras must use it.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"

# The public API, name -> defining module, loaded on first use: importing TensorFlow takes seconds,
# and `vidgen` checks its flags (and refuses bad ones) without it.
_API = {
    "DataConfig": "keras_vidgen.config",
    "ModelConfig": "keras_vidgen.config",
    "TrainConfig": "keras_vidgen.config",
    "preset": "keras_vidgen.config",
    "VideoGAN": "keras_vidgen.models",
    "build_video_gan": "keras_vidgen.models",
    "export_generator": "keras_vidgen.export",
    "make_moving_shapes": "keras_vidgen.data",
    "video_dataset": "keras_vidgen.data",
    "train": "keras_vidgen.train",
}


def _load_keras():
    """Imports Keras on TensorFlow and the models, so `keras.models.load_model` knows them."""
    import keras

    if keras.backend.backend() != "tensorflow":
        raise ImportError(
            f"keras_vidgen needs the TensorFlow backend of Keras, but KERAS_BACKEND is "
            f"{keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before importing keras."
        )
    importlib.import_module("keras_vidgen.models")


def __getattr__(name):
    if name == "media":
        _load_keras()
        return importlib.import_module("keras_vidgen.media")
    if name not in _API:
        raise AttributeError(f"module 'keras_vidgen' has no attribute {name!r}")
    if _API[name] != "keras_vidgen.config":
        _load_keras()
    return getattr(importlib.import_module(_API[name]), name)


class _Package(types.ModuleType):
    # Importing the submodule `keras_vidgen.train` sets this package's attribute `train` to that
    # module; `keras_vidgen.train` must stay the function (`__getattr__` returns it).
    def __setattr__(self, name, value):
        if name == "train" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

if "keras" in sys.modules:
    # Keras is loaded already, so registering the models costs nothing: a `.keras` file saved
    # from a VideoGAN then loads after a plain `import keras_vidgen`, as it always has.
    _load_keras()

__all__ = ["__version__", "media", *_API]
