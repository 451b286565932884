#!/usr/bin/env python3
"""Generates tests/vectors/stats.json: reference values for the experiment statistics of the
owning backend (src/server/stats/) and for `edgeflag sample-size`, computed with scipy.

    pip install scipy                      # scipy >= 1.10 (binomtest's Wilson interval)
    python3 tests/vectors/stats.py         # rewrites stats.json next to this script

The output is deterministic (fixed seed, fixed order): rerunning the script must not change
the file, apart from the "scipy" version it records.

Where each reference comes from:
- "rate": the Wilson score interval from scipy.stats.binomtest(k, n).proportion_ci(
  method="wilson"), computed independently of the Rust formula.
- "proportions": the two-proportion z-test by its formula (statsmodels is not needed) on
  scipy.stats.norm: difference treatment - control, its interval with the unpooled (Wald)
  standard error, the two-sided p-value with the pooled one. The p-value is cross-checked
  here against scipy.stats.chi2_contingency(correction=False), the same test as a chi-square.
- "welch": scipy.stats.ttest_ind_from_stats(equal_var=False) for the p-value; the
  Welch-Satterthwaite degrees of freedom and the interval (scipy.stats.t.ppf) by formula,
  cross-checked against the t statistic scipy reports.
- "srm": scipy.stats.chisquare of the observed units against the weights scaled to them.
- "sampleSize": the usual normal approximation on scipy.stats.norm.ppf (see sample_size()).
- "tQuantile", "tUpperTail": scipy.stats.t.ppf and .sf over degrees of freedom from 1 to
  1e12, on both sides of where the Rust code switches from statrs to an expansion.

Where scipy has no answer (nan, inf) the case records the documented convention of the Rust
code instead, and says so in its "note": no units -> null (nothing to estimate); no variance
and no difference -> p-value 1; no variance and a difference -> p-value 0; a variant with
units but weight 0 -> chi-square statistic null (infinite), p-value 0.
"""

import json
import math
import os
import random
from fractions import Fraction

import scipy
from scipy import stats

SEED = 20261119


def num(x):
    """A float for JSON (no numpy scalars)."""
    return float(x)


# --- rates: the Wilson score interval ------------------------------------------------------


def rate_case(units, conversions, confidence=0.95, note=None):
    case = {"units": units, "conversions": conversions, "confidence": confidence}
    if units == 0 or conversions > units:
        case["expected"] = None
    else:
        ci = stats.binomtest(conversions, units).proportion_ci(
            confidence_level=confidence, method="wilson"
        )
        low, high = num(ci.low), num(ci.high)
        # Exact ends: 0 conversions -> 0, all conversions -> 1 (the formula's rounding gives
        # ±1e-17; the Rust code returns the exact value, so the vector does too).
        if conversions == 0:
            low = 0.0
        if conversions == units:
            high = 1.0
        case["expected"] = {"rate": conversions / units, "low": low, "high": high}
    if note:
        case["note"] = note
    return case


def rate_cases(rng):
    yield rate_case(0, 0, note="no units: nothing to estimate")
    yield rate_case(10, 11, note="more conversions than units: refused")
    yield rate_case(1, 0)
    yield rate_case(1, 1)
    yield rate_case(10, 0)
    yield rate_case(10, 10)
    yield rate_case(10, 3)
    yield rate_case(100, 50)
    yield rate_case(1000, 1)
    yield rate_case(1000, 999)
    yield rate_case(10_000_000, 512_345)
    yield rate_case(2, 1, 0.5)
    for confidence in (0.8, 0.9, 0.99, 0.999):
        yield rate_case(500, 37, confidence)
    for _ in range(20):
        units = rng.choice([5, 50, 500, 5000, 50_000, 500_000])
        units = rng.randrange(1, units + 1)
        conversions = rng.randrange(0, units + 1)
        yield rate_case(units, conversions, rng.choice([0.9, 0.95, 0.95, 0.99]))


# --- two proportions: the z-test -----------------------------------------------------------


