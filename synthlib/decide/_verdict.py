"""The audit's verdict: the one place that decides what is recommended, and why.

`decide(utility, fidelity, fairness, privacy, config)` turns the stages' results into one `Verdict`, stored in
`results.json` under `verdict`. The report, the executive summary, the bundle's deployed model, the model
cards, the PipelineConfig JSON and `synthlib monitor` read it; nothing else chooses a configuration.

The question it answers is whether the best configuration *with* synthetic rows beats the strongest
configuration *without* them (plain or class-weighted, any classifier), each ranked by the objective
(`evaluation.objective`) at its own operating threshold (`evaluate._operating`), so a threshold shift cannot win:

- confirmation on the untouched test split (selection-aware: the CV folds chose the pair, the test split did not):
  the paired-bootstrap CI of candidate - reference must lie wholly past the minimum improvement;
- supporting evidence on the same CV folds: a one-sided Nadeau-Bengio corrected t-test of "candidate - reference >
  the minimum improvement", Holm-adjusted over the comparisons that decide (the template's criterion against the
  same classifier's baseline is reported unadjusted and decides nothing);
- a gain in a metric that a threshold alone can move must also hold at a matched operating point
  (minority recall at the reference's CV precision).

Each rule is a small function with the name a reviewer would use. Significance is `p <= alpha` everywhere.

The recommendation's firmness is recorded beside it, not used to choose it: `ties` lists every other eligible
configuration of its kind whose primary-metric difference on the same CV folds is not significant (two-sided corrected
t-test, p > alpha, unadjusted), with its test-split difference and its fairness and privacy gates; `runner_up` is the
next configuration of its kind by rank, tied or not; `tie_rule` says the rule in one sentence.

Ties by parsimony (`_parsimony`): a recommendation without synthetic rows is the simplest eligible configuration of
its kind within one corrected standard error of the CV leader (and passing the fairness and privacy gates where any of
those does); `parsimony` records the rule, the set and the choice. A confirmed augmented gain keeps its
configuration. The evidence rows still compare against the CV leader (`best_alternative`), the conservative reference.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from synthlib.assess import FairnessResult, FidelityResult, PrivacyResult
from synthlib.config import AuditConfig, EvaluationConfig, metric_name, p_cell
from synthlib.evaluate import (LOWER_IS_BETTER, MATCHED_RECALL, THRESHOLD_DEPENDENT, Configuration, RankedConfiguration,
                               UtilityResult, best_configuration, confirmed_on_test, corrected_interval,
                               corrected_resampled_ttest, degenerate_reason, display_name,
                               higher_is_better, holm, rank_configurations, significant, worse_on_test)

from ._bootstrap import Bootstrap, make_bootstrap
from ._calibration import calibration_decision, calibration_gate
from ._gates import fairness_gate, fidelity_gate, privacy_gate
from ._parsimony import augmented_kept, simplest_within_one_se
from ._records import Contender, Degenerate, Evidence, FairnessFinding, ForestRow, Gate, Release, TradeOff, Verdict

TRADE_OFF_METRICS = ("recall_minority", "precision_minority", "f1_minority", "balanced_accuracy", "accuracy",
                     "roc_auc", "pr_auc", "brier", "log_loss")


def compare(utility: UtilityResult, candidate: Configuration, reference: Configuration, metric: str, margin: float,
            bootstrap: Bootstrap | None, label: str) -> Evidence:
    """Candidate minus reference on the same CV folds (one-sided test against `margin`) and on the test split."""
    a, b = utility.fold_values(candidate, metric), utility.fold_values(reference, metric)
    folds = sorted(set(a) & set(b))
    differences = np.array([a[f] - b[f] for f in folds])
    direction = 1.0 if higher_is_better(metric) else -1.0
    t, p = corrected_resampled_ttest(direction * differences, utility.protocol.test_fraction, margin=margin,
                                     alternative="greater")
    interval = {} if bootstrap is None else bootstrap(candidate, reference, metric)
    return Evidence(label, display_name(candidate), display_name(reference), metric, margin,
                    float(np.nanmean(differences)) if len(differences) else None, len(folds), t, p, **interval)


def forest(utility: UtilityResult, ranked: list[RankedConfiguration], reference: RankedConfiguration | None) -> list[ForestRow]:
    """Every eligible configuration minus the best alternative on the primary metric: CV mean difference with
    its corrected 95% CI (informational, not a test: the verdict's tests are in `evidence`)."""
    if reference is None:
        return []
    rows = []
    for row in ranked:
        if not row.eligible or row.configuration == reference.configuration:
            continue
        difference = paired_cv_difference(utility, row.configuration, reference.configuration, utility.protocol.primary_metric)
        rows.append(ForestRow(row.classifier, row.comparator, row.uses_synthetic, difference.cv_difference,
                              difference.cv_ci_low, difference.cv_ci_high, reference.label))
    return rows


@dataclass(frozen=True)
class PairedDifference:
    """Candidate minus reference on the same CV folds: mean, corrected 95% CI and two-sided corrected t-test p."""

    cv_difference: float
    cv_ci_low: float
    cv_ci_high: float
    p_value: float
    n_folds: int


def paired_cv_difference(utility: UtilityResult, candidate: Configuration, reference: Configuration,
                         metric: str) -> PairedDifference:
    """Candidate minus reference on the same CV folds: mean, corrected 95% CI and two-sided corrected t-test p."""
    a, b = utility.fold_values(candidate, metric), utility.fold_values(reference, metric)
    folds = sorted(set(a) & set(b))
    differences = np.array([a[f] - b[f] for f in folds])
    if utility.protocol.cv_folds < 2:  # no held-out fold to correct for: no test
        return PairedDifference(*[float("nan")] * 4, n_folds=len(folds))
    mean, low, high = corrected_interval(differences, utility.protocol.test_fraction)
    _, p = corrected_resampled_ttest(differences, utility.protocol.test_fraction, alternative="two-sided")
    return PairedDifference(mean, low, high, p, len(folds))


# ------------------------------------------------------------------------------------------ ties
def tie_rule(primary: str, alpha: float) -> str:
    """How `decide` calls a configuration tied with the recommendation, in one sentence."""

    return (f"A configuration is tied with the recommendation when it is eligible, of the same kind (with synthetic "
            f"rows, or without them, as the recommendation), and its difference in {metric_name(primary)} on the same CV "
            f"folds has a two-sided Nadeau-Bengio corrected t-test p > {alpha}, unadjusted for multiplicity (an "
            "adjusted p is larger and would call more configurations tied, so unadjusted is the stricter choice for "
            "calling a configuration tied, and the more lenient one for granting the recommendation a significant lead).")


def is_tied(p_value: float | None, alpha: float) -> bool:
    """A tie is claimed only on a finite p above alpha: a NaN p (no test possible) claims nothing."""
    return p_value is not None and bool(np.isfinite(p_value)) and p_value > alpha


def same_kind(ranked: list[RankedConfiguration], recommended: RankedConfiguration) -> list[RankedConfiguration]:
    """The other eligible configurations that use synthetic rows exactly when the recommendation does, by rank."""
    return [r for r in ranked if r.eligible and r.uses_synthetic == recommended.uses_synthetic
            and r.configuration != recommended.configuration]


@dataclass(frozen=True)
class Sections:
    """What the verdict reads besides the utility: the assessments of fairness, privacy and fidelity."""

    fairness: FairnessResult
    privacy: PrivacyResult
    fidelity: FidelityResult
    degenerate: frozenset[Configuration] = frozenset()  # predict no minority row: never a fairness reference

    def passes(self, configuration: Configuration) -> bool:
        """Neither the fairness nor the privacy gate fails."""
        return (fairness_gate(self.fairness, configuration, self.degenerate).status != "fail"
                and privacy_gate(self.privacy, configuration).status != "fail")


def against_recommendation(sections: Sections, utility: UtilityResult, row: RankedConfiguration,
                           recommended: Configuration, difference: PairedDifference, alpha: float,
                           bootstrap: Bootstrap | None) -> Contender:
    """One configuration minus the recommendation on the primary metric (`difference`, from `paired_cv_difference`),
    with the test-split difference and its paired-bootstrap CI, and its fairness and privacy gates."""
    interval = {} if bootstrap is None else bootstrap(row.configuration, recommended, utility.protocol.primary_metric)
    fairness = fairness_gate(sections.fairness, row.configuration, sections.degenerate)
    violated = [f.attribute for f in fairness.findings if f.four_fifths]
    return Contender(row.classifier, row.comparator, row.label, row.uses_synthetic, row.rank, row.cv_mean, row.cv_pr_auc,
                     difference.cv_difference, difference.cv_ci_low, difference.cv_ci_high, difference.p_value,
                     difference.n_folds, is_tied(difference.p_value, alpha), **interval,
                     fairness_status=fairness.status, four_fifths_violated=tuple(dict.fromkeys(violated)),
                     privacy_status=privacy_gate(sections.privacy, row.configuration).status)


def ties_with_recommendation(sections: Sections, utility: UtilityResult, ranked: list[RankedConfiguration],
                             recommended: RankedConfiguration, alpha: float,
                             bootstrap: Bootstrap | None) -> tuple[list[Contender], Contender | None]:
    """The configurations tied with the recommendation (by |CV difference|), and the next one of its kind by rank.

    Every configuration of the kind is tested on the CV folds; the test-split bootstrap and the gates are computed
    only for the ties and the runner-up (the bootstrap is slow on large or multi-class test splits).
    """
    primary = utility.protocol.primary_metric
    others = same_kind(ranked, recommended)
    differences = [paired_cv_difference(utility, r.configuration, recommended.configuration, primary) for r in others]
    records = [against_recommendation(sections, utility, row, recommended.configuration, difference, alpha, bootstrap)
               for rank, (row, difference) in enumerate(zip(others, differences))
               if rank == 0 or is_tied(difference.p_value, alpha)]
    ties = sorted((r for r in records if r.tied), key=lambda r: abs(r.cv_difference))
    return ties, (records[0] if records else None)


def _threshold_shift_guard(evidence: list[Evidence]) -> list[Evidence]:
    """A met threshold-dependent criterion counts only if its comparison at the matched precision is met too."""
    out = []
    for row in evidence:
        if row.metric in THRESHOLD_DEPENDENT and row.met:
            matched = next((r for r in evidence if r.metric == MATCHED_RECALL and r.reference == row.reference
                            and r.candidate == row.candidate), None)
            if matched is not None and not matched.met:
                row = replace(row, met=False, not_met_because="no gain at the matched precision: a threshold shift")
        out.append(row)
    return out


def _explain_unmet(row: Evidence) -> Evidence:
    """An unmet row says why, in the words of the rule it failed (the threshold-shift guard's reason first)."""
    if row.met or row.not_met_because:
        return row
    reasons = []
    p_value = row.p_holm if row.decides else row.p_value
    if not significant(p_value, row.max_p_value):
        named = "Holm p" if row.decides else "p"
        reasons.append(f"the CV gain is not above the margin ({named} {p_cell(p_value)} > {row.max_p_value})")
    if not beyond_margin_on_test(row):
        side, bound = ("above", row.margin) if higher_is_better(row.metric) else ("below", -row.margin)
        reasons.append(f"the test-split CI is not wholly {side} {bound:g}" if row.ci_low is not None
                       else "no test-split CI")
    return replace(row, not_met_because="; ".join(reasons) or "not met")


def beyond_margin_on_test(row: Evidence) -> bool:
    """The test-split CI of candidate - reference lies wholly past the row's margin on the better side (the margin is
    0 for the matched-precision rows): selection-aware confirmation, since the test split chose nothing."""
    if row.ci_low is None or row.ci_high is None or not (np.isfinite(row.ci_low) and np.isfinite(row.ci_high)):
        return False
    return row.ci_low > row.margin if higher_is_better(row.metric) else row.ci_high < -row.margin


def judge(evidence: list[Evidence]) -> list[Evidence]:
    """`met` where the test-split CI lies past the margin (the confirmation) and the one-sided corrected t-test on the
    CV folds agrees (supporting evidence; Holm over the rows that decide, the others unadjusted and not in the
    family); then the threshold-shift guard, and a reason on every unmet row."""
    deciding = [i for i, r in enumerate(evidence) if r.decides]
    adjusted = dict(zip(deciding, holm([evidence[i].p_value for i in deciding])))
    rows = []
    for i, row in enumerate(evidence):
        p_value = adjusted[i] if i in adjusted else row.p_value
        rows.append(replace(row, p_holm=adjusted.get(i),
                            met=significant(p_value, row.max_p_value) and beyond_margin_on_test(row)))
    return [_explain_unmet(row) for row in _threshold_shift_guard(rows)]


CONFIRMATION = ("Configurations are selected on the CV folds (the best of each kind, every one at its own threshold "
                "chosen on held-out CV scores); the test split played no part in choosing them, so its paired-bootstrap "
                "CI of candidate minus reference is an unbiased check of the selected pair, and \"helps\" needs that "
                "CI's lower bound above the minimum improvement.")


# ------------------------------------------------------------------------------------------ decide
@dataclass(frozen=True)
class Criterion:
    metric: str
    min_improvement: float
    max_p_value: float


def _criteria(evaluation: EvaluationConfig) -> list[Criterion]:
    """The success criteria, with the objective first (margin `evaluation.min_improvement`) when none names it."""
    criteria = [Criterion(c.metric, c.min_improvement, c.max_p_value) for c in evaluation.success_criteria]
    if not any(c.metric == evaluation.primary_metric for c in criteria):
        criteria.insert(0, Criterion(evaluation.primary_metric, evaluation.min_improvement, evaluation.alpha))
    return criteria


def gather_evidence(utility: UtilityResult, augmented: RankedConfiguration, alternative: RankedConfiguration,
                    evaluation: EvaluationConfig, bootstrap: Bootstrap | None) -> list[Evidence]:
    """The verdict's comparisons: the best augmented configuration against the best alternative (these decide)
    and against its own classifier's plain baseline (the template's criterion, reported only), each on every
    criterion and, for a threshold-dependent primary metric, at the matched precision."""
    candidate, own = augmented.configuration, (augmented.classifier, "baseline")
    matched = evaluation.primary_metric in THRESHOLD_DEPENDENT and utility.protocol.matched_precision is not None
    references = [(alternative.configuration, "vs the best alternative", True)]
    if utility.has(own) and own != alternative.configuration:
        references.append((own, "vs the same classifier's baseline (template criterion)", False))
    rows = []
    for reference, label, decides in references:
        for c in _criteria(evaluation):
            row = compare(utility, candidate, reference, c.metric, c.min_improvement, bootstrap, label)
            rows.append(replace(row, max_p_value=c.max_p_value, decides=decides))
        if matched:
            row = compare(utility, candidate, reference, MATCHED_RECALL, 0.0, bootstrap, label + ", matched precision")
            rows.append(replace(row, max_p_value=evaluation.alpha, decides=decides))
    return judge(rows)


def _fairness_condition(found: list[FairnessFinding], tolerance: float | None) -> str:
    """One condition per sensitive attribute: its largest significant widening, and how many more it has."""
    finding = max(found, key=lambda f: abs(f.change or 0))
    moves = "lowers" if finding.gap.endswith("_ratio") else "widens"
    more = f" (and {len(found) - 1} more gap(s) for `{finding.attribute}`)" if len(found) > 1 else ""
    versus = f" against {finding.reference}" if finding.reference else ""
    return (f"it {moves} the {finding.gap.replace('_', ' ')} for `{finding.attribute}` by {finding.change:+.3f} "
            f"[{finding.ci_low:+.3f}, {finding.ci_high:+.3f}]{versus}, beyond the tolerance of {tolerance}{more}")


def _release(preferred: RankedConfiguration, privacy: Gate, allow_release: bool) -> Release:
    releasable = preferred.uses_synthetic and (privacy.status != "fail" or allow_release)
    reason = ("the recommended configuration uses no synthetic rows" if not preferred.uses_synthetic else
              "privacy risk is not high" if privacy.status != "fail" else
              "privacy.allow_release is set in the params" if allow_release else
              f"{privacy.evidence}; set privacy.allow_release to export it anyway")
    return Release(bool(releasable), reason)


def decide(utility: UtilityResult, fidelity: FidelityResult, fairness: FairnessResult, privacy: PrivacyResult,
           config: AuditConfig, test_predictions: dict[Configuration, tuple[np.ndarray, np.ndarray]] | None = None,
           y_test: np.ndarray | None = None) -> Verdict:
    """The verdict from the computed results; see the module docstring. `config` is the configuration the audit
    ran with (after any scale decisions); without test predictions no test-split CI is computed."""
    evaluation = config.evaluation
    alpha, primary = evaluation.alpha, evaluation.primary_metric
    sections = Sections(fairness, privacy, fidelity,
                        frozenset(c for c in utility.configurations() if degenerate_reason(utility, c) is not None))
    ranked = rank_configurations(utility, primary, evaluation.precision_floor)
    augmented, alternative = best_configuration(ranked, True), best_configuration(ranked, False)
    bootstrap = (make_bootstrap(utility, test_predictions, y_test, evaluation.n_bootstrap, config.split.seed)
                 if test_predictions is not None and y_test is not None else None)
    evidence = ([] if augmented is None or alternative is None else
                gather_evidence(utility, augmented, alternative, evaluation, bootstrap))
    deciding = [r for r in evidence if r.decides]
    if augmented is None:
        answer = "not evaluated"
    elif alternative is None:
        answer = "no alternative"
    else:
        answer = "helps" if deciding and all(r.met for r in deciding) else "no evidence"
    primary_row = next((r for r in deciding if r.metric == primary), None)
    common = dict(
        primary_metric=primary, alpha=alpha, confirmation=CONFIRMATION,
        significance="p <= alpha; Holm-adjusted over the comparisons that decide, the others unadjusted",
        ranked=tuple(ranked), best_augmented=augmented, best_alternative=alternative,
        degenerate=tuple(Degenerate(r.label, r.excluded_because) for r in ranked if not r.eligible),
        evidence=tuple(evidence), tie_rule=tie_rule(primary, alpha), forest=tuple(forest(utility, ranked, alternative)),
        augmentation_helps=answer, augmented_worse_on_test=bool(primary_row and worse_on_test(primary_row)))
    preferred = augmented if answer in ("helps", "no alternative") else alternative
    common["parsimony"] = None if preferred is None else augmented_kept(preferred, answer, primary)
    if preferred is not None and not preferred.uses_synthetic:  # a confirmed augmented gain keeps its configuration
        preferred, common["parsimony"] = simplest_within_one_se(utility, same_kind(ranked, preferred), preferred,
                                                                sections.passes)
    if preferred is None:
        reason = "no configuration predicts the minority class (all are degenerate or below the precision floor)"
        dimensions = {d: Gate("fail" if d == "utility" else "n/a", reason)
                      for d in ("utility", "calibration", "fairness", "privacy", "fidelity")}
        return Verdict(**common, trade_offs=(), ties=(), runner_up=None, status="not recommended", recommended=None,
                       comparison=None, best_passing=None, conditions=(reason,), dimensions=dimensions,
                       release=Release(False, "no configuration is recommended"))
    rec_cfg = preferred.configuration
    other = alternative if preferred.uses_synthetic else augmented
    ties, runner_up = ties_with_recommendation(sections, utility, ranked, preferred, alpha, bootstrap)
    cv_metrics = utility.cv_summary(rec_cfg)
    trade_offs = [] if other is None or bootstrap is None else [
        _trade_off(utility, rec_cfg, other.configuration, m, bootstrap) for m in TRADE_OFF_METRICS if m in cv_metrics]
    own_baseline = [] if rec_cfg[1] == "baseline" or bootstrap is None else [
        _trade_off(utility, rec_cfg, (rec_cfg[0], "baseline"), m, bootstrap) for m in ("brier", "log_loss") if m in cv_metrics]
    calibration = calibration_decision(utility, rec_cfg, other.configuration if other else None)
    gates = {"fairness": fairness_gate(fairness, rec_cfg, sections.degenerate), "privacy": privacy_gate(privacy, rec_cfg),
             "fidelity": fidelity_gate(fidelity, rec_cfg)}
    dimensions = {"utility": _utility_dimension(primary, trade_offs, preferred),
                  "calibration": calibration_gate(calibration), **gates}
    allow_release = config.privacy.allow_release
    conditions = []
    if gates["fairness"].status == "fail":
        failing: dict[str, list[FairnessFinding]] = {}
        for finding in gates["fairness"].findings:
            if finding.severity == "fail":
                failing.setdefault(finding.attribute, []).append(finding)
        conditions.extend(_fairness_condition(found, fairness.tolerance) for found in failing.values())
    if gates["privacy"].status == "fail":
        conditions.append(f"its synthetic rows carry {gates['privacy'].evidence}: the augmented training data must "
                          "not be released" + (" (privacy.allow_release is set: released anyway)" if allow_release else ""))
    best_passing = None
    if conditions:  # an augmented configuration is only an option where augmentation was shown to help
        best_passing = next((r for r in ranked if r.eligible and r.configuration != rec_cfg and sections.passes(r.configuration)
                             and (not r.uses_synthetic or answer == "helps")), None)
    return Verdict(**common, trade_offs=tuple(trade_offs), ties=tuple(ties), runner_up=runner_up,
                   status="conditional" if conditions else "recommended", recommended=preferred, comparison=other,
                   best_passing=best_passing, conditions=tuple(conditions), dimensions=dimensions,
                   release=_release(preferred, gates["privacy"], allow_release),
                   calibration_vs_own_baseline=tuple(own_baseline), calibration=calibration)


def _trade_off(utility: UtilityResult, candidate: Configuration, reference: Configuration, metric: str,
               bootstrap: Bootstrap) -> TradeOff:
    """An informational difference (not in the Holm family): CV mean difference and test difference with its CI."""
    a, b = utility.fold_values(candidate, metric), utility.fold_values(reference, metric)
    folds = sorted(set(a) & set(b))
    row = TradeOff(display_name(candidate), display_name(reference), metric,
                   float(np.mean([a[f] - b[f] for f in folds])) if folds else None, metric in LOWER_IS_BETTER,
                   **bootstrap(candidate, reference, metric))
    return replace(row, better=confirmed_on_test(row), worse=worse_on_test(row))


def _utility_dimension(primary: str, trade_offs: list[TradeOff], preferred: RankedConfiguration) -> Gate:
    ci_text = f" [{preferred.test_ci[0]:.3f}, {preferred.test_ci[1]:.3f}]" if preferred.test_ci else ""
    evidence = (f"{preferred.label}: CV {preferred.cv_mean:.3f} (sd {preferred.cv_std:.3f}), "
                f"test {preferred.test_value:.3f}{ci_text}")
    worse = next((r for r in trade_offs if r.metric == primary and r.worse), None)
    if worse is not None:
        evidence += (f"; on the test split it is below {worse.reference} ({worse.test_difference:+.3f} "
                     f"[{worse.ci_low:+.3f}, {worse.ci_high:+.3f}]), which did not meet the CV criteria")
    elif trade_offs:  # the criterion, so that "pass" can be checked
        evidence += (f"; pass: on the test split it is not below {trade_offs[0].reference} (its CI of the difference "
                     "is not wholly below 0)")
    return Gate("warn" if worse is not None else "pass", evidence)


def recompute_from_folds(verdict: Verdict, utility: UtilityResult) -> dict[str, Any]:
    """Re-derive the verdict's answer from `results.json` alone: the CV p-values from `utility.cv_folds`, Holm
    over them, and the stored test-split CIs. A reviewer (or a test) compares this with `verdict`."""
    names = {r.label: r.configuration for r in verdict.ranked}
    rows = []
    for row in verdict.evidence:
        recomputed = compare(utility, names[row.candidate], names[row.reference], row.metric, row.margin, None,
                             row.comparison)
        rows.append(replace(row, p_value=recomputed.p_value, cv_difference=recomputed.cv_difference, met=None,
                            not_met_because=None))
    rows = judge(rows)
    deciding = [r for r in rows if r.decides]
    answer = verdict.augmentation_helps if not deciding else ("helps" if all(r.met for r in deciding) else "no evidence")
    return {"augmentation_helps": answer, "evidence": rows}
