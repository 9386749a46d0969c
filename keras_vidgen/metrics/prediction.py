"""PSNR and SSIM of predicted frames against the real ones, per example and per time step.

Video prediction papers (Mathieu et al. 2016; Lee et al. 2018, SAVP) report both per predicted
frame, averaged over test clips, to show how quality falls with the distance from the observed
frames. Both clips are first quantised to uint8 (what a saved video holds) and then scaled to
[0, 1], so `max_val` is 1.0 for every caller whether it passes uint8 or float clips.
"""

import numpy as np
import tensorflow as tf

from keras_vidgen import media


def frame_scores(real, predicted):
    """PSNR (dB) and SSIM of every frame of every clip.

    Args:
        real, predicted: `[N, F, H, W, C]` of the same shape, uint8 or float in [-1, 1]; H and W
            at least 11 (SSIM's window).

    Returns:
        `{"psnr": float [N, F], "ssim": float [N, F]}` (numpy). Identical frames have PSNR inf.
    """
    real, predicted = _unit(real), _unit(predicted)
    if real.shape != predicted.shape:
        raise ValueError(f"Real {real.shape} and predicted {predicted.shape} frames differ in shape.")
    return {
        "psnr": tf.image.psnr(real, predicted, max_val=1.0).numpy(),
        "ssim": tf.image.ssim(real, predicted, max_val=1.0).numpy(),
    }


def summarize(scores):
    """Averages `frame_scores` over clips: the mean of each metric and its value per time step.

    Returns:
        `{"psnr": mean, "ssim": mean, "psnr_per_frame": [F], "ssim_per_frame": [F]}`.
    """
    summary = {}
    for name, values in scores.items():
        per_frame = np.mean(values, axis=0)
        summary[name] = float(np.mean(per_frame))
        summary[f"{name}_per_frame"] = [float(v) for v in per_frame]
    return summary


def _unit(videos):
    """uint8 or [-1, 1] float -> float32 in [0, 1] through uint8 (so both round alike)."""
    videos = tf.convert_to_tensor(videos)
    if videos.dtype.is_floating:
        videos = media.to_uint8(tf.cast(videos, tf.float32))
    return tf.cast(videos, tf.float32) / 255.0