def proportions_case(control, treatment, confidence=0.95, note=None):
    (nc, kc), (nt, kt) = control, treatment
    case = {
        "control": {"units": nc, "conversions": kc},
        "treatment": {"units": nt, "conversions": kt},
        "confidence": confidence,
    }
    if nc == 0 or nt == 0 or kc > nc or kt > nt:
        case["expected"] = None
    else:
        pc, pt = kc / nc, kt / nt
        difference = pt - pc
        z = stats.norm.ppf(1 - (1 - confidence) / 2)
        se = math.sqrt(pc * (1 - pc) / nc + pt * (1 - pt) / nt)
        pooled = (kc + kt) / (nc + nt)
        se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nt))
        if se_pooled == 0:
            # Everybody converted, or nobody: no difference, no evidence.
            p_value = 1.0
            note = note or "no variance: p-value 1 by convention"
        else:
            p_value = num(2 * stats.norm.sf(abs(difference) / se_pooled))
            # The same test as a 2x2 chi-square without continuity correction.
            table = [[kc, nc - kc], [kt, nt - kt]]
            check = stats.chi2_contingency(table, correction=False).pvalue
            assert abs(check - p_value) < 1e-9, (control, treatment, check, p_value)
        case["expected"] = {
            "controlRate": pc,
            "treatmentRate": pt,
            "difference": difference,
            "low": num(difference - z * se),
            "high": num(difference + z * se),
            "pValue": p_value,
            "relativeLift": None if kc == 0 else difference / pc,
        }
    if note:
        case["note"] = note
    return case


