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
import importlib.abc
import importlib.util
import os
import sys
import types

# The package is built on TensorFlow (tf.data, tf.io file systems, SavedModel); Keras must use it.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from keras_vidgen import onednn  # noqa: E402  (imports no TensorFlow)

# Before Keras imports TensorFlow, which reads the setting while it is imported (see `onednn`).
onednn.request()

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
    "VideoPredictor": "keras_vidgen.models",
    "build_video_predictor": "keras_vidgen.models",
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


class _RegisterWhenKerasLoads(importlib.abc.MetaPathFinder):
    """Imports the models (registering `VideoGAN` and the layers) right after Keras is imported.

    So `import keras_vidgen` followed by `keras.models.load_model("run.keras")` still works, in
    either import order, while `import keras_vidgen` alone stays free of TensorFlow.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("keras")
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            _load_keras()

        spec.loader.exec_module = exec_then_register
        return spec


if "keras" in sys.modules:
    _load_keras()  # Keras is loaded already: registering the models costs nothing
else:
    sys.meta_path.insert(0, _RegisterWhenKerasLoads())

__all__ = ["__version__", "media", *_API]
