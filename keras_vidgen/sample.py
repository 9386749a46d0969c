"""Generating videos from a trained model, whether a `.keras` checkpoint or an exported SavedModel.

Both kinds are driven through the same signatures (`keras_vidgen.signatures`): a SavedModel's own,
or the same functions built in-process around a checkpoint's generator. So a seed gives the same
videos from `vidgen sample`, `VideoGAN.generate` and TF Serving's `generate_from_seed`.
"""

import json
import os

import keras
import numpy as np
import tensorflow as tf

from keras_vidgen import export, signatures
from keras_vidgen.data import labels
from keras_vidgen.errors import ModelError
from keras_vidgen.latents import seeded_latents
from keras_vidgen.models.time_sampling import frame_times


class Sampler:
    """Makes uint8 videos from seeds or latents, with the labels or context a model needs.

    Args:
        model_signatures: `{name: callable}` with `serving_default` and `generate_from_seed`,
            called with keyword tensors and returning a dict with `video` (a loaded SavedModel's
            `signatures`, or `signatures.build_signatures(generator)`).
        class_names: the label names of a class-conditional model, index order, or `None`.
        source: what the model was loaded from, for error messages.
        num_classes: a class-conditional model's class count when there are no `class_names`.
        frames: a continuous-time model's default clip length (its training clips'); such a
            model renders any number of frames (`frames=` of `from_seed` and `from_latents`).

    Example:
        >>> sampler = load_sampler("saved_models/vidgen")
        >>> sampler.from_seed(4, seed=0).shape
        (4, 16, 32, 32, 3)
    """

    def __init__(self, model_signatures, class_names=None, source="the model", num_classes=None,
                 frames=None):
        self.signatures = model_signatures
        self.class_names = list(class_names) if class_names else None
        self.num_classes = len(self.class_names) if self.class_names else num_classes
        self.source = source
        serving = model_signatures[signatures.SERVING_DEFAULT]
        specs = serving.structured_input_signature[1]
        self.latent_dim = int(specs[signatures.LATENT].shape[-1])
        self.continuous_time = signatures.TIMES in specs
        self.conditions = {name: spec for name, spec in specs.items()
                           if name not in (signatures.LATENT, signatures.TIMES)}
        shape = serving.structured_outputs["video"].shape[1:]
        if self.continuous_time:
            shape = [frames or 16, *shape[1:]]
        self.video_shape = tuple(int(d) for d in shape)

    def latents(self, num, seed):
        """Returns the latents `generate_from_seed` draws for `(num, seed)`, float32 numpy."""
        return seeded_latents(num, self.latent_dim, seed).numpy()

    def from_seed(self, num, seed=None, label=None, context=None, frames=None):
        """Returns `num` uint8 videos `[num, T, H, W, C]`; `seed=None` picks a random seed.

        `frames`: a continuous-time model's clip length (default: its training clips').
        """
        seed = np.random.randint(2**31) if seed is None else seed
        inputs = dict(seed=tf.constant(seed, tf.int64), num=tf.constant(num, tf.int32))
        inputs.update(self._conditions(num, label, context))
        if self._frames(frames) is not None:
            inputs[signatures.FRAMES] = tf.constant(self._frames(frames), tf.int32)
        return self.signatures[signatures.FROM_SEED](**inputs)["video"].numpy()

    def from_latents(self, z, label=None, context=None, frames=None):
        """Returns uint8 videos for latents `z` `[N, latent_dim]` (`frames` as for `from_seed`)."""
        z = tf.constant(np.asarray(z, np.float32))
        inputs = dict(z=z, **self._conditions(int(z.shape[0]), label, context))
        if self._frames(frames) is not None:
            inputs[signatures.TIMES] = frame_times(len(z), self._frames(frames))
        return self.signatures[signatures.SERVING_DEFAULT](**inputs)["video"].numpy()

    def _frames(self, frames):
        """The frame count a continuous-time model renders (None for the others, which make
        clips of their one length)."""
        if not self.continuous_time:
            if frames is not None and frames != self.video_shape[0]:
                raise ModelError(
                    f"{self.source} makes {self.video_shape[0]}-frame clips; only a continuous-"
                    f"time model (arch stylegan-v) renders {frames} frames.")
            return None
        frames = self.video_shape[0] if frames is None else int(frames)
        if frames < 1:
            raise ModelError(f"frames must be at least 1, got {frames}.")
        return frames

    def like_real(self, real, seed=0, batch_size=32):
        """Videos to compare with the uint8 clips `real`, one per clip, as FVD needs them.

        Unconditional models draw from `seed`; class-conditional ones take their classes in turn
        (balanced, as a labelled real set usually is); frame-conditional ones continue each real
        clip's first frames (the protocol of video-prediction FVD).

        Raises:
            ModelError: a class-conditional model whose class count is unknown.
        """
        real = np.asarray(real)
        z = self.latents(len(real), seed)
        labels = None
        if signatures.LABEL in self.conditions:
            if not self.num_classes:
                raise ModelError(
                    f"{self.source} is class-conditional, but its class count is unknown: its "
                    "export has neither class_index.json nor a training config."
                )
            labels = np.arange(len(real)) % self.num_classes
        context_spec = self.conditions.get(signatures.CONTEXT)
        context_frames = context_spec.shape[1] if context_spec is not None else 0
        # In chunks: thousands of clips in one forward pass would not fit in memory.
        return np.concatenate([
            self.from_latents(
                z[i:i + batch_size],
                label=None if labels is None else labels[i:i + batch_size],
                context=real[i:i + batch_size, :context_frames] if context_frames else None,
                frames=real.shape[1] if self.continuous_time else None,
            )
            for i in range(0, len(real), batch_size)
        ])

    def _conditions(self, num, label, context):
        given = {signatures.LABEL: label, signatures.CONTEXT: context}
        for name, value in given.items():
            if value is not None and name not in self.conditions:
                raise ModelError(
                    f"A {name} was given, but {self.source} is not {_KIND[name]}: its generator "
                    f"takes {[signatures.LATENT, *self.conditions]}."
                )
            if value is None and name in self.conditions:
                raise ModelError(f"{self.source} is {_KIND[name]}: {_NEEDS[name]}")
        inputs = {}
        if signatures.LABEL in self.conditions:
            indices = [self.label_index(one) for one in np.ravel(label)]  # one label, or one each
            inputs[signatures.LABEL] = tf.constant(np.broadcast_to(indices, (num,)), tf.int32)
        if signatures.CONTEXT in self.conditions:
            inputs[signatures.CONTEXT] = self._context(num, context)
        return inputs

    def label_index(self, label):
        """Returns the class index of `label`: an index, or a class name of `class_index.json`."""
        if isinstance(label, str) and not label.lstrip("-").isdigit():
            if not self.class_names or label not in self.class_names:
                raise ModelError(
                    f"Unknown class {label!r} for {self.source}; its classes are "
                    f"{self.class_names or 'unnamed: pass an index'}."
                )
            return self.class_names.index(label)
        index = int(label)
        if index < 0 or (self.class_names and index >= len(self.class_names)):
            classes = f"classes {self.class_names}" if self.class_names else "unnamed classes"
            raise ModelError(f"Label {index} is out of range for {self.source}, with {classes}.")
        return index

    def _context(self, num, context):
        spec = self.conditions[signatures.CONTEXT]
        context = np.asarray(context)
        expected = tuple(spec.shape[1:])
        if context.shape == expected:
            context = np.broadcast_to(context, (num, *expected))
        if context.shape[1:] != expected or context.dtype != np.uint8:
            raise ModelError(
                f"{self.source} needs context frames of uint8 {list(expected)} (or a batch of "
                f"them), got {context.dtype} {list(context.shape)}."
            )
        return tf.constant(context)


