"""Feature extractors for FVD / KVD: Kinetics-400 I3D, or an in-domain Conv3D classifier.

An extractor is a callable `uint8 videos [N, T, H, W, 3] -> float features [N, d]` with a `name`;
grayscale videos (`[..., 1]`) are seen with the gray value in all three channels, as FVD on
grayscale data sets (e.g. Moving MNIST) is computed.
`load_extractor("i3d:PATH")` or `load_extractor("indomain:PATH")` builds one from a spec string.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import media
from keras_vidgen.errors import ConfigError, ModelError

I3D_RESOLUTION = (224, 224)


class I3DFeatures:
    """The 400 Kinetics logits of I3D, used exactly as the reference FVD implementation does.

    Frames are resized bilinearly to 224x224 and scaled to [-1, 1] (Unterthiner et al. 2018,
    google-research `frechet_video_distance.py`); the model is a local copy of the TF-Hub
    SavedModel `deepmind/i3d-kinetics-400` (Carreira & Zisserman 2017), downloaded once by the
    user, since this package never fetches weights at run time.

    Args:
        path: the SavedModel folder. Its `default` signature (or the object itself, if callable)
            must map float32 `[N, T, 224, 224, 3]` to `[N, 400]`.
        batch_size: videos per forward pass (the reference uses 16).
    """

    name = "i3d"

    def __init__(self, path, batch_size=16):
        self.path = path
        self.batch_size = batch_size
        self._model = tf.saved_model.load(path)
        self._forward = _forward_function(self._model, path)

    def __call__(self, videos):
        return _in_batches(videos, self.batch_size, lambda batch: self._forward(preprocess_for_i3d(batch)))


def preprocess_for_i3d(videos):
    """uint8 `[N, T, H, W, 3]` -> float32 `[N, T, 224, 224, 3]` in [-1, 1], bilinear as the reference."""
    videos = tf.convert_to_tensor(videos)
    shape = tf.shape(videos)
    frames = tf.reshape(videos, tf.concat([[-1], shape[2:]], axis=0))
    resized = tf.image.resize(tf.cast(frames, tf.float32), I3D_RESOLUTION, method="bilinear")
    resized = tf.reshape(resized, tf.concat([shape[:2], [*I3D_RESOLUTION, 3]], axis=0))
    return 2.0 * resized / 255.0 - 1.0


def _forward_function(model, path):
    signature = getattr(model, "signatures", {}).get("default")
    if signature is not None:
        (input_name,) = signature.structured_input_signature[1].keys()

        def forward(batch):
            outputs = signature(**{input_name: batch})
            return outputs["default"] if "default" in outputs else next(iter(outputs.values()))

        return forward
    if callable(model):
        return model
    raise ModelError(
        f"The SavedModel at {path!r} has no 'default' signature and is not callable; expected the "
        "TF-Hub I3D model (deepmind/i3d-kinetics-400) saved locally."
    )


class InDomainFeatures:
    """Penultimate-layer features of a video classifier trained on the user's own labelled data.

    FVD with I3D needs weights this package cannot download; an in-domain classifier gives
    FVD-style numbers offline (and is more sensitive on data far from Kinetics, like moving
    shapes). Train one with `keras_vidgen.metrics.train_extractor`.

    Args:
        path: a `.keras` classifier whose layer named `features` gives the embedding.
        batch_size: videos per forward pass.
    """

    name = "indomain"

    def __init__(self, path, batch_size=32):
        self.path = path
        self.batch_size = batch_size
        classifier = keras.models.load_model(path)
        self.frames, self.size = classifier.input_shape[1], classifier.input_shape[2]
        self._embed = keras.Model(classifier.input, classifier.get_layer("features").output)

    def __call__(self, videos):
        videos = np.asarray(videos)
        if videos.shape[1:3] != (self.frames, self.size):
            raise ModelError(
                f"The in-domain extractor {self.path!r} was trained on {self.frames} frames of "
                f"{self.size} px; got videos of shape {videos.shape[1:]}."
            )
        return _in_batches(videos, self.batch_size, lambda batch: self._embed(media.to_float(batch), training=False))


def load_extractor(spec):
    """Builds an extractor from `"i3d:PATH"` or `"indomain:PATH"`.

    Raises:
        ConfigError: an unknown kind or a missing path; the message shows the expected form.
    """
    kind, _, path = spec.partition(":")
    kinds = {"i3d": I3DFeatures, "indomain": InDomainFeatures}
    if kind not in kinds or not path:
        raise ConfigError(f"Features {spec!r} must be 'i3d:PATH' or 'indomain:PATH'.")
    if not tf.io.gfile.exists(path):
        raise FileNotFoundError(f"Feature extractor {path!r} does not exist.")
    return kinds[kind](path)


def _in_batches(videos, batch_size, forward):
    videos = np.asarray(videos)
    if videos.dtype != np.uint8 or videos.ndim != 5 or videos.shape[-1] not in (1, 3):
        raise ValueError(f"Expected uint8 videos [N, T, H, W, 3] (or 1 channel, gray), got "
                         f"{videos.dtype} {videos.shape}.")
    gray = videos.shape[-1] == 1
    # A progress bar only where the wait is noticeable.
    progress = keras.utils.Progbar(len(videos), verbose=int(len(videos) > 256), unit_name="video")
    parts = []
    for start in range(0, len(videos), batch_size):
        batch = videos[start:start + batch_size]
        # Per batch, so a large gray set is not held three times over.
        parts.append(np.asarray(forward(np.repeat(batch, 3, axis=-1) if gray else batch)))
        progress.update(min(start + batch_size, len(videos)))
    return np.concatenate(parts, axis=0).astype(np.float64)
