"""Training the in-domain feature extractor: a small Conv3D classifier of labelled clips.

For the built-in moving shapes the labels come from the manifest: the shape, its colour and its
direction of motion, so the features capture appearance and motion - what FVD should compare.
"""

import keras
import numpy as np
from keras import layers

from keras_vidgen.data import load_clip, read_manifest
from keras_vidgen import media

DIRECTIONS = 4  # quadrants of the motion direction


def build_video_classifier(frames, size, heads, feature_dim=128, filters=16, name="video_classifier"):
    """A Conv3D classifier with one softmax head per label and a `features` embedding layer.

    Args:
        frames: frames per clip.
        size: clip height and width.
        heads: dict of head name -> number of classes.
        feature_dim: size of the `features` layer (the FVD embedding).
        filters: channels of the first block; doubled at each of three blocks.
        name: the model's name.

    Returns:
        A functional `keras.Model` from float clips in [-1, 1] to a dict of class probabilities.
    """
    clips = keras.Input((frames, size, size, 3), name="clips")
    x = clips
    for index in range(3):
        x = layers.Conv3D(filters * 2**index, 3, padding="same", name=f"conv{index}")(x)
        # A fast-moving average: the extractor trains for only a few hundred steps.
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{index}")(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling3D((2 if x.shape[1] >= 2 else 1, 2, 2))(x)
    x = layers.GlobalAveragePooling3D()(x)
    features = layers.Dense(feature_dim, activation="relu", name="features")(x)
    outputs = {head: layers.Dense(count, activation="softmax", name=head)(features) for head, count in heads.items()}
    return keras.Model(clips, outputs, name=name)


def shapes_labels(record):
    """Labels of one moving-shapes manifest record: shape, colour and motion quadrant."""
    from keras_vidgen.data import shapes

    angle = np.arctan2(record["velocity"][1], record["velocity"][0]) % (2 * np.pi)
    return {
        "shape": shapes.SHAPES.index(record["shape"]),
        "colour": list(shapes.COLOURS).index(record["colour"]),
        "direction": int(angle // (2 * np.pi / DIRECTIONS)) % DIRECTIONS,
    }


def train_extractor(shapes_dir, out_path, frames=16, size=64, epochs=15, seed=0, verbose=0):
    """Trains the in-domain extractor on a moving-shapes folder and saves it.

    Clips start at frame 0, where the manifest's velocity is the true direction of motion.

    Args:
        shapes_dir: a folder written by `make_moving_shapes` (with `manifest.jsonl`).
        out_path: where to save the `.keras` classifier.
        frames, size: the clip shape it will judge (must match the generator's).
        epochs: training passes.
        seed: seeds weights and shuffling.
        verbose: Keras progress output.

    Returns:
        `(out_path, accuracies)`: accuracies per head on a held-out fifth of the clips.
    """
    from keras_vidgen.data import shapes

    keras.utils.set_random_seed(seed)
    records = read_manifest(shapes_dir)
    clips = np.stack([load_clip(f"{shapes_dir}/{r['file']}", frames, size) for r in records])
    labels = [shapes_labels(r) for r in records]
    targets = {head: np.array([label[head] for label in labels]) for head in labels[0]}
    heads = {"shape": len(shapes.SHAPES), "colour": len(shapes.COLOURS), "direction": DIRECTIONS}
    model = build_video_classifier(frames, size, heads)
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss={head: "sparse_categorical_crossentropy" for head in heads},
        metrics={head: ["accuracy"] for head in heads},
    )
    split = len(clips) * 4 // 5
    inputs = media.to_float(clips).numpy()
    model.fit(
        inputs[:split], {h: t[:split] for h, t in targets.items()},
        epochs=epochs, batch_size=16, verbose=verbose,
    )
    predictions = model.predict(inputs[split:], verbose=0)
    accuracies = {
        head: float(np.mean(np.argmax(predictions[head], axis=-1) == targets[head][split:]))
        for head in heads
    }
    model.save(out_path)
    return out_path, accuracies
