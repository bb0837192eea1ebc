"""Seeded runs and device choice for the torch-based generators."""

from __future__ import annotations

import random
from contextlib import contextmanager

import numpy as np

from synthlib.errors import SamplingError


def resolve_device(device: str) -> str:
    """`auto` picks CUDA when torch sees a GPU; asking for `cuda` without one is a clear error."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise SamplingError("device `cuda` was requested (augmentation.device) but torch sees no GPU; use `auto` or `cpu`")
    return device


def seed_from(random_state) -> int:
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] % (2**31))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    return int(random_state)


@contextmanager
def seeded(seed: int):
    """Seed Python, NumPy and (when loaded) torch for a fit/sample; restore NumPy's global state after."""
    import sys

    state = np.random.get_state()
    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:  # GaussianCopula needs no torch: do not pay its import
        sys.modules["torch"].manual_seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)
