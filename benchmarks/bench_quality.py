"""Quality benchmark: in-domain FVD of the default configuration after a fixed training budget.

On the built-in moving shapes, prints side by side:
  real half A vs real half B   (the floor: what "as good as real data" scores),
  untrained generator vs B     (the ceiling),
  trained generator vs B       (the generator trains on half A only; B is held out),
and the scale between them: half A spoilt in known ways (blurred, frames shuffled, static); then,
per class head of the in-domain extractor (shape, colour, background), how many classes
it sees in the real and generated clips and the largest class's share (mode collapse shows
there), the FVD of generator snapshots taken every 400 steps (saved during training, scored
after it, so the budget is spent on training) with their mean over the second half of training
(one snapshot alone is noisy) and the classes each snapshot draws (a class the end lacks may
have been drawn and lost, or never), and writes a PNG with rows of real and generated
frames plus small GIFs. A continuous-time model (arch stylegan-v) also renders 4x-long videos,
scored on windows of the training length at offsets 0, T, 2T, 3T, with how much each window
moves (mean absolute change between consecutive frames, beside the real clips'). How crisp the
outlines are (edge steepness), how flat the backgrounds are (the share of clips whose frames
are one level, as the plain real backgrounds are) and how much of the motion is the shapes' and
how much the background's are read on the pixels. With an EMA generator
it scores the generator the EMA averages too, on the same latents.

Run: python benchmarks/bench_quality.py --minutes 60         (64x64x16, the "base" preset)
         (the preset's own steps, within the minutes: base's 4,000, small's 1,800)
     python benchmarks/bench_quality.py --minutes 1 --preset tiny   (a smoke run)
     python benchmarks/bench_quality.py --set model.g_filters=256 --set data.batch_size=16
         (try other settings; --extractor FILE.keras reuses a trained extractor)
     python benchmarks/bench_quality.py --steps 4600 --set lr_schedule=cosine
         (another step count, which a learning-rate schedule spans; --minutes stays a limit)
     python benchmarks/bench_quality.py --set model.arch=dvdgan --set model.spectral_norm=true
         (today's default beside the previous one: run both in one session, same machine)
"""

import argparse
import dataclasses
import json
import os
import time

import keras_vidgen  # noqa: F401  (first: it asks for oneDNN before TensorFlow is imported)
import cv2
import keras
import numpy as np

from keras_vidgen import doctor, media, metrics
from keras_vidgen.config import parse_settings, preset
from keras_vidgen.data import cached_moving_shapes, list_video_files, shapes
from keras_vidgen.models import networks, time_sampling
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


STEPS_PER_EPOCH = 200


