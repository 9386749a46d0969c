"""Which of the ways the generator's clips differ from the data does a trained discriminator see?

The main job's samples differ from the data in a few first-order ways: rounded shapes with soft
outlines (domes and wedges, no squares), frames that move more than the real ones, and hazy
backgrounds (`probe_background.py`: a haze costs a tenth of the gap). This takes held-out real
clips, spoils each in one of those ways, and asks the run's own discriminator, at fixed frame
times, how much each spoiling lowers its mean logit, as a share of the gap between the real clips
and the generator's. A difference the discriminator hardly scores is one training gives the
generator little reason to remove.

Spoilings: blurred to 1/2 and 1/4 resolution (soft outlines, rounded corners), still (the first
frame at every time), moving 1.25x, 1.5x and 2x as fast or half as fast (the frames of a later or
earlier time shown at the judged times), the frames' order reversed (as far as a 2-frame
discriminator can tell, the same speed backwards), the shape's colour changed to one the data
does not have or paled to half its colour, and a still 7-level haze. Run after bench_quality (it
keeps the run and the held-out half):
    python benchmarks/probe_differences.py OUT/runs/quality-<time>/checkpoint.keras OUT/half_b
"""

import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)
import numpy as np

from bench_quality import motion, smooth_haze, spoilt_real_clips
from probe_background import judged, probed_run, probe_arguments


def judged_at(model, videos, shown, times):
    """Mean logit for uint8 `videos` whose frames `shown` are given as if at frame times `times`."""
    return float(judged(model, videos, shown, times).mean())


def shape_pixels(videos):
    """Where each frame's pixels differ from its median colour by more than 80 levels in some
    channel: the shape (3-18% of a frame in the data, stripes included in none)."""
    median = np.median(videos.reshape(*videos.shape[:2], -1, videos.shape[-1]), axis=2)
    return np.abs(videos.astype(np.float32) - median[:, :, None, None]).max(axis=-1) > 80


def recoloured(videos, colour=(128, 64, 0)):
    """The clips with the shape's pixels (`shape_pixels`) set to `colour`, a brown the data's
    seven colours do not include."""
    out = videos.copy()
    out[shape_pixels(videos)] = colour
    return out


def paled(videos, keep=0.5):
    """The clips with the shape's pixels (`shape_pixels`) moved towards their own grey, keeping
    `keep` of their colour: at 0.5 the real shapes' saturation (about 208) falls to about the
    `base` preset's (108-124), their brightness unchanged."""
    out = videos.astype(np.float32)
    shape = shape_pixels(videos)
    grey = out[shape].mean(axis=-1, keepdims=True)
    out[shape] = grey + keep * (out[shape] - grey)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def spoilings(real, times):
    """`{name: (videos, frames shown)}`: each way of spoiling `real`, judged at `times`."""
    last = real.shape[1] - 1
    gap = times[-1] - times[0]

    def at_speed(factor):
        shown = [min(last, round(times[0] + (t - times[0]) * factor)) for t in times]
        return real, shown

    rows = {name: (videos, times) for name, videos in spoilt_real_clips(real).items()
            if not name.startswith("frames shuffled")}
    rows.update({f"moving {factor:g}x as fast": at_speed(factor) for factor in (1.25, 1.5, 2, 0.5)
                 if times[0] + gap * factor <= last})
    rows["played backwards"] = (real, times[::-1])
    rows["the shape recoloured brown"] = (recoloured(real), times)
    rows["the shape paled to half its colour"] = (paled(real), times)
    haze = smooth_haze(np.random.default_rng(0), len(real), real.shape[1], real.shape[2], 7, False)
    rows["a still haze of 7 levels"] = (np.clip(real + haze, 0, 255).astype(np.uint8), times)
    return rows


def main(checkpoint, real_dir, num_samples=256):
    model, real, times = probed_run(checkpoint, real_dir, num_samples)
    generated = model.generate(num_samples, seed=3)
    real_logit = judged_at(model, real, times, times)
    generated_logit = judged_at(model, generated, times, times)
    gap = real_logit - generated_logit
    print(f"{checkpoint}: discriminator's mean logit at frames {times}, {len(real)} held-out real "
          f"clips: {real_logit:+.3f}; the generator's (EMA) {generated_logit:+.3f}; gap {gap:.3f}")
    print(f"motion (levels a frame): real {motion(real)}, generated {motion(generated)}")
    print(f"{'real clips spoilt':40s} {'logit':>8s} {'drop':>7s} {'share of the gap':>17s}")
    for name, (videos, shown) in spoilings(real, times).items():
        logit = judged_at(model, videos, shown, times)
        print(f"{name:40s} {logit:+8.3f} {real_logit - logit:+7.3f} {(real_logit - logit) / gap:17.0%}")


if __name__ == "__main__":
    args = probe_arguments(__doc__)
    main(args.checkpoint, args.real_dir, args.num_samples)