_KIND = {signatures.LABEL: "class-conditional", signatures.CONTEXT: "frame-conditional"}
_NEEDS = {
    signatures.LABEL: "pass a label (--label INDEX_OR_CLASS_NAME).",
    signatures.CONTEXT: "pass context frames (--context VIDEO_FILE).",
}


def load_sampler(path):
    """Returns a `Sampler` for a checkpoint or an export.

    Args:
        path: a `.keras` file saved from a `VideoGAN` (its `ema_generator` if it has one, as
            export would); a SavedModel version folder; or a SavedModel base folder (its highest
            integer version is used, as TF Serving would).

    Raises:
        FileNotFoundError: `path` does not exist or holds no SavedModel version.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"Model {path!r} does not exist.")
    if path.endswith(".keras"):
        model = keras.models.load_model(path)
        generator = export.serving_generator(model)
        return Sampler(signatures.build_signatures(generator), getattr(model, "class_names", None),
                       source=path, num_classes=getattr(model, "num_classes", None),
                       frames=getattr(model, "frames", None))
    version = resolve_saved_model(path)
    loaded = tf.saved_model.load(version)
    missing = {signatures.SERVING_DEFAULT, signatures.FROM_SEED} - set(loaded.signatures)
    if missing:
        raise ModelError(
            f"{version} has no {sorted(missing)} signature(s): it was not exported by this "
            "version of keras_vidgen; export the checkpoint again (vidgen export)."
        )
    metadata = _exported_metadata(version)
    train_config = metadata.get("train_config") or {}
    return Sampler(loaded.signatures, _class_names(version), source=version,
                   num_classes=(train_config.get("model") or {}).get("num_classes"),
                   frames=metadata.get("frames") or (train_config.get("data") or {}).get("frames"))


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


def _class_names(version_dir):
    path = os.path.join(version_dir, export.METADATA_DIR, export.CLASS_INDEX_FILE)
    if not os.path.exists(path):
        return None
    return labels.class_names(labels.load_class_index(path))


def _exported_metadata(version_dir):
    """An export's `config.json` (the model's facts and its training config), `{}` if missing."""
    path = os.path.join(version_dir, export.METADATA_DIR, export.CONFIG_FILE)
    if not os.path.exists(path):
        return {}
    with open(path) as file:
        return json.load(file)
