"""Video quality metrics: FVD and KVD over features of a pluggable extractor (I3D or in-domain)."""

from keras_vidgen.metrics.distances import (
    frechet_distance,
    frechet_distance_from_statistics,
    kernel_distance,
)
from keras_vidgen.metrics.evaluate import evaluate, evaluate_features, real_clips
from keras_vidgen.metrics.extractor import build_video_classifier, train_extractor
from keras_vidgen.metrics.features import (
    I3DFeatures,
    InDomainFeatures,
    load_extractor,
    preprocess_for_i3d,
)

__all__ = [
    "I3DFeatures",
    "InDomainFeatures",
    "build_video_classifier",
    "evaluate",
    "evaluate_features",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "kernel_distance",
    "load_extractor",
    "preprocess_for_i3d",
    "real_clips",
    "train_extractor",
]
