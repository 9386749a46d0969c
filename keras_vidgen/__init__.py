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

import os

# The package is built on TensorFlow (tf.data, tf.io file systems, SavedModel); Keras must use it.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from keras_vidgen import onednn  # noqa: E402  (imports no TensorFlow)

# Before Keras imports TensorFlow, which reads the setting while it is imported (see `onednn`).
onednn.request()

import keras  # noqa: E402

if keras.backend.backend() != "tensorflow":
    raise ImportError(
        f"keras_vidgen needs the TensorFlow backend of Keras, but KERAS_BACKEND is "
        f"{keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before importing keras."
    )

from keras_vidgen import media  # noqa: E402
from keras_vidgen.config import DataConfig, ModelConfig, TrainConfig, preset  # noqa: E402
from keras_vidgen.data import make_moving_shapes, video_dataset  # noqa: E402
from keras_vidgen.export import export_generator  # noqa: E402
from keras_vidgen.models import VideoGAN, build_video_gan  # noqa: E402
from keras_vidgen.train import train  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "DataConfig",
    "ModelConfig",
    "TrainConfig",
    "VideoGAN",
    "__version__",
    "build_video_gan",
    "export_generator",
    "make_moving_shapes",
    "media",
    "preset",
    "train",
    "video_dataset",
]
