"""The bundle's README.txt: what each file is, how to load and monitor the deployed model."""

from __future__ import annotations

import textwrap

ADDED_AFTER_REPORT = {
    "report.ipynb": "the executed report notebook; only after `synthlib render`, which adds it (and its SHA-256 "
                    "in manifest.json) once the report is written, so the report's own file table cannot list it",
}


def _describe(path: str, configurations: dict[str, tuple[str, str]], pickled: dict[str, str]) -> str:
    """One line on what a bundle file is (the README's file list)."""
    chosen = {role: f"{c[1]} + {c[0]}" for role, c in configurations.items()}
    model_role = path.removeprefix("TrainedModels/").rsplit(".", 1)[0] if path.startswith("TrainedModels/") else None
    if model_role in chosen:
        what = ("the configuration the audit's verdict recommends" if model_role == "deployed" else
                "the best configuration of the other kind, for an A/B in monitoring")
        kind = (f"a pickle, because skops cannot store {pickled[model_role]}; it loads only with allow_pickle=True "
                "(--allow-pickle)" if path.endswith(".pkl") and model_role in pickled else "skops")
        return f"{what} ({chosen[model_role]}); {kind}"
    fixed = {
        "Datasets/original_train.csv": "the cleaned training split; the monitor's drift reference",
        "Datasets/test_set.csv": "the untouched test split, cleaned with training statistics",
        "Datasets/augmented_train.csv": "the deployed model's training set: real and synthetic rows "
                                        "(columns is_synthetic and synthetic_method)",
        "README.txt": "this file",
        "manifest.json": "SHA-256 of every other file in this folder",
        "manifest.sig": "Ed25519 signature of manifest.json; only when the run was given --sign-key",
        **ADDED_AFTER_REPORT,
    }
    if path in fixed:
        return fixed[path]
    if path.startswith("ModelCards/"):
        return f"Markdown model card of the {path.split('/')[1].removesuffix('_ModelCard.md')} model"
    if path.endswith("PipelineConfig.json"):
        return ("features, split, classes, the deployed and comparison models (decision threshold included), "
                "the deployed model's test-split metrics, augmentation settings (null without synthetic rows), "
                "monitoring thresholds as `synthlib monitor` applies them, verdict, versions, config hash")
    if path == "results.json":
        return ("every number of the audit, the params as set, the data file's SHA-256 and the synthlib source "
                "digest: what `synthlib verify` re-runs and compares")
    if path.endswith("_test_predictions.csv"):
        return (f"the {path.split('/')[1].removesuffix('_test_predictions.csv')} model's test-split predictions: true "
                "and predicted label, and the score of each class, per row of test_set.csv")
    return "the report notebook" if path.endswith(".ipynb") else ""


def _readme(config, configurations: dict[str, tuple[str, str]], withheld: str | None, listed: list[str],
            verdict_text: str = "", pickled: dict[str, str] | None = None) -> str:
    """README.txt: every file of the bundle (`listed`, the manifest's files, plus the manifest and the files
    added after the report), what each is, and how to load and monitor the deployed model."""
    deployed = configurations.get("deployed")
    files = [*listed, "manifest.json", "manifest.sig", *[f for f in ADDED_AFTER_REPORT if f not in listed]]
    width = max(map(len, files)) + 2
    rows = "\n".join(textwrap.fill(_describe(path, configurations, pickled or {}), 110, initial_indent=f"  {path:<{width}}",
                                    subsequent_indent=" " * (width + 2), break_on_hyphens=False) for path in files)
    withheld_text = (f"\nWithheld: augmented_train.csv (the deployed model's augmented training set), "
                     f"because {withheld}.\n" if withheld else "")
    none_text = "" if deployed else "\nThe audit recommends no configuration: there is no deployed model to load.\n"
    pickle_text = "".join(f"\n{role} is a pickle instead (skops cannot store {reason}): it loads only with "
                          "allow_pickle=True (CLI --allow-pickle), since a pickle runs code when loaded."
                          for role, reason in (pickled or {}).items())
    verdict_block = f"\n{textwrap.fill(verdict_text.replace('**', ''), 110)}\n" if verdict_text else ""
    return f"""Output materials of the synthlib audit of {config.dataset.name}
{verdict_block}
Files:
{rows}
{withheld_text}{none_text}
Each model is a whole scikit-learn pipeline: the fitted cleaning (missing markers, imputation, outlier caps),
then preprocessing and the classifier; predict() takes raw rows.

The models are skops files: loading one runs no code from the file, and only types of scikit-learn,
imbalanced-learn, XGBoost, NumPy, SciPy and synthlib are accepted.{pickle_text}

manifest.json detects accidental corruption or a file swapped by mistake. Unless manifest.sig is here and
checked with the signer's public key (obtained from the signer, not from this folder), it does not stop
someone who rewrites a file and the manifest together.

Load the deployed model (the model's hash is checked against manifest.json; with public_key, the signature
and every file are checked first):

    import synthlib
    model = synthlib.load_model("path/to/OutputMaterials", "deployed", public_key="signer.pub.pem")
    positions = model.predict(rows)                # rows: a DataFrame with the raw feature columns
    labels = [model.synthlib_metadata_["classes"][p] for p in positions]

Monitor new data for drift:  synthlib monitor path/to/OutputMaterials new_data.csv [--labels {config.dataset.target}]
                             [--public-key signer.pub.pem]

Re-run the audit and check that every number reproduces:  synthlib verify path/to/OutputMaterials --data DATA_FILE
"""
