"""What a `stylegan-v --still-background` generator draws in each of its layers.

bench_quality scores the frames; this shows how they are made. For each of a few videos it
writes four rows of frames: the foreground (drawn at every time, or a sprite drawn once and
moved: `--sprite-foreground`), its mask (white: foreground),
the still background (drawn once a video) and the frames themselves (the mask's blend of the
two). It prints how much of the frame the mask covers and how much of the mask is undecided
(between 0.1 and 0.9: a soft edge or a see-through foreground).

Run after bench_quality (or on any checkpoint trained with --still-background):
    python benchmarks/probe_layers.py OUT/runs/<run>/checkpoint.keras --out layers.png

With `--snapshots OUT/snapshots` (bench_quality's generator snapshots of that run) it draws
nothing and prints, for each snapshot, how much of the frame the mask covers over training and in
how many videos it covers less than a sprite's floor, 2% (a foreground that is vanishing: a sprite whose mask died
early never came back):
    python benchmarks/probe_layers.py OUT/runs/<run>/checkpoint.keras --snapshots OUT/snapshots
"""

import argparse
import glob
import os

import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)
import keras
import numpy as np

from keras_vidgen import export, media, signatures
from keras_vidgen.layers.mask_blend import MIN_MASK_COVER
from keras_vidgen.signatures import LABEL, LATENT, TIMES

# Layers every still-background generator has, whichever way its foreground is made: the mask's
# L1 prior and the foreground's leash are identities on the mask and the foreground.
LAYERS = ("mask_penalty", "foreground_range", "background", "video")


def layer_probe(generator):
    """A model of the generator's inputs to its mask and foreground, background and frames."""
    missing = [name for name in LAYERS if name not in {layer.name for layer in generator.layers}]
    if missing:
        raise SystemExit(f"{generator.name} has no {missing} layer(s): probe_layers needs a "
                         "stylegan-v generator trained with --still-background.")
    if LABEL in signatures.input_names(generator):
        raise SystemExit(f"{generator.name} is class-conditional: probe_layers draws "
                         "unconditional generators only.")
    return keras.Model(generator.inputs, {name: generator.get_layer(name).output for name in LAYERS})


def draw_layers(generator, videos, frames, spacing, seed):
    """Returns `(mask, foreground, background, video)` as arrays, the background `[N, 1, H, W, C]`."""
    latent_dim = signatures.latent_dim(generator)
    z = np.random.default_rng(seed).standard_normal((videos, latent_dim)).astype("float32")
    times = np.tile(np.arange(frames, dtype="float32") * spacing, (videos, 1))
    drawn = layer_probe(generator)({LATENT: z, TIMES: times})
    return tuple(np.asarray(drawn[name]) for name in LAYERS)


def layer_rows(mask, foreground, background, video):
    """One uint8 picture: per video, rows of foreground, mask, background and frames."""
    def row(images):
        return media.frame_strip(np.asarray(media.to_uint8(images[np.newaxis])), max_frames=len(images))

    frames = video.shape[1]
    rows = []
    for index in range(len(video)):
        rows += [row(foreground[index]),
                 row(np.repeat(mask[index] * 2.0 - 1.0, 3, axis=-1)),
                 row(np.repeat(background[index], frames, axis=0)),
                 row(video[index])]
    return np.concatenate(rows, axis=0)


def mask_over_training(generator, snapshot_paths, videos, frames, spacing, seed):
    """One line a snapshot (its weights loaded into `generator`): the mask's mean cover, the
    share of videos whose mask covers less than a sprite's floor (`MIN_MASK_COVER`) of their
    frames, and the mask's largest value."""
    lines = []
    for path in snapshot_paths:
        generator.load_weights(path)
        mask = draw_layers(generator, videos, frames, spacing, seed)[0]
        cover = mask.mean(axis=(1, 2, 3, 4))  # [N]: each video's share under its mask
        lines.append(f"{os.path.basename(path)}: mask covers {mask.mean():.1%} of the frames, less "
                     f"than {MIN_MASK_COVER:.0%} in {(cover < MIN_MASK_COVER).mean():.0%} of the videos, "
                     f"largest value {mask.max():.2f}")
    return lines


def main(args):
    if args.snapshots:
        paths = sorted(glob.glob(os.path.join(args.snapshots, "*.weights.h5")))
        if not paths:
            raise SystemExit(f"--snapshots {args.snapshots!r}: no *.weights.h5 there; name the "
                             "snapshots folder of a bench_quality run (OUT/snapshots).")
        generator = export.serving_generator(keras.models.load_model(args.checkpoint))
        for line in mask_over_training(generator, paths, args.videos, args.frames, args.spacing, args.seed):
            print(line, flush=True)
        return
    if not args.out.endswith(".png"):
        raise SystemExit(f"--out {args.out!r}: probe_layers writes one still picture; name a .png.")
    generator = export.serving_generator(keras.models.load_model(args.checkpoint))
    mask, foreground, background, video = draw_layers(generator, args.videos, args.frames,
                                                      args.spacing, args.seed)
    undecided = ((mask > 0.1) & (mask < 0.9)).mean()
    print(f"mask: mean {mask.mean():.3f}, above 0.5 in {(mask > 0.5).mean():.1%} of pixels, "
          f"undecided (0.1-0.9) in {undecided:.1%}")
    media.write_video(args.out, layer_rows(mask, foreground, background, video)[np.newaxis])
    print(f"rows per video: foreground, mask, background, frames -> {args.out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="a .keras checkpoint of a still-background generator")
    parser.add_argument("--out", default="layers.png", help="the picture to write (.png)")
    parser.add_argument("--videos", type=int, default=4, help="videos drawn")
    parser.add_argument("--frames", type=int, default=8, help="frames drawn of each")
    parser.add_argument("--spacing", type=float, default=2.0, help="time between drawn frames, in frames")
    parser.add_argument("--seed", type=int, default=0, help="seed of the latent vectors")
    parser.add_argument("--snapshots", metavar="DIR", help="print the mask's cover at each of "
                        "these generator snapshots (bench_quality's OUT/snapshots) instead of drawing")
    main(parser.parse_args())
