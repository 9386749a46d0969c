"""Training the in-domain feature extractor: a small Conv3D network that learns what a clip shows.

For the built-in moving shapes the targets come from the manifest: the shape, its colour and the
background kind (classes), and the path of the shape through the clip (its centre at the first,
middle and last frame, replayed from the manifest's start, velocity and bounces: regression). So
the features must encode appearance, position and motion - what FVD should compare. Coordinate
channels on the input (CoordConv) let the globally pooled features say where the shape is.
"""

import json
import os

import keras
import numpy as np
from keras import layers

from keras_vidgen import media
from keras_vidgen.data import decode, read_manifest, shapes
from keras_vidgen.data.sampling import ClipSpec, plan_clips
from keras_vidgen.data.transforms import FrameSpec
from keras_vidgen.layers.coordinates import AddCoordinates

# Clips cut from each video (evenly spaced starts), so the extractor sees varied motion.
CLIPS_PER_VIDEO = 3
# Frames of a clip whose shape centre is a regression target: first, middle, last.
TRACKED_FRAMES = 3


def build_video_classifier(frames, size, heads, regressions=None, feature_dim=128, filters=16,
                           name="video_classifier"):
    """A Conv3D network with softmax and regression heads on a shared `features` embedding.

    Args:
        frames: frames per clip.
        size: clip height and width.
        heads: dict of head name -> number of classes (softmax outputs).
        regressions: dict of head name -> number of values (linear outputs), or `None`.
        feature_dim: size of the `features` layer (the FVD embedding).
        filters: channels of the first of three blocks; doubled at each block.
        name: the model's name.

    Returns:
        A functional `keras.Model` from float clips in [-1, 1] to a dict of outputs.
    """
    clips = keras.Input((frames, size, size, 3), name="clips")
    x = AddCoordinates()(clips)  # positions are targets; convolutions alone barely see them
    for index in range(3):
        x = layers.Conv3D(filters * 2**index, 3, padding="same", name=f"conv{index}")(x)
        # A fast-moving average: the extractor trains for only a few hundred steps.
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{index}")(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling3D((2 if x.shape[1] >= 2 else 1, 2, 2))(x)
    # Flattening the last map instead made the features so large that the regression's first
    # gradients wrecked the classes (held-out colour accuracy fell to chance).
    x = layers.GlobalAveragePooling3D()(x)
    features = layers.Dense(feature_dim, activation="relu", name="features")(x)
    outputs = {head: layers.Dense(count, activation="softmax", name=head)(features)
               for head, count in heads.items()}
    for head, count in (regressions or {}).items():
        outputs[head] = layers.Dense(count, name=head)(features)
    return keras.Model(clips, outputs, name=name)


def shapes_targets(record, start, frames, source_size):
    """Targets of one moving-shapes clip starting at source frame `start`.

    Args:
        record: the clip's manifest record.
        start, frames: the clip's first source frame and its length.
        source_size: the width and height the data set was written at.

    Returns:
        A dict: "shape", "colour", "background" class indices, and "path": the shape centre's
        (x, y) at the clip's first, middle and last frame, as offsets from the frame's centre
        in fractions of its size (so a network that knows nothing predicts ~0).
    """
    positions = shapes.replay_positions(record, source_size, start + frames)[start:]
    tracked = np.linspace(0, frames - 1, TRACKED_FRAMES).round().astype(int)
    return {
        "shape": shapes.SHAPES.index(record["shape"]),
        "colour": list(shapes.COLOURS).index(record["colour"]),
        "background": shapes.BACKGROUNDS.index(record["background"]),
        "path": np.concatenate([positions[index] for index in tracked]) / source_size - 0.5,
    }


def train_extractor(shapes_dir, out_path, frames=16, size=64, epochs=12, seed=0, verbose=0):
    """Trains the in-domain extractor on a moving-shapes folder and saves it.

    Args:
        shapes_dir: a folder written by `make_moving_shapes` (with `manifest.jsonl`).
        out_path: where to save the `.keras` model.
        frames, size: the clip shape it will judge (must match the generator's).
        epochs: training passes.
        seed: seeds weights and shuffling.
        verbose: Keras progress output.

    Returns:
        `(out_path, scores)`, measured on a held-out fifth of the videos: accuracy of the shape,
        colour and background heads, and `path_error_px`, the mean distance in pixels between
        the predicted and true centre of the shape.
    """
    keras.utils.set_random_seed(seed)
    clips, targets = _labelled_clips(shapes_dir, frames, size, verbose)
    heads = {"shape": len(shapes.SHAPES), "colour": len(shapes.COLOURS),
             "background": len(shapes.BACKGROUNDS)}
    model = build_video_classifier(frames, size, heads, {"path": 2 * TRACKED_FRAMES})
    losses = {head: "sparse_categorical_crossentropy" for head in heads}
    losses["path"] = "mse"
    # Positions are fractions (errors ~0.1); the weight puts their loss on the classes' scale.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=losses,
                  loss_weights={**{head: 1.0 for head in heads}, "path": 10.0})
    # Split by video, so no held-out clip shares a video with a training clip.
    split = len(clips) * 4 // 5 // CLIPS_PER_VIDEO * CLIPS_PER_VIDEO
    inputs = media.to_float(clips).numpy()
    model.fit(inputs[:split], {head: values[:split] for head, values in targets.items()},
              epochs=epochs, batch_size=16, shuffle=True, verbose=verbose)
    predictions = model.predict(inputs[split:], verbose=0)
    scores = {
        head: float(np.mean(np.argmax(predictions[head], axis=-1) == targets[head][split:]))
        for head in heads
    }
    error = (predictions["path"] - targets["path"][split:]).reshape(-1, TRACKED_FRAMES, 2)
    scores["path_error_px"] = float(np.mean(np.linalg.norm(error, axis=-1)) * size)
    model.save(out_path)
    return out_path, scores


def _labelled_clips(shapes_dir, frames, size, verbose):
    """Decodes `CLIPS_PER_VIDEO` evenly spaced clips of every video, with their targets."""
    records = read_manifest(shapes_dir)
    with open(os.path.join(shapes_dir, "arguments.json")) as file:
        written = json.load(file)
    clip_spec = ClipSpec(frames, clips_per_video=CLIPS_PER_VIDEO, clip_starts="even")
    starts = [clip[0] for clip in plan_clips(clip_spec, written["frames"], written["fps"])]
    progress = keras.utils.Progbar(len(records), verbose=verbose, unit_name="video")
    clips, targets = [], []
    for index, record in enumerate(records):
        clips.extend(decode.decode_clips(f"{shapes_dir}/{record['file']}", clip_spec, FrameSpec(size)))
        targets.extend(shapes_targets(record, start, frames, written["size"]) for start in starts)
        progress.update(index + 1)
    stacked = {head: np.array([target[head] for target in targets]) for head in targets[0]}
    return np.stack(clips), stacked
