"""Prediction benchmark (issue #17): 4 observed -> 8 predicted frames of moving shapes at 64x64.

Rows, each trained for the same wall-clock budget (--minutes) on one machine, one run:
copy-last-frame (no training), MSE only, MSE + gradient-difference loss (GDL), MSE + GDL +
adversarial (Mathieu, Couprie & LeCun 2016), with weights 1, --gdl-weight (0.1) and
--adversarial-weight (0.001). The paper's 0.05 is relative to an L2 summed over pixels; the MSE
here is a mean over the 98,304 produced values, whose gradient norm is about 2 * RMSE / sqrt(98,304)
~ 0.001 at the errors reached, while a spectrally normalised discriminator's gradient norm is at
most about 1: at 0.001 the adversarial gradient is at most comparable to the reconstruction's.
At 0.01 it dominated and the generator gave up predicting (it fell to black frames with a tanh
output, results/bench_prediction_drawing_predictor.txt; to copying the last frame with the
compositing one). Columns: PSNR and SSIM at predicted frames 1, 4 and 8 on held-out videos
(every fifth video is held out from training), and the in-domain FVD of the completed clips
(4 observed + 8 predicted) against real training clips. Then the best row rolled out
autoregressively to 20 predicted frames (PSNR per frame), and a GIF of held-out clips completed
by every row side by side (docs/).

The moving shapes move with constant velocity (bouncing off the borders), so two frames fix the
future: a good predictor can be nearly exact. Goal: the best row beats copy-last-frame by at
least 6 dB PSNR at predicted frame 8.

Run: taskset -c 1 python benchmarks/bench_prediction.py [--out bench_prediction_out]
(15 minutes a row by default: about 50 minutes in all on one core.)
"""

import argparse
import dataclasses
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_vidgen  # noqa: E402, F401  (first: it asks for oneDNN before TensorFlow is imported)
import numpy as np  # noqa: E402

from keras_vidgen import doctor, media, metrics  # noqa: E402
from keras_vidgen.callbacks import TimeLimit  # noqa: E402
from keras_vidgen.config import TrainConfig  # noqa: E402
from keras_vidgen.data import list_video_files, make_moving_shapes, video_dataset  # noqa: E402
from keras_vidgen.metrics.prediction import frame_scores  # noqa: E402
from keras_vidgen.models.tasks import copy_last_frame, roll_out  # noqa: E402
from keras_vidgen.train import build_model  # noqa: E402

OBSERVED, PREDICTED, SIZE, VIDEO_FRAMES = 4, 8, 64, 24
REPORTED_FRAMES = (1, 4, 8)


def row_settings(gdl_weight, adversarial_weight):
    """Row name -> settings on top of `base_config` (the MSE's weight is 1)."""
    return {
        "MSE only": dict(adversarial_weight=0.0),
        "MSE + GDL": dict(adversarial_weight=0.0, gdl_weight=gdl_weight),
        "MSE + GDL + adversarial": dict(adversarial_weight=adversarial_weight, gdl_weight=gdl_weight),
    }


def base_config(out_dir, train_dir):
    """4 + 8 frames of 64x64, batch 8; a U-Net predictor of 16 filters at 64x64 (256 at 4x4;
    3.0 M parameters; 0.26-0.28 s a step on one core of the 2-core AMD EPYC, oneDNN on), compositing
    its frames (`models.predictor`); for the adversarial row a dcgan3d discriminator of 8 filters
    with spectral norm (at 16 its step took 1.5x as long, leaving too few steps in the budget)."""
    return TrainConfig(name="prediction", logdir=os.path.join(out_dir, "runs"), export_dir=None,
                       recon_weight=1.0, g_learning_rate=5e-4, d_learning_rate=2e-4,
                       beta_1=0.5, beta_2=0.999, epochs=10**6, steps_per_epoch=100).updated({
        "data.data": train_dir, "data.frames": OBSERVED + PREDICTED, "data.size": SIZE,
        "data.batch_size": 8, "model.task": "predict", "model.observed": OBSERVED,
        "model.g_filters": 256, "model.d_filters": 8, "model.latent_dim": 32,
    })


