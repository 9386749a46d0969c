"""Reusable Keras layers and ops of the video GANs: spectral norm, projection, augmentation,
modulated convolution and continuous-time motion.

Keras is imported before any layer: importing Keras registers keras_vidgen's models
(`keras_vidgen._RegisterWhenKerasLoads`), and they import single layer modules, which must not
be half-run when that happens. So the rest of the package imports layers from their modules
(`keras_vidgen.layers.motion_code`), not from this package, which may be half-run then.
"""

import keras  # noqa: F401  (first: see above)

from keras_vidgen.layers.border_bounce import BorderBounce
from keras_vidgen.layers.compose_frames import ComposeFrames
from keras_vidgen.layers.coordinates import AddCoordinates
from keras_vidgen.layers.cover_penalty import CoverChangePenalty, CoverPenalty
from keras_vidgen.layers.detail_gate import DetailGate
from keras_vidgen.layers.diff_augment import diff_augment
from keras_vidgen.layers.fade_edges import FadeEdges
from keras_vidgen.layers.fourier_features import FourierFeatures
from keras_vidgen.layers.frame_batch import FoldFrames, RepeatFrames, UnfoldFrames
from keras_vidgen.layers.mask_blend import MaskBlend, SplitMask
from keras_vidgen.layers.mean_abs_penalty import MeanAbsPenalty
from keras_vidgen.layers.measured_velocity import MeasuredVelocity
from keras_vidgen.layers.minibatch_stddev import MinibatchStdDev
from keras_vidgen.layers.modulated_conv2d import ModulatedConv2D
from keras_vidgen.layers.motion_code import MotionCode
from keras_vidgen.layers.motion_evidence import MotionEvidence
from keras_vidgen.layers.move_foreground import MoveForeground
from keras_vidgen.layers.moving_extent import MovingExtent
from keras_vidgen.layers.penalty import Penalty
from keras_vidgen.layers.projection_head import ProjectionHead
from keras_vidgen.layers.random_frames import RandomFrames
from keras_vidgen.layers.range_penalty import RangePenalty
from keras_vidgen.layers.scaled_dense import ScaledDense
from keras_vidgen.layers.shift_prior import ShiftPrior
from keras_vidgen.layers.sine_bound import SineBound
from keras_vidgen.layers.spectral_norm import SpectralNorm, maybe_spectral_norm
from keras_vidgen.layers.strided_conv3d import StridedConv3D
from keras_vidgen.layers.strided_conv3d_transpose import StridedConv3DTranspose
from keras_vidgen.layers.time_differences import TimeDifferences
from keras_vidgen.layers.translate_frames import TranslateFrames
from keras_vidgen.layers.undecided_penalty import UndecidedPenalty

__all__ = [
    "AddCoordinates",
    "BorderBounce",
    "ComposeFrames",
    "CoverChangePenalty",
    "CoverPenalty",
    "DetailGate",
    "FadeEdges",
    "FoldFrames",
    "FourierFeatures",
    "MaskBlend",
    "MeanAbsPenalty",
    "MeasuredVelocity",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "MotionCode",
    "MotionEvidence",
    "MoveForeground",
    "MovingExtent",
    "Penalty",
    "ProjectionHead",
    "RandomFrames",
    "RangePenalty",
    "RepeatFrames",
    "ScaledDense",
    "ShiftPrior",
    "SineBound",
    "SpectralNorm",
    "SplitMask",
    "StridedConv3D",
    "StridedConv3DTranspose",
    "TimeDifferences",
    "TranslateFrames",
    "UndecidedPenalty",
    "UnfoldFrames",
    "diff_augment",
    "maybe_spectral_norm",
]
