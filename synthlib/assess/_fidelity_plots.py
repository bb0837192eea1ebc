"""Validation figures: per-feature overlays, correlation difference, PCA of real vs synthetic."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402


def distribution_overlays(real: pd.DataFrame, synthetic: pd.DataFrame, continuous: list[str], categorical: list[str]):
    columns = continuous + categorical
    n_cols = min(3, max(len(columns), 1))
    n_rows = int(np.ceil(len(columns) / n_cols)) or 1
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4 * n_cols, 2.8 * n_rows), squeeze=False)
    for ax, column in zip(axes.flat, columns):
        if column in continuous:
            bins = np.histogram_bin_edges(pd.concat([real[column], synthetic[column]]).astype(float), bins=30)
            ax.hist(real[column].astype(float), bins=bins, alpha=0.5, density=True, label="real")
            ax.hist(synthetic[column].astype(float), bins=bins, alpha=0.5, density=True, label="synthetic")
        else:
            shares = pd.DataFrame({"real": real[column].astype(str).value_counts(normalize=True),
                                   "synthetic": synthetic[column].astype(str).value_counts(normalize=True)}).fillna(0)
            shares.plot.bar(ax=ax, alpha=0.7, legend=False)
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        ax.set_title(column, fontsize=9)
    for ax in list(axes.flat)[len(columns):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def correlation_difference(real: pd.DataFrame, synthetic: pd.DataFrame, continuous: list[str]):
    diff = synthetic[continuous].astype(float).corr() - real[continuous].astype(float).corr()
    fig, ax = plt.subplots(figsize=(1 + 0.6 * len(continuous), 0.8 + 0.5 * len(continuous)))
    image = ax.imshow(diff.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(continuous)), continuous, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(continuous)), continuous, fontsize=8)
    fig.colorbar(image, ax=ax, label="synthetic - real correlation")
    fig.tight_layout()
    return fig


def pca_projection(real_encoded: np.ndarray, synthetic_encoded: np.ndarray, max_points: int = 3000, seed: int = 0):
    pca = PCA(n_components=2, random_state=seed).fit(real_encoded)
    rng = np.random.default_rng(seed)
    fig, ax = plt.subplots(figsize=(5, 4))
    for data, label, marker in ((real_encoded, "real", "o"), (synthetic_encoded, "synthetic", "x")):
        if len(data) > max_points:
            data = data[rng.choice(len(data), max_points, replace=False)]
        points = pca.transform(data)
        ax.scatter(points[:, 0], points[:, 1], s=8, alpha=0.5, marker=marker, label=label)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.legend()
    fig.tight_layout()
    return fig
