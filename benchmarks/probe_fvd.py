"""What a run's in-domain FVD is made of: which attributes, and how much the missing background.

bench_quality scores a run's EMA samples (OUT/generated.npy) against held-out real clips
(OUT/half_b). This takes such a run apart, on the same extractor:

- real clips of the training half that all have one background kind (plain, or striped), against
  the whole held-out half: what a generator would score that drew every clip right but only one
  kind of background (the `base` runs draw one kind in 99-100% of their clips);
- the generator's clips against the held-out half's plain-background clips alone, beside real
  plain clips against the same: how far it is from the kind it does draw;
- for every row, the Frechet distance of the features projected on each of the extractor's heads
  (shape, colour and background logits; the path head's shape centres): which attribute carries
  the distance. The heads' scales differ, so compare a column down, not across.

Plain or striped is read on the pixels (`bench_quality.clip_spreads` below 2 levels: plain).

Run after bench_quality:  python benchmarks/probe_fvd.py --extractor EXTRACTOR.keras OUT [OUT ...]
"""

import argparse
import os

import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)
import keras
import numpy as np

from bench_quality import clip_spreads, spoilt_real_clips
from keras_vidgen import doctor, metrics
from keras_vidgen.metrics.distances import frechet_distance

HEADS = ("shape", "colour", "background", "path")


def head_distances(classifier, features, real_features):
    """`{head: Frechet distance of the features projected on the head's weights}`."""
    distances = {}
    for head in HEADS:
        if head in [layer.name for layer in classifier.layers]:
            kernel, bias = classifier.get_layer(head).get_weights()
            distances[head] = frechet_distance(features @ kernel + bias, real_features @ kernel + bias)
    return distances


def probe(out_dir, extractor_path, num_samples=256):
    generated = np.load(os.path.join(out_dir, "generated.npy"))
    frames, size = generated.shape[1:3]
    extractor = metrics.load_extractor(f"indomain:{extractor_path}")
    classifier = keras.models.load_model(extractor_path)
    # Twice the clips from half A, so each background kind alone has num_samples of them.
    real_a = metrics.real_clips(os.path.join(out_dir, "half_a"), 2 * num_samples, frames, size, seed=1)
    real_b = metrics.real_clips(os.path.join(out_dir, "half_b"), num_samples, frames, size, seed=2)
    plain_a, plain_b = clip_spreads(real_a) < 2.0, clip_spreads(real_b) < 2.0
    real_b_features = extractor(real_b)
    plain_b_features = extractor(real_b[plain_b])
    rows = [
        ("real A vs B", real_a[:num_samples], real_b_features),
        ("real A, plain backgrounds only, vs B", real_a[plain_a][:num_samples], real_b_features),
        ("real A, striped backgrounds only, vs B", real_a[~plain_a][:num_samples], real_b_features),
        ("G (EMA) vs B", generated, real_b_features),
        ("G (EMA) vs B's plain clips", generated, plain_b_features),
        ("real A plain vs B's plain clips", real_a[plain_a][:num_samples], plain_b_features),
    ]
    rows += [(f"real A {name} vs B", videos, real_b_features)
             for name, videos in spoilt_real_clips(real_a[:num_samples]).items()]
    print(f"\n{out_dir}: {frames}x{size}x{size}; plain backgrounds: real A {plain_a.mean():.0%}, "
          f"real B {plain_b.mean():.0%}, G {np.mean(clip_spreads(generated) < 2.0):.0%}")
    print(f"{'':<48}{'clips':>6}{'FVD':>8}" + "".join(f"{head:>12}" for head in HEADS))
    for name, videos, reference in rows:
        features = extractor(videos)
        cells = head_distances(classifier, features, reference)
        print(f"{name:<48}{len(videos):>6}{frechet_distance(features, reference):>8.2f}"
              + "".join(f"{cells[head]:>12.2f}" if head in cells else f"{'-':>12}" for head in HEADS),
              flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dirs", nargs="+", help="bench_quality --out folders")
    parser.add_argument("--extractor", required=True, help="the in-domain extractor the runs used")
    args = parser.parse_args()
    print(doctor.machine_summary(), flush=True)
    for out_dir in args.out_dirs:
        probe(out_dir, args.extractor)


if __name__ == "__main__":
    main()
