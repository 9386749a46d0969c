"""Quality benchmark: in-domain FVD of the default configuration after a fixed training budget.

On the built-in moving shapes, prints side by side:
  real half A vs real half B   (the floor: what "as good as real data" scores),
  untrained generator vs B     (the ceiling),
  trained generator vs B       (the generator trains on half A only; B is held out),
and writes a PNG with rows of real and generated frames plus small GIFs for the README.

Run: python benchmarks/bench_quality.py --minutes 30         (64x64x16, the "base" preset)
     python benchmarks/bench_quality.py --minutes 1 --preset tiny   (a smoke run)
"""

import argparse
import dataclasses
import json
import os
import time

import numpy as np

from keras_vidgen import media, metrics
from keras_vidgen.config import preset
from keras_vidgen.data import list_video_files
from keras_vidgen.train import build_model, resolve_data, train


def split_halves(data_dir, out_dir):
    """Links alternate files of `data_dir` into `out_dir/half_a` and `out_dir/half_b`."""
    files = list_video_files(data_dir)
    halves = {}
    for name, part in (("half_a", files[0::2]), ("half_b", files[1::2])):
        folder = os.path.join(out_dir, name)
        os.makedirs(folder, exist_ok=True)
        for path in part:
            link = os.path.join(folder, os.path.basename(path))
            if not os.path.exists(link):
                os.symlink(os.path.abspath(path), link)
        halves[name] = folder
    return halves


def main(minutes, preset_name, num_samples, out_dir):
    started = time.time()
    os.makedirs(out_dir, exist_ok=True)
    config = preset(preset_name, name="quality", logdir=os.path.join(out_dir, "runs"),
                    export_dir=None, max_minutes=minutes, epochs=10**6, steps_per_epoch=200)
    frames, size = config.data.frames, config.data.size
    data_dir = resolve_data(config)
    halves = split_halves(data_dir, out_dir)

    extractor_path, accuracies = metrics.train_extractor(
        data_dir, os.path.join(out_dir, "extractor.keras"), frames=frames, size=size
    )
    extractor = metrics.load_extractor(f"indomain:{extractor_path}")
    real_a = metrics.real_clips(halves["half_a"], num_samples, frames, size, seed=1)
    real_b = metrics.real_clips(halves["half_b"], num_samples, frames, size, seed=2)

    untrained = build_model(config).generate(num_samples, seed=3)
    result = train(dataclasses.replace(config, data=dataclasses.replace(config.data, data=halves["half_a"])))
    trained = result.model.generate(num_samples, seed=3)

    rows = {
        "real A vs real B": metrics.evaluate(real_a, real_b, extractor),
        "untrained G vs real B": metrics.evaluate(untrained, real_b, extractor),
        "trained G vs real B": metrics.evaluate(trained, real_b, extractor),
    }
    steps = int(result.model.g_optimizer.iterations.numpy())
    report = {
        "preset": preset_name, "frames": frames, "size": size, "budget_minutes": minutes,
        "training_steps": steps, "batch_size": config.data.batch_size,
        "extractor_accuracy": accuracies, "num_samples": num_samples, "rows": rows,
        "wall_seconds": round(time.time() - started),
    }
    _print_report(report)
    _save_pictures(real_b, trained, out_dir)
    with open(os.path.join(out_dir, "quality.json"), "w") as file:
        json.dump(report, file, indent=2)
    return report


def _print_report(report):
    print(f"\nQuality on moving shapes, {report['frames']}x{report['size']}x{report['size']}, "
          f"preset {report['preset']}, {report['training_steps']} steps of batch "
          f"{report['batch_size']} in {report['budget_minutes']} min; "
          f"{report['num_samples']} clips per set; in-domain extractor held-out accuracy "
          + ", ".join(f"{k} {v:.2f}" for k, v in report["extractor_accuracy"].items()))
    print(f"{'comparison':<24}{'FVD':>12}{'KVD':>12}")
    for name, row in report["rows"].items():
        print(f"{name:<24}{row['fvd']:>12.3f}{row['kvd']:>12.4f}")


def _save_pictures(real, generated, out_dir):
    strip = np.concatenate([media.frame_strip(real[:4]), media.frame_strip(generated[:4])], axis=1)
    media.write_video(os.path.join(out_dir, "quality.png"), strip[np.newaxis])
    media.write_video(os.path.join(out_dir, "real.gif"), media.tile_videos(real[:8], columns=4))
    media.write_video(os.path.join(out_dir, "generated.gif"), media.tile_videos(generated[:8], columns=4))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30, help="training budget")
    parser.add_argument("--preset", default="base", help="tiny, small or base (64x64x16)")
    parser.add_argument("--num-samples", type=int, default=256, help="clips per compared set")
    parser.add_argument("--out", default="benchmarks/out/quality", help="output folder")
    args = parser.parse_args()
    main(args.minutes, args.preset, args.num_samples, args.out)
