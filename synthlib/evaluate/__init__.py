"""Stage 3a, evaluate: classifiers trained with and without synthetic rows on the same CV folds and scored on the
untouched test split; the metrics, statistical tests and the ranking of configurations."""

from ._evaluation import (AugmentedSet, Evaluation, cv_folds, encoded_sampler, evaluate, fit_predict, fold_indices,
                          worker_threads)
from ._calibration import RecalibratedClassifier, Recalibration
from ._fit import FoldFit
from ._metrics import (LOWER_IS_BETTER, MATCHED_RECALL, THRESHOLD_DEPENDENT, average_precision, batch_metric,
                       classification_metrics, expected_calibration_error, higher_is_better, recall_at_precision,
                       single_metric)
from ._models import SUPPORTS_CLASS_WEIGHT, make_pipeline, preprocessing, xgboost_device
from ._objective import Objective
from ._operating import predict_at
from ._ranking import (RankedConfiguration, TestInterval, best_configuration, confirmed_on_test, degenerate_reason,
                       display_name, rank_configurations, significant, worse_on_test)
from ._results import CalibrationFigures, Classes, Comparison, Configuration, Protocol, Recalibrated, UtilityResult
from ._stats import (bootstrap_draws, corrected_interval, corrected_resampled_ttest, difference_interval, holm, mcnemar,
                     percentile_interval)
from ._summary import comparison_outcome

__all__ = [
    "LOWER_IS_BETTER", "MATCHED_RECALL", "SUPPORTS_CLASS_WEIGHT", "THRESHOLD_DEPENDENT", "AugmentedSet", "CalibrationFigures", "Classes", "Comparison", "Configuration", "Evaluation", "FoldFit", "Objective", "Protocol", "Recalibrated", "RecalibratedClassifier", "Recalibration", "RankedConfiguration",
    "TestInterval", "UtilityResult",
    "average_precision", "batch_metric", "best_configuration", "bootstrap_draws", "classification_metrics",
    "comparison_outcome", "confirmed_on_test", "corrected_interval", "corrected_resampled_ttest", "cv_folds",
    "degenerate_reason", "difference_interval", "display_name", "encoded_sampler", "evaluate", "expected_calibration_error",
    "fit_predict", "fold_indices", "higher_is_better", "holm", "make_pipeline", "mcnemar", "percentile_interval",
    "predict_at", "preprocessing", "rank_configurations", "recall_at_precision", "significant", "single_metric", "worker_threads",
    "worse_on_test", "xgboost_device",
]