def main(minutes, out_dir, num_videos=640, extractor_epochs=4, docs_dir="docs", gdl_weight=0.1,
         adversarial_weight=0.001):
    print(doctor.machine_summary(), flush=True)
    print(f"weights: MSE 1, GDL {gdl_weight:g}, adversarial {adversarial_weight:g}", flush=True)
    trained_rows = row_settings(gdl_weight, adversarial_weight)
    started = time.time()
    train_dir, held_out_dir = split_data(out_dir, num_videos)
    held_out = metrics.real_clips(held_out_dir, len(list_video_files(held_out_dir)), VIDEO_FRAMES,
                                  SIZE, seed=2)
    reference = metrics.real_clips(train_dir, 256, OBSERVED + PREDICTED, SIZE, seed=3)
    extractor_path = os.path.join(out_dir, "extractor.keras")
    if not os.path.exists(extractor_path):
        metrics.train_extractor(os.path.join(out_dir, "shapes"), extractor_path,
                                frames=OBSERVED + PREDICTED, size=SIZE, epochs=extractor_epochs)
    extractor = metrics.load_extractor(f"indomain:{extractor_path}")
    reference_features = extractor(reference)
    observed, future = held_out[:, :OBSERVED], held_out[:, OBSERVED:OBSERVED + PREDICTED]

    rows, completed, models, steps = {}, {}, {}, {}
    predictions = {"copy last frame": copy_last_frame(observed, PREDICTED).numpy()}
    for name, settings in trained_rows.items():
        config = base_config(out_dir, train_dir).updated(settings).check()
        models[name], steps[name] = train_row(config, minutes)
        predictions[name] = models[name].predict_frames(observed)
    for name, predicted in predictions.items():
        completed[name] = np.concatenate([observed, predicted], axis=1)
        rows[name] = score(future, predicted, extractor(completed[name]), reference_features,
                           extractor.name)
    floor = score(future, future, extractor(held_out[:, :OBSERVED + PREDICTED]), reference_features,
                  extractor.name)["fvd"]
    best = max(trained_rows, key=lambda name: rows[name]["psnr"][-1])
    curve = rollout_curve(models[best], held_out)
    report = dict(minutes=minutes, steps=steps, rows=rows, real_fvd=floor, best=best,
                  rollout=curve, held_out=len(held_out), seconds=round(time.time() - started))
    print_report(report)
    save_pictures(held_out[:4, :OBSERVED + PREDICTED], {k: v[:4] for k, v in completed.items()},
                  docs_dir)
    with open(os.path.join(out_dir, "prediction.json"), "w") as file:
        json.dump(report, file, indent=2)
    return report


def split_data(out_dir, num_videos):
    """Writes the moving shapes (24 frames) once; links every fifth video into `held_out/`."""
    shapes = make_moving_shapes(os.path.join(out_dir, "shapes"), num_videos=num_videos,
                                frames=VIDEO_FRAMES, size=SIZE, seed=0)
    folders = {name: os.path.join(out_dir, name) for name in ("train", "held_out")}
    for index, path in enumerate(list_video_files(shapes)):
        folder = folders["held_out" if index % 5 == 0 else "train"]
        os.makedirs(folder, exist_ok=True)
        link = os.path.join(folder, os.path.basename(path))
        if not os.path.exists(link):
            os.symlink(os.path.abspath(path), link)
    return folders["train"], folders["held_out"]


def train_row(config, minutes):
    """Trains one row's model for `minutes` of wall time; returns it and its steps."""
    model = build_model(config)
    settings = dataclasses.asdict(config.data)
    dataset = video_dataset(config.data.data, frames=settings["frames"], size=settings["size"],
                            batch_size=settings["batch_size"], repeat=True, seed=config.seed)
    history = model.fit(dataset, epochs=config.epochs, steps_per_epoch=config.steps_per_epoch,
                        callbacks=[TimeLimit(minutes)], verbose=0)
    last = {key: round(values[-1], 4) for key, values in history.history.items()}
    print(f"trained {int(model.fit_steps.numpy())} steps; last epoch's means {last}", flush=True)
    return model, int(model.fit_steps.numpy())