def proportions_cases(rng):
    yield proportions_case((0, 0), (100, 5), note="no control units")
    yield proportions_case((100, 5), (0, 0), note="no treatment units")
    yield proportions_case((100, 0), (100, 0))
    yield proportions_case((100, 100), (100, 100))
    yield proportions_case((100, 0), (100, 100), note="rates 0 and 1: a zero-width interval")
    yield proportions_case((100, 0), (100, 3), note="no control conversions: no relative lift")
    yield proportions_case((1000, 50), (1000, 50))
    yield proportions_case((1000, 50), (1000, 65))
    yield proportions_case((1000, 65), (1000, 50))
    yield proportions_case((10_000, 500), (10_000, 560))
    yield proportions_case((1_000_000, 52_000), (1_000_000, 53_000))
    yield proportions_case((1_000_000, 52_000), (1_000_000, 58_000), note="a tiny p-value")
    yield proportions_case((3, 1), (4, 3))
    for confidence in (0.9, 0.99):
        yield proportions_case((2000, 100), (2100, 130), confidence)
    for _ in range(20):
        size = rng.choice([100, 1000, 10_000, 100_000])
        nc = rng.randrange(size // 2, size + 1)
        nt = rng.randrange(size // 2, size + 1)
        rate = rng.choice([0.01, 0.05, 0.2, 0.5, 0.9])
        kc = min(nc, max(0, round(nc * rate * rng.uniform(0.8, 1.2))))
        kt = min(nt, max(0, round(nt * rate * rng.uniform(0.8, 1.2))))
        yield proportions_case((nc, kc), (nt, kt), rng.choice([0.9, 0.95, 0.95, 0.99]))


# --- Welch's t-test on per-unit values -----------------------------------------------------


def moments(values):
    """(n, sum, sum of squares) of integer values (cents): exact in binary floating point."""
    return len(values), sum(values), sum(v * v for v in values)


def exact_mean_variance(n, total, squares):
    """The mean and the sample variance (n - 1) from the moments, exactly, then rounded."""
    mean = Fraction(total) / n
    variance = (Fraction(squares) - Fraction(total) * total / n) / (n - 1)
    return float(mean), float(variance)


def welch_case(control, treatment, confidence=0.95, note=None):
    case = {
        "control": {"n": control[0], "sum": control[1], "sumSquares": control[2]},
        "treatment": {"n": treatment[0], "sum": treatment[1], "sumSquares": treatment[2]},
        "confidence": confidence,
    }
    if control[0] < 2 or treatment[0] < 2:
        case["expected"] = None
        note = note or "fewer than 2 units in a group: no variance to estimate"
    else:
        mc, vc = exact_mean_variance(*control)
        mt, vt = exact_mean_variance(*treatment)
        nc, nt = control[0], treatment[0]
        difference = mt - mc
        a, b = vc / nc, vt / nt
        se = math.sqrt(a + b)
        if se == 0:
            df = nc + nt - 2
            p_value = 1.0 if difference == 0 else 0.0
            low = high = difference
            note = note or "no variance: p-value 1 without a difference, 0 with one"
        else:
            df = (a + b) ** 2 / (a * a / (nc - 1) + b * b / (nt - 1))
            result = stats.ttest_ind_from_stats(
                mt, math.sqrt(vt), nt, mc, math.sqrt(vc), nc, equal_var=False
            )
            assert abs(result.statistic - difference / se) <= 1e-9 * abs(result.statistic) + 1e-12
            p_value = num(result.pvalue)
            q = stats.t.ppf(1 - (1 - confidence) / 2, df)
            low, high = num(difference - q * se), num(difference + q * se)
        case["expected"] = {
            "controlMean": mc,
            "treatmentMean": mt,
            "difference": difference,
            "degreesOfFreedom": num(df),
            "low": low,
            "high": high,
            "pValue": p_value,
        }
    if note:
        case["note"] = note
    return case


def revenue(rng, n, buyers, mean_cents):
    """Per-unit revenue in cents: most units spend nothing (they count as 0)."""
    return [
        round(rng.expovariate(1 / mean_cents)) if rng.random() < buyers else 0 for _ in range(n)
    ]


def welch_cases(rng):
    yield welch_case((1, 5, 25), (10, 50, 300), note="one unit in control")
    yield welch_case((0, 0, 0), (0, 0, 0), note="no units")
    yield welch_case((10, 0, 0), (10, 0, 0), note="nobody has the event")
    yield welch_case((10, 50, 250), (10, 50, 250), note="everybody the same value")
    yield welch_case((10, 50, 250), (10, 70, 490), note="constant values that differ")
    yield welch_case((2, 1, 1), (2, 1000, 1_000_000), note="two units each: df near 1")
    yield welch_case(moments([0, 1]), moments([0, 0, 0, 0, 0, 0, 0, 0, 100, 0]))
    yield welch_case(moments([3, 4, 5, 6, 7]), moments([5, 6, 7, 8, 9, 10]))
    yield welch_case(moments([0] * 99 + [1]), moments([0] * 98 + [1, 1]), note="a conversion count")
    for confidence in (0.9, 0.99):
        yield welch_case(moments(revenue(rng, 300, 0.1, 4000)), moments(revenue(rng, 320, 0.12, 4000)), confidence)
    for _ in range(20):
        n = rng.choice([5, 30, 200, 2000])
        buyers = rng.choice([0.02, 0.1, 0.5, 1.0])
        mean = rng.choice([100, 2500, 99_999])
        control = revenue(rng, rng.randrange(2, n + 2), buyers, mean)
        treatment = revenue(rng, rng.randrange(2, n + 2), buyers * rng.uniform(0.8, 1.3), mean)
        yield welch_case(moments(control), moments(treatment), rng.choice([0.9, 0.95, 0.95, 0.99]))


# --- sample-ratio mismatch -----------------------------------------------------------------


def srm_case(units, weights, note=None):
    case = {"units": units, "weights": weights}
    kept = [(u, w) for u, w in zip(units, weights) if not (u == 0 and w == 0)]
    total = sum(u for u, _ in kept)
    if len(kept) < 2 or total == 0 or sum(w for _, w in kept) <= 0:
        case["expected"] = None
    elif any(w == 0 and u > 0 for u, w in kept):
        case["expected"] = {"statistic": None, "degreesOfFreedom": len(kept) - 1, "pValue": 0.0}
        note = note or "units where the weight is 0: a certain mismatch"
    else:
        weight = sum(w for _, w in kept)
        expected = [total * w / weight for _, w in kept]
        result = stats.chisquare([u for u, _ in kept], expected)
        case["expected"] = {
            "statistic": num(result.statistic),
            "degreesOfFreedom": len(kept) - 1,
            "pValue": num(result.pvalue),
        }
    if note:
        case["note"] = note
    return case


def srm_cases(rng):
    yield srm_case([0, 0], [50_000, 50_000], note="no units")
    yield srm_case([100], [100_000], note="one variant: nothing to compare")
    yield srm_case([500, 0], [100_000, 0], note="only one variant left after dropping weight 0")
    yield srm_case([5000, 5000], [50_000, 50_000])
    yield srm_case([5000, 5100], [50_000, 50_000])
    yield srm_case([50_000, 51_000], [50_000, 50_000])
    yield srm_case([50_000, 52_000], [1, 1], note="weights in any scale")
    yield srm_case([1000, 9000], [10_000, 90_000])
    yield srm_case([3334, 3333, 3333], [33_334, 33_333, 33_333])
    yield srm_case([3000, 3500, 3500], [33_334, 33_333, 33_333])
    yield srm_case([100, 0, 100], [50_000, 0, 50_000], note="a variant with weight 0 and no units is left out")
    yield srm_case([100, 3, 100], [50_000, 0, 50_000])
    yield srm_case([1_000_000, 1_100_000], [50_000, 50_000], note="p-value underflows")
    yield srm_case([1, 0], [50_000, 50_000])
    for _ in range(20):
        k = rng.choice([2, 2, 3, 4, 5])
        weights = [rng.randrange(1, 100) for _ in range(k)]
        total_weight = sum(weights)
        # Scale to 100000 as edgeflag rollouts do (the last takes the remainder).
        weights = [w * 100_000 // total_weight for w in weights[:-1]]
        weights.append(100_000 - sum(weights))
        n = rng.choice([100, 10_000, 1_000_000])
        units = [max(0, round(n * w / 100_000 * rng.uniform(0.97, 1.03))) for w in weights]
        yield srm_case(units, weights)


# --- sample size ---------------------------------------------------------------------------


def sample_size(baseline, mde, alpha, power):
    """Units per variant for a two-sided two-proportion z-test (normal approximation):

    n = (z(1 - alpha/2) * sqrt(2 pbar (1 - pbar)) + z(power) * sqrt(p1 (1 - p1) + p2 (1 - p2)))^2
        / (p2 - p1)^2,   p2 = p1 (1 + mde), pbar = (p1 + p2) / 2
    """
    p1 = baseline
    p2 = baseline * (1 + mde)
    pbar = (p1 + p2) / 2
    za = stats.norm.ppf(1 - alpha / 2)
    zb = stats.norm.ppf(power)
    root = za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return root * root / ((p2 - p1) ** 2)


def sample_size_case(baseline, mde, alpha=0.05, power=0.8, variants=2, daily_units=None):
    n = num(sample_size(baseline, mde, alpha, power))
    units = math.ceil(n)
    total = units * variants
    return {
        "baseline": baseline,
        "mde": mde,
        "alpha": alpha,
        "power": power,
        "variants": variants,
        "dailyUnits": daily_units,
        "expected": {
            "n": n,
            "unitsPerVariant": units,
            "totalUnits": total,
            "days": None if daily_units is None else -(-total // daily_units),
        },
    }


def sample_size_cases(rng):
    yield sample_size_case(0.05, 0.1)
    yield sample_size_case(0.05, 0.1, daily_units=1000)
    yield sample_size_case(0.1, 0.05, 0.05, 0.9, 3, 25_000)
    yield sample_size_case(0.5, 0.01)
    yield sample_size_case(0.001, 0.5, daily_units=1)
    yield sample_size_case(0.9, 0.1, 0.01, 0.95)
    yield sample_size_case(0.2, 2.0, 0.1, 0.5, 4, 7)
    yield sample_size_case(0.3, 0.05, 0.05, 0.3, 2, 100)
    for _ in range(30):
        baseline = rng.choice([0.001, 0.01, 0.03, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7])
        mde = rng.choice([0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.9])
        if baseline * (1 + mde) >= 1:
            continue
        yield sample_size_case(
            baseline,
            mde,
            rng.choice([0.01, 0.05, 0.1]),
            rng.choice([0.8, 0.9, 0.95]),
            rng.choice([2, 2, 3, 5]),
            rng.choice([None, 500, 10_000, 1_000_000]),
        )


def invalid(field, **overrides):
    case = {"baseline": 0.05, "mde": 0.1, "alpha": 0.05, "power": 0.8, "variants": 2, "dailyUnits": None}
    case.update(overrides)
    case["field"] = field
    return case


def sample_size_invalid():
    return [
        invalid("baseline", baseline=0.0),
        invalid("baseline", baseline=1.0),
        invalid("baseline", baseline=-0.05),
        invalid("baseline", baseline=1.5),
        invalid("mde", mde=0.0),
        invalid("mde", mde=-0.1),
        invalid("mde", baseline=0.6, mde=1.0, note="p2 = 1.2: not a rate"),
        invalid("mde", baseline=0.5, mde=1.0, note="p2 = 1: certain conversion"),
        invalid("mde", baseline=1e-9, mde=1e-9, note="more units than can be counted exactly"),
        invalid("alpha", alpha=0.0),
        invalid("alpha", alpha=1.0),
        invalid("power", power=0.0),
        invalid("power", power=1.0),
        invalid("power", power=0.01, note="below alpha / 2: the formula's root turns negative"),
        invalid("variants", variants=1),
        invalid("variants", variants=0),
        invalid("dailyUnits", dailyUnits=0),
    ]


# --- the t distribution itself: where the Rust code leaves statrs for an expansion ---------

T_DEGREES = [1, 1.000002, 2.5, 10, 100, 499, 500, 800, 1000, 5000, 99_999, 100_000, 10**6, 10**7, 10**9, 10**12]


def t_quantile_cases():
    for df in T_DEGREES:
        for p in (0.55, 0.8, 0.95, 0.975, 0.995, 0.9995, 0.9999995):
            yield {"p": p, "df": df, "quantile": num(stats.t.ppf(p, df))}


def t_tail_cases():
    for df in T_DEGREES:
        for x in (0.0, 0.1, 1.0, 1.96, 3.0, 6.0, 12.0):
            yield {"x": x, "df": df, "upperTail": num(stats.t.sf(x, df))}


def dump(document):
    """JSON with one case per line, so a change shows as a one-line diff."""
    lines = ["{"]
    items = list(document.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i + 1 < len(items) else ""
        if isinstance(value, list):
            lines.append(f" {json.dumps(key)}: [")
            for j, case in enumerate(value):
                inner = "," if j + 1 < len(value) else ""
                lines.append("  " + json.dumps(case, allow_nan=False) + inner)
            lines.append(" ]" + comma)
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    rng = random.Random(SEED)
    document = {
        "generator": "tests/vectors/stats.py",
        "scipy": scipy.__version__,
        "rate": list(rate_cases(rng)),
        "proportions": list(proportions_cases(rng)),
        "welch": list(welch_cases(rng)),
        "srm": list(srm_cases(rng)),
        "sampleSize": list(sample_size_cases(rng)),
        "sampleSizeInvalid": sample_size_invalid(),
        "tQuantile": list(t_quantile_cases()),
        "tUpperTail": list(t_tail_cases()),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stats.json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(dump(document))
    counts = ", ".join(f"{k} {len(v)}" for k, v in document.items() if isinstance(v, list))
    print(f"wrote {path}: {counts}")


if __name__ == "__main__":
    main()
