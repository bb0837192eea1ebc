"""GaussianCopula, CTGAN and TVAE (SDV 2.0), one model per minority class, fit on that class only."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from synthlib.errors import SamplingError

from ._base import SynthlibOverSampler, loss_table
from ._seeding import resolve_device, seed_from, seeded

logger = logging.getLogger(__name__)


def sdv_metadata(X: pd.DataFrame, categorical: list[str], table: str = "minority"):
    """SDV 2.0 metadata with our column roles, set explicitly: SDV's detection would guess ids and dates
    (a column unique per row became a primary key that SDV then rejected as "not of type 'id'")."""
    from sdv.metadata import Metadata

    columns = {column: {"sdtype": "categorical" if column in categorical else "numerical"} for column in X.columns}
    return Metadata.load_from_dict({"tables": {table: {"columns": columns}}})


class _SDVSampler(SynthlibOverSampler):
    """Fits one SDV synthesizer per minority class on that class's training rows."""

    def __init__(self, *, sampling_strategy=1.0, max_amplification=None, diminishing_factor=1.0,
                 categorical_features="auto", random_state=None, epochs: int = 100, batch_size: int = 500,
                 device: str = "auto"):
        super().__init__(sampling_strategy=sampling_strategy, max_amplification=max_amplification,
                         diminishing_factor=diminishing_factor, categorical_features=categorical_features,
                         random_state=random_state)
        self.epochs = epochs
        self.batch_size = batch_size
        self.device = device

    def _synthesizer(self, metadata, n_rows: int):
        raise NotImplementedError

    def _losses(self, synthesizer) -> pd.DataFrame | None:
        """Per-epoch training loss (`epoch` and one column per loss), or None for a model without one."""
        return None

    def _generate(self, X, y, strategy):
        seed = seed_from(self.random_state)
        self.device_ = resolve_device(self.device) if self.method_name in ("ctgan", "tvae") else "cpu"
        # positional names: RDT seeds each column's transformer from its name, and SDV's detection
        # reads names ("id", "date"); so renaming a column (or passing numpy) does not change the rows
        positions = {c: f"column_{i}" for i, c in enumerate(X.columns)}
        categorical = [positions[c] for c in self.categorical_]
        frames, labels, losses = [], [], {}
        for offset, (label, n_new) in enumerate(strategy.items()):
            rows = X.loc[y == label].reset_index(drop=True)
            if len(rows) < 2:
                raise SamplingError(f"{self.method_name}: class {label!r} has {len(rows)} training row(s); at least 2 are needed")
            frame = rows.astype({c: object for c in self.categorical_}).rename(columns=positions)
            metadata = sdv_metadata(frame, categorical)
            with seeded(seed + offset), warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*save_to_json.*")  # we rebuild metadata from the config
                synthesizer = self._synthesizer(metadata, len(rows))  # imports SDV (and torch for CTGAN/TVAE) first
                try:
                    synthesizer.fit({"minority": frame})  # SDV 2.0 takes {table_name: DataFrame}
                    synthesizer._set_random_state(seed + offset)
                    sample = synthesizer.sample(num_rows=n_new)["minority"]
                except (ValueError, RuntimeError) as exc:
                    raise SamplingError(f"{self.method_name} failed on class {label!r}: {exc}") from None
            losses[label] = self._losses(synthesizer)
            frames.append(sample[list(positions.values())].set_axis(X.columns, axis=1))
            labels.append(np.full(len(sample), label, dtype=y.dtype))
        if any(frame is not None for frame in losses.values()):
            self.loss_ = loss_table(losses)
        return pd.concat(frames, ignore_index=True), np.concatenate(labels), None


class GaussianCopulaSampler(_SDVSampler):
    """SDV's GaussianCopulaSynthesizer: fast, fitted marginals plus a Gaussian dependence structure."""

    method_name = "gaussian_copula"

    def _synthesizer(self, metadata, n_rows):
        from sdv.single_table import GaussianCopulaSynthesizer

        return GaussianCopulaSynthesizer(metadata, enforce_min_max_values=True, enforce_rounding=True)


def _batch(batch_size: int, n_rows: int, pac: int = 10) -> int:
    """A batch size SDV accepts: at most the data, even, and a multiple of CTGAN's `pac`."""
    size = max(pac, min(batch_size, n_rows))
    return size - size % pac


class CTGANSampler(_SDVSampler):
    """SDV's CTGANSynthesizer (Xu et al. 2019), conditional GAN; `epochs` is the time budget."""

    method_name = "ctgan"

    def _synthesizer(self, metadata, n_rows):
        from sdv.single_table import CTGANSynthesizer

        return CTGANSynthesizer(metadata, epochs=self.epochs, batch_size=_batch(self.batch_size, n_rows),
                                enable_gpu=self.device_ == "cuda")

    def _losses(self, synthesizer):
        """SDV records the last batch's generator and discriminator loss of each epoch."""
        losses = synthesizer.get_loss_values()
        return pd.DataFrame({"epoch": losses["Epoch"].astype(int), "generator": losses["Generator Loss"].astype(float),
                             "discriminator": losses["Discriminator Loss"].astype(float)})


class TVAESampler(_SDVSampler):
    """SDV's TVAESynthesizer (Xu et al. 2019), a tabular variational autoencoder."""

    method_name = "tvae"

    def _synthesizer(self, metadata, n_rows):
        from sdv.single_table import TVAESynthesizer

        return TVAESynthesizer(metadata, epochs=self.epochs, batch_size=_batch(self.batch_size, n_rows),
                               enable_gpu=self.device_ == "cuda")

    def _losses(self, synthesizer):
        """SDV records every batch's loss (reconstruction + KL); the mean per epoch is kept."""
        losses = synthesizer.get_loss_values().astype({"Epoch": int, "Loss": float})
        per_epoch = losses.groupby("Epoch", sort=True)["Loss"].mean()
        return pd.DataFrame({"epoch": per_epoch.index.to_numpy(), "loss": per_epoch.to_numpy()})
