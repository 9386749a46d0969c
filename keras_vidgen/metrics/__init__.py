"""Video quality metrics: Fréchet and kernel distances over features of a pluggable extractor."""

from keras_vidgen.metrics.distances import (
    frechet_distance,
    frechet_distance_from_statistics,
    kernel_distance,
)

__all__ = ["frechet_distance", "frechet_distance_from_statistics", "kernel_distance"]
