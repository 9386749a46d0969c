import numpy as np
import pytest

from keras_vidgen import losses

REAL = np.array([[2.0], [0.5]], np.float32)
FAKE = np.array([[-2.0], [0.0]], np.float32)


def test_hinge_matches_hand_computed_values():
    # example 0: relu(1-2) + relu(1-2) = 0; example 1: relu(1-0.5) + relu(1+0) = 1.5
    np.testing.assert_allclose(losses.hinge_discriminator_loss(REAL, FAKE), [0.0, 1.5])
    np.testing.assert_allclose(losses.hinge_generator_loss(FAKE), [2.0, 0.0])


def test_bce_matches_hand_computed_values():
    # softplus(x) = log(1 + e^x): softplus(-2) = 0.126928, softplus(-0.5) = 0.474077,
    # softplus(0) = 0.693147, softplus(2) = 2.126928.
    np.testing.assert_allclose(
        losses.bce_discriminator_loss(REAL, FAKE), [0.126928 * 2, 0.474077 + 0.693147], rtol=1e-5
    )
    np.testing.assert_allclose(losses.bce_generator_loss(FAKE), [2.126928, 0.693147], rtol=1e-5)


def test_losses_average_over_every_non_batch_axis_at_any_rank():
    real = np.array([[1.0, 3.0], [0.0, -1.0]], np.float32).reshape(2, 2, 1, 1, 1)
    fake = np.zeros((2, 2, 1, 1, 1), np.float32)
    # relu(1 - real) = [[0, 0], [1, 2]] -> means [0, 1.5]; relu(1 + 0) = 1 everywhere.
    np.testing.assert_allclose(losses.hinge_discriminator_loss(real, fake), [1.0, 2.5])
    np.testing.assert_allclose(losses.hinge_generator_loss(real), [-2.0, 0.5])


def test_bce_is_finite_for_huge_logits():
    huge = np.array([[1e4], [-1e4]], np.float32)
    assert np.all(np.isfinite(losses.bce_discriminator_loss(huge, -huge)))
    np.testing.assert_allclose(losses.bce_generator_loss(huge), [0.0, 1e4], rtol=1e-6)


def test_unknown_loss_lists_the_known_ones():
    with pytest.raises(ValueError, match="bce"):
        losses.get("wasserstein-ish")