def main(minutes, preset_name, num_samples, out_dir, settings=(), extractor_path=None,
         snapshot_every=400, steps=None, trained_run=None):
    # Budgets in minutes mean nothing without the machine: name it first.
    print(doctor.machine_summary(), flush=True)
    started = time.time()
    os.makedirs(out_dir, exist_ok=True)
    config = preset(preset_name, name="quality", logdir=os.path.join(out_dir, "runs"),
                    export_dir=None, max_minutes=minutes)
    config = config.updated(parse_settings(settings))
    # The run's step count is the preset's (or --steps), as a user's run of it would be: a
    # learning-rate schedule spans it (base's generator rate falls to zero at its last step),
    # and the minutes stay a limit. Whole epochs of STEPS_PER_EPOCH, so snapshots fall on them.
    steps = steps or config.epochs * config.steps_per_epoch
    config = dataclasses.replace(config, epochs=-(-steps // STEPS_PER_EPOCH),
                                 steps_per_epoch=STEPS_PER_EPOCH).check()
    frames, size = config.data.frames, config.data.size
    data_dir = resolve_data(config)
    halves = split_halves(data_dir, out_dir)

    extractor_path, scores = trained_extractor(
        extractor_data(config), extractor_path or os.path.join(out_dir, "extractor.keras"), frames, size
    )
    extractor = metrics.load_extractor(f"indomain:{extractor_path}")
    real_a = metrics.real_clips(halves["half_a"], num_samples, frames, size, seed=1)
    real_b = metrics.real_clips(halves["half_b"], num_samples, frames, size, seed=2)

    # Seeded as `train` seeds its run, so the ceiling row repeats: unseeded, it read 71-111 in
    # runs of the same preset.
    keras.utils.set_random_seed(config.seed)
    untrained = build_model(config).generate(num_samples, seed=3)
    snapshots = GeneratorSnapshots(os.path.join(out_dir, "snapshots"), snapshot_every)
    training_seconds = None
    if trained_run:
        model = load_trained_run(trained_run, snapshots)
        started = None  # it trained in an earlier process: no time to report
    else:
        training_started = time.time()
        model = train(dataclasses.replace(config, data=dataclasses.replace(config.data, data=halves["half_a"])),
                      extra_callbacks=[snapshots]).model
        training_seconds = round(time.time() - training_started)
    trained = model.generate(num_samples, seed=3)
    render_snapshot = snapshot_renderer(model, num_samples)
    classifier = keras.models.load_model(extractor_path)
    curve, coverage_curve = fvd_over_training(render_snapshot, snapshots.paths, real_b, extractor, classifier)
    # With an EMA generator the run also scores the generator it averages: one run measures both.
    itself = itself_curve = itself_coverage_curve = None
    if snapshots.itself_paths:
        itself_curve, itself_coverage_curve = fvd_over_training(
            render_snapshot, snapshots.itself_paths, real_b, extractor, classifier)
        itself = render_snapshot(snapshots.itself_paths[max(snapshots.itself_paths)])

    rows = {
        "real A vs real B": metrics.evaluate(real_a, real_b, extractor),
        "untrained G vs real B": metrics.evaluate(untrained, real_b, extractor),
        "trained G vs real B": metrics.evaluate(trained, real_b, extractor),
    }
    if itself is not None:
        rows["G itself (no EMA) vs B"] = metrics.evaluate(itself, real_b, extractor)
    # The scale: real clips spoilt in known ways, so a generator's FVD can be read against them.
    spoilt = spoilt_real_clips(real_a)
    references = {name: round(metrics.evaluate(videos, real_b, extractor)["fvd"], 3)
                  for name, videos in spoilt.items()}
    compared = [("real B", real_b), ("untrained G", untrained), ("trained G", trained)]
    if itself is not None:
        compared.append(("G itself (no EMA)", itself))
    coverage = {name: class_coverage(class_labels(videos, classifier)) for name, videos in compared}
    long_videos = long_video_windows(model, real_b, extractor, num_samples)
    edges = {name: edge_steepness(videos) for name, videos in
             [("real B", real_b), ("real A blurred to 1/2", spoilt["blurred (1/2 resolution)"])] + compared[2:]}
    backgrounds = {name: background_spread(videos) for name, videos in compared if name != "untrained G"}
    motions = {name: motion_by_region(videos) for name, videos in compared if name != "untrained G"}
    saturations = {name: shape_saturation(videos) for name, videos in compared if name != "untrained G"}
    steadiness = {name: shape_steadiness(videos) for name, videos in compared if name != "untrained G"}
    trained_steps = int(model.g_optimizer.iterations.numpy())
    np.save(os.path.join(out_dir, "generated.npy"), trained)
    report = {
        "preset": preset_name, "settings": list(settings), "frames": frames, "size": size,
        "budget_minutes": minutes, "budget_steps": config.epochs * config.steps_per_epoch,
        "training_steps": trained_steps, "batch_size": config.data.batch_size,
        "extractor_scores": scores, "num_samples": num_samples, "rows": rows,
        "coverage": coverage, "fvd_over_training": curve,
        "fvd_over_training_without_ema": itself_curve,
        "coverage_over_training": coverage_curve,
        "coverage_over_training_without_ema": itself_coverage_curve,
        "spoilt_real_fvd": references,
        "long_videos": long_videos, "edge_steepness": edges, "background_spread": backgrounds,
        "motion_by_region": motions, "shape_saturation": saturations,
        "shape_steadiness": steadiness,
        "arch": config.model.arch,
        "wall_seconds": round(time.time() - started) if started else None,
        "training_seconds": training_seconds,
    }
    _print_report(report)
    _save_pictures(real_b, trained, out_dir)
    with open(os.path.join(out_dir, "quality.json"), "w") as file:
        json.dump(report, file, indent=2)
    return report


def extractor_data(config, num_videos=512):
    """The moving shapes the extractor learns from: a fixed 512 videos whatever the training set's
    size (all its clips are held in memory), so every setting is judged by the same extractor."""
    return cached_moving_shapes(num_videos=num_videos, frames=2 * config.data.frames,
                                size=config.data.size, seed=0)


def load_trained_run(run_dir, snapshots):
    """The model a finished run saved in `run_dir` (its `checkpoint.keras`), with the snapshots
    already in `snapshots.folder`: to score a run again without training it again."""
    checkpoint = os.path.join(run_dir, "checkpoint.keras")
    if not os.path.exists(checkpoint):
        raise SystemExit(f"--trained-run {run_dir}: no checkpoint.keras there; give the run folder "
                         "that training wrote (under OUT/runs/).")
    suffix = ".weights.h5"
    for name in sorted(os.listdir(snapshots.folder)):
        if name.startswith("step") and name.endswith(suffix):
            step = int(name[len("step"):-len(suffix)])
            snapshots.paths[step] = os.path.join(snapshots.folder, name)
    return keras.models.load_model(checkpoint)


class GeneratorSnapshots(keras.callbacks.Callback):
    """Saves the sampling generator's weights every `every` steps, to be scored after training
    (scoring during training would spend the time budget on evaluation). With an EMA generator it
    also saves the generator the EMA averages (`itself_paths`), at the same steps and at the end."""

    def __init__(self, folder, every):
        super().__init__()
        self.folder, self.every, self.paths, self.itself_paths = folder, every, {}, {}
        os.makedirs(folder, exist_ok=True)

    def on_train_batch_end(self, batch, logs=None):
        step = int(self.model.g_optimizer.iterations.numpy())
        if self.every and step % self.every == 0 and step not in self.paths:
            self.paths[step] = self._save(self.model.sampling_generator, f"step{step:06d}")
            self._save_itself(step)

    def on_train_end(self, logs=None):
        self._save_itself(int(self.model.g_optimizer.iterations.numpy()))

    def _save_itself(self, step):
        if self.model.ema_generator is not None and step not in self.itself_paths:
            self.itself_paths[step] = self._save(self.model.generator, f"itself{step:06d}")

    def _save(self, generator, name):
        path = os.path.join(self.folder, f"{name}.weights.h5")
        generator.save_weights(path)
        return path


def fvd_over_training(render_snapshot, snapshot_paths, real, extractor, classifier):
    """`{step: FVD}` of each snapshot against `real`, the same latents for all, and
    `{step: class_coverage}` of the same clips: whether a class the end lacks was ever drawn, and
    (`changed`) how many of the latents draw another class than at the snapshot before."""
    real_features = extractor(real)
    curve, coverage, previous = {}, {}, None
    for step, path in sorted(snapshot_paths.items()):
        videos = render_snapshot(path)
        row = metrics.evaluate_features(extractor(videos), real_features, extractor.name, videos.shape)
        curve[step] = round(row["fvd"], 3)
        labels = class_labels(videos, classifier)
        coverage[step] = class_coverage(labels)
        if previous:
            for head, share in class_changes(labels, previous).items():
                coverage[step][head]["changed"] = share
        previous = labels
    return curve, coverage


def snapshot_renderer(model, num_samples):
    """A function from saved generator weights to uint8 clips, from the latents of
    `model.generate(num_samples, seed=3)`, so every snapshot is judged on the same videos. The
    generator is cloned once, for all the snapshots."""
    generator = keras.models.clone_model(model.generator)
    z = keras.ops.convert_to_tensor(model.latents(num_samples, 3))

    def render(latents):
        # A continuous-time generator renders the training clips' frame times.
        times = time_sampling.frame_times(len(latents), model.frames) if model.sparse_frames else None
        inputs = networks.generator_inputs(latents, networks.Conditions(times=times))
        return media.to_uint8(generator(inputs, training=False)).numpy()

    def render_snapshot(path):
        generator.load_weights(path)
        return np.concatenate([render(z[i:i + 32]) for i in range(0, num_samples, 32)])

    return render_snapshot


def edge_steepness(videos, share=0.01):
    """How crisp outlines are: per frame, the mean of the steepest `share` of its brightness
    gradients (Sobel, in uint8 levels a pixel), averaged over frames. A 10-pixel shape's outline
    is about 1% of a 64x64 frame, so this follows the shapes' edges more than the background's
    texture; real clips blurred to half resolution score about 2/3 of the real ones."""
    frames = videos.reshape(-1, *videos.shape[2:]).astype(np.float32).mean(axis=-1)
    count = max(1, int(share * frames[0].size))
    steepest = []
    for frame in frames:
        gx = cv2.Sobel(frame, cv2.CV_32F, 1, 0, ksize=3) / 8
        gy = cv2.Sobel(frame, cv2.CV_32F, 0, 1, ksize=3) / 8
        magnitudes = np.hypot(gx, gy).ravel()
        steepest.append(np.partition(magnitudes, -count)[-count:].mean())
    return round(float(np.mean(steepest)), 1)


def clip_spreads(videos):
    """Per clip `[N]`: the median over frames of each frame's median distance of a pixel's
    brightness from the frame's median brightness (uint8 levels). The shape covers a small part
    of a frame, so this reads the background: 0 on a plain one, about 20 on the striped ones."""
    grey = videos.astype(np.float32).mean(axis=-1)
    pixels = grey.reshape(*grey.shape[:2], -1)
    levels = np.median(pixels, axis=-1, keepdims=True)
    return np.median(np.median(np.abs(pixels - levels), axis=-1), axis=1)


def background_spread(videos, flat_below=2.0):
    """How flat the backgrounds are (`clip_spreads`): the share of clips below `flat_below` and
    the median over clips."""
    spread = clip_spreads(videos)
    return {"flat": round(float(np.mean(spread < flat_below)), 2), "median": round(float(np.median(spread)), 1)}


def shape_saturation(videos, share=0.03, pale=80, every=4):
    """How saturated the shapes' colours are: per clip, the median HSV saturation (0-255) of the
    `share` of pixels farthest from their frame's median colour (the shape's, the background
    being most of the frame), over every `every`-th frame; returns the median over clips and the
    share of clips below `pale`. The data's colours are saturated but white (1 clip in 7): a
    generator drawing pale shapes scores lower, and the extractor's colour head reads them as
    white, so its colour classes alone show a crowding where these show the cause."""
    frames = videos[:, ::every]
    distance = off_median(frames).sum(axis=-1)
    farthest = distance >= np.quantile(distance.reshape(*distance.shape[:2], -1), 1 - share, axis=-1)[..., None, None]
    saturation = cv2.cvtColor(frames.reshape(-1, *frames.shape[3:]), cv2.COLOR_RGB2HSV)[..., 1].reshape(farthest.shape)
    saturations = [np.median(clip[pixels]) for clip, pixels in zip(saturation, farthest)]
    return {"median": round(float(np.median(saturations))), "pale": round(float(np.mean(np.array(saturations) < pale)), 2)}


def motion(videos):
    """How much clips move: the mean absolute change between consecutive frames, in uint8 levels."""
    return round(float(np.abs(np.diff(videos.astype(np.float32), axis=1)).mean()), 2)


def off_median(videos):
    """`[N, T, H, W, C]` clips -> each pixel's per-channel distance from its frame's median colour
    (the background's, the shapes being small), float32 levels."""
    videos = videos.astype(np.float32)
    median = np.median(videos.reshape(*videos.shape[:2], -1, videos.shape[-1]), axis=2)
    return np.abs(videos - median[:, :, None, None, :])


def shape_pixels(videos, far=40):
    """`[N, T, H, W]` bool: the pixels with some channel more than `far` levels from their frame's
    median colour (the background's, as the shape is small)."""
    return off_median(videos).max(axis=-1) > far


def motion_by_region(videos, far=40):
    """`motion` split between the shapes and the background: `{"shape", "background"}`, each the
    change of its pixels summed and divided by all pixels (so the two add up to `motion`). A
    pixel is the shape's in a pair of frames when it is in either frame (`shape_pixels`)."""
    videos = videos.astype(np.float32)
    off_background = shape_pixels(videos, far)
    shape = off_background[:, 1:] | off_background[:, :-1]
    change = np.abs(np.diff(videos, axis=1)).mean(axis=-1)
    return {"shape": round(float((change * shape).mean()), 2),
            "background": round(float((change * ~shape).mean()), 2)}


def shape_steadiness(videos, far=40, unsteady=0.5, jump=0.2):
    """Whether a clip's shape stays one shape of one colour moving smoothly: per clip, its area in
    each frame (`shape_pixels`), its colour there (their mean) and its centre. Returns
    `{"area": the median over clips of (largest - smallest area) / largest, "come_and_go": the
    share of clips where that exceeds `unsteady`, "colour": the median over clips of the largest
    distance (levels, the farthest channel) of a frame's shape colour from the clip's median,
    "jumps": the share of clips whose shape's centre moves more than `jump` of the frame's width
    between two consecutive frames, "uneven": the median over clips of how unevenly the centre
    moves (the standard deviation of its steps between consecutive frames over their mean)}`. A
    shape that appears, vanishes or breaks up mid-clip raises the first two (and may jump); one
    that changes colour, the third; one that leaps from place to place, the fourth; one that
    idles and then darts, the last (the data's shapes keep their speed). Real clips score above 0
    (a shape at the frame's edge, stripes beside the median, centres rounded to pixels), so read
    them side by side with the real clips'."""
    videos = videos.astype(np.float32)
    shape = shape_pixels(videos, far)
    area = shape.sum(axis=(2, 3))
    change = (area.max(axis=1) - area.min(axis=1)) / np.maximum(area.max(axis=1), 1)
    colour = (videos * shape[..., None]).sum(axis=(2, 3)) / np.maximum(area, 1)[..., None]  # [N, T, C]
    drift = np.abs(colour - np.median(colour, axis=1, keepdims=True)).max(axis=-1)
    drift = np.where(area > 0, drift, 0.0).max(axis=1)
    rows, columns = np.mgrid[0:shape.shape[2], 0:shape.shape[3]]
    centre = np.stack([(shape * rows).sum(axis=(2, 3)), (shape * columns).sum(axis=(2, 3))], axis=-1)
    centre = centre / np.maximum(area, 1)[..., None]  # [N, T, 2]
    steps = np.linalg.norm(np.diff(centre, axis=1), axis=-1)  # [N, T - 1]
    uneven = steps.std(axis=1) / np.maximum(steps.mean(axis=1), 1e-3)
    return {"area": round(float(np.median(change)), 2), "come_and_go": round(float(np.mean(change > unsteady)), 2),
            "colour": round(float(np.median(drift)), 1),
            "jumps": round(float(np.mean(steps.max(axis=1) > jump * shape.shape[3])), 2),
            "uneven": round(float(np.median(uneven)), 2)}


def long_video_windows(model, real, extractor, num_samples, windows=4):
    """A continuous-time model's `windows`x-long videos: per window of the training length, its FVD
    against `real` and its motion (`None` for the other architectures, which have one length)."""
    if not model.sparse_frames:
        return None
    frames = model.frames
    videos = model.generate(num_samples, seed=3, frames=windows * frames)
    real_features = extractor(real)
    rows = {"real motion": motion(real)}
    for index in range(windows):
        window = videos[:, index * frames:(index + 1) * frames]
        row = metrics.evaluate_features(extractor(window), real_features, extractor.name, window.shape)
        rows[f"frames {index * frames}-{(index + 1) * frames - 1}"] = {
            "fvd": round(row["fvd"], 3), "motion": motion(window)}
    return rows


def trained_extractor(data_dir, path, frames, size):
    """Reuses the extractor at `path` (with its held-out scores beside it) or trains one there."""
    if os.path.exists(path):
        with open(path + ".json") as file:
            return path, json.load(file)
    path, scores = metrics.train_extractor(data_dir, path, frames=frames, size=size)
    with open(path + ".json", "w") as file:
        json.dump(scores, file)
    return path, scores


def spoilt_real_clips(real):
    """Real uint8 clips degraded in ways a generator's samples often are. One of them is the
    haze every stylegan-v run draws where the data's backgrounds are flat: the plain clips with a
    still haze of 12 levels (`smooth_haze`; the runs' own measure 6-12)."""
    size = real.shape[2]
    hazed = real.astype(np.float32)
    plain = clip_spreads(real) < 2.0
    if plain.any():
        hazed[plain] += smooth_haze(np.random.default_rng(0), int(plain.sum()), real.shape[1], size, 12, False)

    def blurred(factor):
        frames = real.reshape(-1, size, size, real.shape[-1])
        small = [cv2.resize(f, (size // factor,) * 2, interpolation=cv2.INTER_AREA) for f in frames]
        return np.stack([cv2.resize(f, (size, size)) for f in small]).reshape(real.shape)

    return {
        "blurred (1/2 resolution)": blurred(2),
        "blurred (1/4 resolution)": blurred(4),
        "frames shuffled in time": real[:, np.random.default_rng(0).permutation(real.shape[1])],
        "static (first frame held)": np.repeat(real[:, :1], real.shape[1], axis=1),
        "plain backgrounds hazed (12 levels)": np.clip(hazed, 0, 255).astype(np.uint8),
    }


def smooth_haze(rng, count, frames, size, levels, per_frame):
    """`[count, frames, size, size, 1]` float: a 4x4 normal field up-sampled (bicubic), scaled
    so its median absolute value is `levels`; one field a clip, or one a frame."""
    fields = rng.normal(size=(count, frames if per_frame else 1, 4, 4)).astype(np.float32)
    up = np.stack([[cv2.resize(field, (size, size), interpolation=cv2.INTER_CUBIC) for field in clip]
                   for clip in fields])
    up *= levels / np.median(np.abs(up))
    return np.broadcast_to(up[..., np.newaxis], (count, frames, size, size, 1))


def class_labels(videos, classifier):
    """Per class head of the in-domain classifier, `(each clip's class, the head's class count)`."""
    predictions = classifier.predict(media.to_float(videos), batch_size=32, verbose=0)
    return {head: (probabilities.argmax(-1), probabilities.shape[1])
            for head, probabilities in predictions.items() if probabilities.ndim == 2 and head != "path"}


def class_coverage(labels, min_share=0.02):
    """Mode coverage as the in-domain classifier sees it, from `class_labels`: per class head, the
    classes predicted for at least `min_share` of the clips, the largest class's share (collapse
    shows here first) and every class's share (which background a run keeps, not only how much)."""
    coverage = {}
    for head, (classes, count) in labels.items():
        shares = np.bincount(classes, minlength=count) / len(classes)
        coverage[head] = {"classes": int((shares >= min_share).sum()), "of": int(len(shares)),
                          "top_share": round(float(shares.max()), 3),
                          "shares": [round(float(share), 3) for share in shares]}
    return coverage


def class_changes(labels, previous):
    """Per class head, the share of clips whose class differs between two snapshots' `class_labels`
    of the same latents: how fast training moves latents from class to class. An EMA averages the
    weights of generators that may draw a latent in different colours; when they churn faster than
    the EMA's half-life, the average need not draw any of them."""
    return {head: round(float(np.mean(classes != previous[head][0])), 3)
            for head, (classes, _) in labels.items()}


def _training_time(report):
    """'in 6.2 min (budget 30 min)': the run's training time, which a step count can end early,
    and whether the limit stopped it short of its steps (a learning-rate schedule then never
    ended, so its figures are not the preset's)."""
    budget = f"budget {report['budget_minutes']:g} min"
    if report["training_seconds"] is None:  # trained in an earlier process (--trained-run)
        return f"({budget})"
    steps, planned = report["training_steps"], report["budget_steps"]
    if steps < planned:
        budget += (f"; STOPPED by it at step {steps:,} of {planned:,}, before the end of any "
                   "learning-rate schedule: raise --minutes")
    return f"in {report['training_seconds'] / 60:.1f} min ({budget})"


def _print_report(report):
    print(f"\nQuality on moving shapes, {report['frames']}x{report['size']}x{report['size']}, "
          f"preset {report['preset']}, arch {report['arch']}, {report['training_steps']} steps of batch "
          f"{report['batch_size']} {_training_time(report)}; "
          f"{report['num_samples']} clips per set; in-domain extractor held-out scores "
          + ", ".join(f"{k} {v:.2f}" for k, v in report["extractor_scores"].items()))
    print(f"{'comparison':<24}{'FVD':>12}{'KVD':>12}")
    for name, row in report["rows"].items():
        print(f"{name:<24}{row['fvd']:>12.3f}{row['kvd']:>12.4f}")
    print("\nthe scale - real A spoilt, vs real B: " + ", ".join(
        f"{name} {fvd:.1f}" for name, fvd in report["spoilt_real_fvd"].items()))
    curves = {"": report["fvd_over_training"]}
    if report["fvd_over_training_without_ema"]:
        curves[" (the generator the EMA averages)"] = report["fvd_over_training_without_ema"]
    coverages = {"": report.get("coverage_over_training"),
                 " (the generator the EMA averages)": report.get("coverage_over_training_without_ema")}
    for label, curve in curves.items():
        print(f"\nFVD over training{label}, snapshots vs real B: " + ", ".join(
            f"step {step}: {fvd:.1f}" for step, fvd in curve.items()))
        if curve:
            print("  second half of training: mean {0:.1f}, from {1:.1f} to {2:.1f}".format(*late_fvd(curve)))
        if coverages[label]:
            print("  classes seen (largest share): " + "; ".join(
                f"step {step}: " + ", ".join(_coverage_cell(head, c) for head, c in heads.items())
                for step, heads in coverages[label].items()))
            _print_class_changes(coverages[label])
    if report["long_videos"]:
        long_videos = dict(report["long_videos"])
        print(f"\nlong videos ({len(long_videos) - 1}x the training length), per window: "
              + ", ".join(f"{name}: FVD {row['fvd']:.1f}, motion {row['motion']}"
                          for name, row in long_videos.items() if name != "real motion")
              + f" (real clips' motion {long_videos['real motion']})")
    if report.get("edge_steepness"):
        print("\nedge steepness (outlines: the steepest 1% of each frame's gradients, levels a pixel): "
              + ", ".join(f"{name} {value}" for name, value in report["edge_steepness"].items()))
    if report.get("background_spread"):
        print("\nbackgrounds (each frame's median distance from its median brightness, levels: plain 0, "
              "striped about 20): " + ", ".join(
                  f"{name} {row['flat']:.0%} flat, median {row['median']}"
                  for name, row in report["background_spread"].items()))
    if report.get("motion_by_region"):
        print("\nmotion by region (levels a frame, as `motion`: the shapes' pixels + the background's): "
              + ", ".join(f"{name} {row['shape']} + {row['background']}"
                          for name, row in report["motion_by_region"].items()))
    if report.get("shape_saturation"):
        print("\nshape colours (HSV saturation 0-255 of the 3% of pixels farthest from their frame's median; "
              "pale: clips below 80): " + ", ".join(
                  f"{name} median {row['median']}, {row['pale']:.0%} pale"
                  for name, row in report["shape_saturation"].items()))
    if report.get("shape_steadiness"):
        print("\nshape steadiness (per clip: its shape's area change, largest - smallest over largest, "
              "its colour's largest distance from the clip's median, levels, and the clips whose "
              "shape moves over a fifth of the frame between two frames, and how unevenly it moves, "
              "its steps' standard deviation over their mean): " + ", ".join(
                  f"{name} area {row['area']} ({row['come_and_go']:.0%} above half), colour {row['colour']}, "
                  f"{row['jumps']:.0%} jumping, uneven {row['uneven']}"
                  for name, row in report["shape_steadiness"].items()))
    print("\nclasses the extractor sees in >= 2% of clips (largest class's share):")
    for name, heads in report["coverage"].items():
        print(f"{name:<24}" + "   ".join(_coverage_cell(head, c) for head, c in heads.items()))


def _print_class_changes(coverage_curve):
    """The clips that changed class since the snapshot before, per step and head, and their mean
    over the second half of training (reports from before 2026-12-05 lack them)."""
    changed = {step: {head: c["changed"] for head, c in heads.items() if "changed" in c}
               for step, heads in coverage_curve.items()}
    changed = {step: heads for step, heads in changed.items() if heads}
    if not changed:
        return
    print("  clips whose class changed since the snapshot before: " + "; ".join(
        f"step {step}: " + ", ".join(f"{head} {share:.0%}" for head, share in heads.items())
        for step, heads in changed.items()))
    late = [changed[step] for step in second_half(changed)]
    print("  their mean over the second half: " + ", ".join(
        f"{head} {np.mean([heads[head] for heads in late]):.0%}" for head in late[0]))


def _coverage_cell(head, coverage):
    cell = f"{head} {coverage['classes']}/{coverage['of']} ({coverage['top_share']:.0%}"
    if head == "background" and "shares" in coverage:  # reports from before 2026-12-04 lack them
        cell += ", " + ", ".join(f"{name} {share:.0%}"
                                 for name, share in zip(shapes.BACKGROUNDS, coverage["shares"]))
    return cell + ")"


def late_fvd(curve):
    """Mean, lowest and highest FVD of the snapshots in the second half of training. A run's last
    snapshot alone is a poor summary: at `base`, snapshots 400 steps apart differ by up to 23 FVD."""
    late = [curve[step] for step in second_half(curve)]
    return float(np.mean(late)), min(late), max(late)


def second_half(steps):
    """The snapshot steps after half of the last one (the last one at least), sorted."""
    last = max(steps)
    return [step for step in sorted(steps) if step > last / 2] or [last]


def _save_pictures(real, generated, out_dir):
    strip = np.concatenate([media.frame_strip(real[:4]), media.frame_strip(generated[:4])], axis=1)
    media.write_video(os.path.join(out_dir, "quality.png"), strip[np.newaxis])
    media.write_video(os.path.join(out_dir, "real.gif"), media.tile_videos(real[:8], columns=4))
    media.write_video(os.path.join(out_dir, "generated.gif"), media.tile_videos(generated[:8], columns=4))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60,
                        help="training limit: training stops here if its steps are not done "
                        "(base's 4,000 take about 30 minutes on one Zen 4 core, 45 on a Zen 3)")
    parser.add_argument("--preset", default="base", help="tiny, small or base (64x64x16)")
    parser.add_argument("--num-samples", type=int, default=256, help="clips per compared set")
    parser.add_argument("--out", default="benchmarks/out/quality", help="output folder")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                        help="override a config setting, e.g. model.g_filters=256 (repeatable)")
    parser.add_argument("--extractor", help="reuse this in-domain extractor (trained and saved "
                        "here if missing)")
    parser.add_argument("--steps", type=int, help="train this many steps (rounded up to whole "
                        f"{STEPS_PER_EPOCH}-step epochs; default: the preset's) unless --minutes "
                        "runs out first; a learning-rate schedule spans them")
    parser.add_argument("--snapshot-every", type=int, default=400,
                        help="score the generator every this many steps after training (0: off)")
    parser.add_argument("--trained-run", metavar="RUN_DIR", help="score this finished run "
                        "(OUT/runs/<name>; its snapshots in OUT/snapshots) instead of training")
    args = parser.parse_args()
    main(args.minutes, args.preset, args.num_samples, args.out, args.set, args.extractor,
         args.snapshot_every, args.steps, args.trained_run)
