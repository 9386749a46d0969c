"""Does a trained discriminator see the haze the generator draws where the data has flat backgrounds?

Every stylegan-v run measured so far draws backgrounds between the data's two kinds (plain: 0
levels of spread, `bench_quality.clip_spreads`; striped: about 20): a haze of 5-11 levels, in no
clip flat. This asks the run's own discriminator, at fixed frame times, for its mean logit on:
the held-out real clips with plain backgrounds; the same clips with a smooth haze added (a 4x4
random field up-sampled, scaled to 2, 4, 7 and 12 levels of spread), still or redrawn every
frame; the real striped clips; and the generator's clips, with how its logit follows their
spread. If a haze of the generator's size costs a small part of the real-to-generated gap, the
discriminator gives the generator little reason to flatten its backgrounds.

Then the same plain clips with and without a haze, as the pixels, each stage of the
discriminator's trunk, its joined layer, its last features (what its logit layer reads) and its
logit: how far the haze moves each clip, against the distance between two clips
(`relative_move`), and how consistently it moves them along one direction (`paired_shift`, the
mean move found on half the clips and measured on the others). A random haze's sign differs
from clip to clip, so in the pixels it moves every clip but along no common direction; a
layer that turns it into one (its size, not its sign) gives the logit something to read. Where
the relative move shrinks from one stage to the next, the discriminator is losing the haze.

Run after bench_quality (it keeps the run and the held-out half):
    python benchmarks/probe_background.py OUT/runs/quality-<time>/checkpoint.keras OUT/half_b
"""

import argparse

import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)
import keras
import numpy as np

from bench_quality import background_spread, clip_spreads, smooth_haze
from keras_vidgen import doctor, metrics


def discriminator_inputs(videos, times, given_times=None):
    """The discriminator's inputs for uint8 `videos` seen at frame indices `times`, told they
    are at `given_times` (default: `times` themselves)."""
    frames = videos[:, times].astype(np.float32) / 127.5 - 1.0
    given = times if given_times is None else given_times
    return {"video": frames, "times": np.tile(np.asarray(given, np.float32), (len(videos), 1))}


def judged(model, videos, times, given_times=None):
    """The discriminator's logits `[N]` for uint8 `videos` seen at frame indices `times` (told
    they are at `given_times`)."""
    inputs = discriminator_inputs(videos, times, given_times)
    return np.asarray(model.discriminator(inputs, training=False)).ravel()


def probed_run(checkpoint, real_dir, num_samples):
    """A stylegan-v run's model, `num_samples` held-out real clips, and the frame times the
    probes judge at: gaps of 4 and 5 frames (the first ones for a 2-frame discriminator)."""
    print(doctor.machine_summary(), flush=True)
    model = keras.models.load_model(checkpoint)
    if not model.sparse_frames:
        raise SystemExit(f"{checkpoint}: not a continuous-time (stylegan-v) model; this probe "
                         "asks its sparse-frame discriminator.")
    size = model.generator.output.shape[2]
    real = np.asarray(metrics.real_clips(real_dir, num_samples, model.frames, size, seed=2))
    return model, real, [0, 4, 9][:model.sparse_frames]