def score(future, predicted, features, reference_features, extractor_name):
    summary = metrics.prediction.summarize(frame_scores(future, predicted))
    fvd = metrics.evaluate_features(features, reference_features, extractor_name,
                                    (len(features), OBSERVED + PREDICTED, SIZE))["fvd"]
    return {"psnr": [summary["psnr_per_frame"][t - 1] for t in REPORTED_FRAMES],
            "ssim": [summary["ssim_per_frame"][t - 1] for t in REPORTED_FRAMES], "fvd": fvd}


def rollout_curve(model, held_out):
    """PSNR per predicted frame, 1..20, of the model fed its own predictions, and of copy-last."""
    observed, future = held_out[:, :OBSERVED], held_out[:, OBSERVED:]
    rolled = roll_out(model.predict_frames, observed, future.shape[1])
    copied = copy_last_frame(observed, future.shape[1]).numpy()
    summary = metrics.prediction.summarize
    return {name: [round(v, 2) for v in summary(frame_scores(future, video))["psnr_per_frame"]]
            for name, video in (("model", rolled), ("copy last frame", copied))}


def print_report(report):
    frames = " ".join(f"{'PSNR@' + str(t):>8}" for t in REPORTED_FRAMES)
    ssims = " ".join(f"{'SSIM@' + str(t):>8}" for t in REPORTED_FRAMES)
    print(f"\n{OBSERVED} observed -> {PREDICTED} predicted frames, {SIZE}x{SIZE}, "
          f"{report['held_out']} held-out videos; {report['minutes']:g} minutes of training per row")
    print(f"{'row':<26}{'steps':>7} {frames} {ssims} {'FVD':>8}")
    for name, row in report["rows"].items():
        steps = report["steps"].get(name, 0)
        print(f"{name:<26}{steps:>7} " + " ".join(f"{v:8.2f}" for v in row["psnr"]) + " "
              + " ".join(f"{v:8.3f}" for v in row["ssim"]) + f" {row['fvd']:8.1f}")
    print(f"{'(real continuation)':<26}{'':>7} {'':>26} {'':>26} {report['real_fvd']:8.1f}")
    gain = report["rows"][report["best"]]["psnr"][-1] - report["rows"]["copy last frame"]["psnr"][-1]
    print(f"\nbest row at frame {PREDICTED}: {report['best']}, {gain:+.2f} dB over copy-last-frame "
          "(goal: +6 dB)")
    print(f"roll-out of {report['best']} to 20 frames (fed its own predictions after frame "
          f"{PREDICTED}), PSNR per predicted frame:")
    for name, values in report["rollout"].items():
        print(f"  {name:<16}" + " ".join(f"{v:5.1f}" for v in values))
    print(f"wall time {report['seconds']} s")


def save_pictures(real, completed, docs_dir):
    """One GIF: held-out clips down, real | each row's completion across, observed frames first."""
    columns = [real] + list(completed.values())
    gap = np.full((*real.shape[:3], 2, 3), 255, np.uint8)
    grid = np.concatenate([np.concatenate([c, gap], axis=3) for c in columns], axis=3)
    video = np.concatenate(list(grid), axis=1)  # clips stacked down
    media.write_video(os.path.join(docs_dir, "prediction_rows.gif"), video, fps=4)
    # A still for the README: the grid at predicted frames 1, 4 and 8, left to right.
    media.write_video(os.path.join(docs_dir, "prediction_rows.png"),
                      video[[OBSERVED + t - 1 for t in REPORTED_FRAMES]])
    print("columns of docs/prediction_rows.gif: real, " + ", ".join(completed), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="training budget per row")
    parser.add_argument("--out", default="bench_prediction_out", help="working folder")
    parser.add_argument("--videos", type=int, default=640, help="moving-shapes videos (a fifth held out)")
    parser.add_argument("--extractor-epochs", type=int, default=4)
    parser.add_argument("--docs", default="docs", help="where the GIF goes")
    parser.add_argument("--gdl-weight", type=float, default=0.1, help="of the GDL rows (MSE's is 1)")
    parser.add_argument("--adversarial-weight", type=float, default=0.001)
    args = parser.parse_args()
    main(args.minutes, args.out, args.videos, args.extractor_epochs, args.docs, args.gdl_weight,
         args.adversarial_weight)
