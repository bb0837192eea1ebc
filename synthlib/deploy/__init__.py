"""Stage 5, deploy: the bundle (`OutputMaterials/`: data sets, skops models, cards, pipeline config, manifest and
its signature) and the production monitor that reads it back."""

from ._bundle import (ADDED_AFTER_REPORT, add_to_bundle, create_model_card, deployed_configurations,
                      export_pipeline_config, verify_bundle, write_bundle)
from ._manifest import BUNDLE, sha256
from ._models import TRUSTED_PACKAGES, read_model
from ._monitor import monitor, recall_floor, write_outputs
from ._reproduce import RESULTS, SCORE, prediction_frame, predictions_file, read_predictions
from ._trust import (SIGNATURE, check_bundle, check_signature, keygen, load_model, load_private_key, load_public_key,
                     sign_bundle)

__all__ = ["ADDED_AFTER_REPORT", "BUNDLE", "RESULTS", "SCORE", "SIGNATURE", "TRUSTED_PACKAGES", "add_to_bundle",
           "check_bundle", "check_signature", "create_model_card", "deployed_configurations", "export_pipeline_config",
           "keygen", "load_model", "load_private_key", "load_public_key", "monitor", "prediction_frame",
           "predictions_file", "read_model", "read_predictions", "recall_floor", "sha256", "sign_bundle",
           "verify_bundle", "write_bundle", "write_outputs"]
