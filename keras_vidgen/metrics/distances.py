"""Distances between two sets of features: Fréchet distance (FVD) and kernel distance (KVD).

Both take feature arrays `[n, d]` (one row per video) from the same extractor; with I3D features
they are FVD (Unterthiner et al. 2018, "Towards Accurate Generative Models of Video") and KVD
(the polynomial-kernel MMD of Bińkowski et al. 2018, "Demystifying MMD GANs", applied to video).
Everything is computed in float64 with numpy.
"""

import numpy as np


def frechet_distance(features_a, features_b):
    """Fréchet distance between Gaussians fitted to two feature sets.

    `||mu_a - mu_b||^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2))`.

    Args:
        features_a: array `[n_a, d]`.
        features_b: array `[n_b, d]`.

    Returns:
        A non-negative float.

    Example:
        >>> frechet_distance(np.random.randn(500, 8), np.random.randn(500, 8) + 1.0)  # about 8
    """
    features_a, features_b = _check_features(features_a, features_b, minimum=2)
    return frechet_distance_from_statistics(
        features_a.mean(axis=0), np.cov(features_a, rowvar=False),
        features_b.mean(axis=0), np.cov(features_b, rowvar=False),
    )


def frechet_distance_from_statistics(mean_a, cov_a, mean_b, cov_b):
    """Fréchet distance between `N(mean_a, cov_a)` and `N(mean_b, cov_b)`.

    The trace of the matrix square root is computed as the sum of square roots of the eigenvalues
    of `sqrt(S_a) S_b sqrt(S_a)`, a symmetric positive semi-definite matrix with the same
    eigenvalues as `S_a S_b`: no complex parts arise (unlike `scipy.linalg.sqrtm(S_a @ S_b)`, whose
    round-off imaginary parts implementations must discard), and tiny negative eigenvalues from
    round-off are clipped to zero.

    Args:
        mean_a, mean_b: vectors `[d]`.
        cov_a, cov_b: symmetric positive semi-definite matrices `[d, d]`.

    Returns:
        A non-negative float.
    """
    mean_a, mean_b = np.asarray(mean_a, np.float64), np.asarray(mean_b, np.float64)
    cov_a, cov_b = np.atleast_2d(cov_a).astype(np.float64), np.atleast_2d(cov_b).astype(np.float64)
    root_a = _psd_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    trace_of_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_of_root
    return float(max(distance, 0.0))


def kernel_distance(features_a, features_b, num_subsets=1, subset_size=None, seed=0):
    """Unbiased squared MMD with the kernel `k(x, y) = (x . y / d + 1)^3` (KID / KVD).

    Args:
        features_a: array `[n_a, d]`.
        features_b: array `[n_b, d]`.
        num_subsets: average the estimate over this many random subsets (as KID does to bound
            memory and give a spread); 1 with `subset_size=None` uses all features once.
        subset_size: features drawn from each set per subset (without replacement); defaults to
            the smaller set's size.
        seed: seeds the subset draws.

    Returns:
        `(mean, std)` of the estimate over subsets (std is 0 for one subset). The unbiased
        estimate can be slightly negative when the sets come from the same distribution.
    """
    features_a, features_b = _check_features(features_a, features_b, minimum=2)
    if subset_size is None and num_subsets == 1:
        return float(_unbiased_mmd2(features_a, features_b)), 0.0
    size = subset_size or min(len(features_a), len(features_b))
    if size < 2 or size > min(len(features_a), len(features_b)):
        raise ValueError(f"subset_size {size} must be between 2 and the smaller set's size.")
    rng = np.random.default_rng(seed)
    estimates = [
        _unbiased_mmd2(
            features_a[rng.choice(len(features_a), size, replace=False)],
            features_b[rng.choice(len(features_b), size, replace=False)],
        )
        for _ in range(num_subsets)
    ]
    return float(np.mean(estimates)), float(np.std(estimates))


def _unbiased_mmd2(a, b):
    dims = a.shape[1]
    k_aa = (a @ a.T / dims + 1) ** 3
    k_bb = (b @ b.T / dims + 1) ** 3
    k_ab = (a @ b.T / dims + 1) ** 3
    m, n = len(a), len(b)
    within_a = (k_aa.sum() - np.trace(k_aa)) / (m * (m - 1))
    within_b = (k_bb.sum() - np.trace(k_bb)) / (n * (n - 1))
    return within_a + within_b - 2 * k_ab.mean()


def _psd_sqrt(matrix):
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def _check_features(features_a, features_b, minimum):
    features_a = np.asarray(features_a, np.float64)
    features_b = np.asarray(features_b, np.float64)
    for name, features in (("features_a", features_a), ("features_b", features_b)):
        if features.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array [n, d], got shape {features.shape}.")
        if len(features) < minimum:
            raise ValueError(f"{name} has {len(features)} rows; at least {minimum} are needed.")
        if not np.all(np.isfinite(features)):
            raise ValueError(f"{name} holds NaN or infinite values.")
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(
            f"Feature sizes differ: {features_a.shape[1]} vs {features_b.shape[1]}; use one extractor."
        )
    return features_a, features_b