def probe_arguments(doc):
    """The probes' command line: a checkpoint, the held-out clips and `--num-samples`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("checkpoint", help="a stylegan-v run's checkpoint.keras")
    parser.add_argument("real_dir", help="held-out real clips (bench_quality's OUT/half_b)")
    parser.add_argument("--num-samples", type=int, default=256)
    return parser.parse_args()


def readout_model(model):
    """The discriminator up to each read-out point: `{name: features}` of every trunk stage and
    joined convolution (before their activations), and the last features `[N, F]` that its
    logit layer reads."""
    discriminator = model.discriminator
    points = {layer.name: layer.output for layer in discriminator.layers
              if layer.name.startswith(("frame_down", "joined_conv"))}
    points["last features"] = discriminator.layers[-1].input
    return keras.Model(discriminator.inputs, points)


def paired_shift(before, after):
    """How the same clips move from `before` to `after` (`[N, F]` or `[N]`, row `i` of both from
    clip `i`): the direction is the mean shift over the first half of the clips; on the second
    half, returns (the share of clips that move along it, the mean move along it in standard
    deviations of the clips' own spread along it). A linear read-out of features that carry the
    change would see it in that many clips, by that margin."""
    before, after = (np.asarray(x, np.float64).reshape(len(x), -1) for x in (before, after))
    half = len(before) // 2
    direction = (after[:half] - before[:half]).mean(0)
    direction /= np.linalg.norm(direction) + 1e-12
    moves = (after[half:] - before[half:]) @ direction
    spread = (before[half:] @ direction).std() + 1e-12
    return float((moves > 0).mean()), float(moves.mean() / spread)


def relative_move(before, after):
    """How far the same clips move from `before` to `after` (`[N, ...]`, row `i` of both from
    clip `i`), whatever the direction: the median distance a clip moves, over the median
    distance between two different clips' `before`. A random haze has no mean direction (its
    sign differs from clip to clip), so `paired_shift` misses it even in the pixels; this does not."""
    before, after = (np.asarray(x, np.float64).reshape(len(x), -1) for x in (before, after))
    moves = np.linalg.norm(after - before, axis=1)
    between = np.linalg.norm(before - np.roll(before, 1, axis=0), axis=1)
    return float(np.median(moves) / (np.median(between) + 1e-12))


def main(checkpoint, real_dir, num_samples=256, seed=0):
    model, real, times = probed_run(checkpoint, real_dir, num_samples)
    size = real.shape[2]
    spreads = clip_spreads(real)
    plain, striped = real[spreads < 2], real[spreads >= 2]
    rng = np.random.default_rng(seed)
    rows = {"real, plain backgrounds": plain}
    for levels in (2, 4, 7, 12):
        for per_frame, kind in ((False, "still"), (True, "redrawn every frame")):
            haze = smooth_haze(rng, len(plain), model.frames, size, levels, per_frame)
            rows[f"  + haze of {levels} levels, {kind}"] = np.clip(plain + haze, 0, 255).astype(np.uint8)
    rows["real, striped backgrounds"] = striped
    generated = model.generate(num_samples, seed=3)
    rows["generated (EMA)"] = generated
    print(f"{checkpoint}: discriminator's logits at frames {times}")
    for name, videos in rows.items():
        logits, spread = judged(model, videos, times), background_spread(videos)
        print(f"{name:44s} {len(videos):4d} clips  spread: flat {spread['flat']:.0%}, median "
              f"{spread['median']:4.1f}  logit {logits.mean():+.3f} (sd {logits.std():.3f})")
    correlation = np.corrcoef(clip_spreads(generated), judged(model, generated, times))[0, 1]
    print(f"generated clips: correlation of background spread with the logit {correlation:+.2f}")
    print("plain clips against the same clips hazed, at each read-out point: how far a clip moves "
          "(relative_move: its distance over the distance between two clips), and, on the held-out "
          "half, the share of clips moving along the mean move and its size in standard deviations "
          "of the clips' spread (paired_shift)")
    features_model = readout_model(model)

    def readouts(videos):
        points = features_model(discriminator_inputs(videos, times), training=False)
        return {"pixels": videos[:, times], **{name: np.asarray(value) for name, value in points.items()},
                "logit": judged(model, videos, times)}

    plain_readouts = readouts(plain)
    for levels in (2, 4, 7, 12):
        haze = smooth_haze(rng, len(plain), model.frames, size, levels, per_frame=False)
        hazed = readouts(np.clip(plain + haze, 0, 255).astype(np.uint8))
        print(f"  haze of {levels:2d} levels, still: " + "; ".join(
            f"{name} {relative_move(before, hazed[name]):.3f} ({share:.0%}, {margin:.2f} sd)"
            for name, before in plain_readouts.items()
            for share, margin in [paired_shift(before, hazed[name])]))


if __name__ == "__main__":
    args = probe_arguments(__doc__)
    main(args.checkpoint, args.real_dir, args.num_samples)
