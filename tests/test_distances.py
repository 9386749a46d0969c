import numpy as np
import pytest

from keras_vidgen.metrics import (
    evaluate_features, frechet_distance, frechet_distance_from_statistics, kernel_distance,
)


def test_frechet_closed_form_for_isotropic_gaussians():
    # d^2 = |m|^2 + d (sqrt(a) - sqrt(b))^2 for N(0, aI) vs N(m, bI)
    dims, a, b = 5, 4.0, 1.0
    mean = np.arange(dims, dtype=float)
    expected = mean @ mean + dims * (2.0 - 1.0) ** 2
    got = frechet_distance_from_statistics(np.zeros(dims), a * np.eye(dims), mean, b * np.eye(dims))
    assert got == pytest.approx(expected, rel=1e-12)


def test_frechet_one_dimensional_is_mean_and_std_gap():
    assert frechet_distance_from_statistics([1.0], [[9.0]], [3.0], [[4.0]]) == pytest.approx(4.0 + 1.0)


def test_frechet_of_non_commuting_covariances_matches_an_independent_formula():
    # For 2x2 SPD matrices, tr(sqrt(M)) = sqrt(tr(M) + 2 sqrt(det(M))) with M = S_a S_b.
    cov_a = np.array([[2.0, 0.9], [0.9, 1.0]])
    cov_b = np.array([[1.0, -0.4], [-0.4, 3.0]])
    product = cov_a @ cov_b
    trace_root = np.sqrt(np.trace(product) + 2 * np.sqrt(np.linalg.det(product)))
    expected = 1.0 + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    got = frechet_distance_from_statistics([0.0, 0.0], cov_a, [1.0, 0.0], cov_b)
    assert got == pytest.approx(expected, rel=1e-10)


def test_frechet_from_samples_approaches_the_population_value():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((20000, 3))
    b = rng.standard_normal((20000, 3)) * 2.0 + 1.0
    assert frechet_distance(a, b) == pytest.approx(3 * 1.0 + 3 * 1.0, rel=0.03)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)


def test_frechet_with_singular_covariances_stays_real_and_non_negative():
    rng = np.random.default_rng(1)
    low_rank = rng.standard_normal((50, 2)) @ rng.standard_normal((2, 10))  # rank 2 in 10-D
    value = frechet_distance(low_rank, low_rank + 1e-9)
    assert np.isfinite(value) and value >= 0 and value < 1e-6


def naive_kernel_mmd(a, b):
    def k(x, y):
        return (x @ y / len(x) + 1.0) ** 3

    m, n = len(a), len(b)
    aa = sum(k(a[i], a[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    bb = sum(k(b[i], b[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    ab = sum(k(a[i], b[j]) for i in range(m) for j in range(n)) / (m * n)
    return aa + bb - 2 * ab


def test_kernel_distance_matches_a_direct_computation():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((7, 4)), rng.standard_normal((9, 4)) + 0.5
    mean, std = kernel_distance(a, b)
    assert mean == pytest.approx(naive_kernel_mmd(a, b), rel=1e-10) and std == 0.0


def test_kernel_distance_subsets_average_direct_subset_values():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((12, 3)), rng.standard_normal((12, 3)) + 1.0
    mean, std = kernel_distance(a, b, num_subsets=4, subset_size=6, seed=5)
    draw = np.random.default_rng(5)
    values = []
    for _ in range(4):
        sa = a[draw.choice(12, 6, replace=False)]
        sb = b[draw.choice(12, 6, replace=False)]
        values.append(naive_kernel_mmd(sa, sb))
    assert mean == pytest.approx(np.mean(values), rel=1e-10)
    assert std == pytest.approx(np.std(values), rel=1e-10)


@pytest.mark.parametrize("count, subset", [(40, 20), (4000, 1000), (3, 2)])
def test_kvd_of_an_evaluation_draws_distinct_subsets(count, subset):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((count, 3)), rng.standard_normal((count, 3)) + 0.5
    result = evaluate_features(a, b, "stand-in", (count, 16, 32, 32, 3))
    mean, std = kernel_distance(a, b, num_subsets=10, subset_size=subset)
    assert (result["kvd"], result["kvd_std"]) == pytest.approx((mean, std))
    assert result["kvd_std"] > 0 or count == 3  # subsets of the whole set would all agree


@pytest.mark.parametrize(
    "a, b, message",
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), "Feature sizes differ"),
        (np.zeros((1, 3)), np.zeros((5, 3)), "at least 2"),
        (np.zeros(5), np.zeros((5, 3)), "2-D"),
        (np.full((5, 3), np.nan), np.zeros((5, 3)), "NaN"),
    ],
)
def test_bad_features_are_explained(a, b, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(a, b)
