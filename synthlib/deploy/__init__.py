"""Stage 5, deploy: the bundle (`OutputMaterials/`: data sets, models, cards, pipeline config, manifest) and the
production monitor that reads it back."""

from ._bundle import (ADDED_AFTER_REPORT, add_to_bundle, create_model_card, deployed_configurations,
                      export_pipeline_config, load_model, verify_bundle, write_bundle)
from ._manifest import BUNDLE, sha256
from ._monitor import monitor, recall_floor, write_outputs
from ._reproduce import RESULTS, SCORE, prediction_frame, predictions_file, read_predictions

__all__ = ["ADDED_AFTER_REPORT", "BUNDLE", "RESULTS", "SCORE", "add_to_bundle", "create_model_card",
           "deployed_configurations", "export_pipeline_config", "load_model", "monitor", "prediction_frame",
           "predictions_file", "read_predictions", "recall_floor", "sha256", "verify_bundle", "write_bundle",
           "write_outputs"]
