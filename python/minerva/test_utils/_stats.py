"""Testing random generators (MXNet 1.x's ``test_utils``): chi-square, mean and variance
checks. The chi-square p-value is computed here, so scipy is not needed."""
from __future__ import annotations

import math

import numpy as np


def gen_buckets_probs_with_ppf(ppf, nbuckets: int) -> tuple:
    """nbuckets equal-probability buckets [(ppf(i/n), ppf((i+1)/n))] and their probabilities,
    from a quantile function ppf."""
    assert nbuckets > 0
    probs = [1.0 / nbuckets for _ in range(nbuckets)]
    buckets = [(ppf(i / float(nbuckets)), ppf((i + 1) / float(nbuckets))) for i in range(nbuckets)]
    return buckets, probs


def _regularized_upper_gamma(a: float, x: float) -> float:
    """Q(a, x) = Gamma(a, x) / Gamma(a): a series below x < a + 1, Lentz's continued fraction
    above (where each converges fast)."""
    if x <= 0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = a
        while abs(term) > abs(total) * 1e-15:
            n += 1
            term *= x / n
            total += term
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(log_prefix) * h


def _chisquare_pvalue(obs, expected) -> float:
    """p-value of Pearson's chi-square statistic with len(obs) - 1 degrees of freedom (as
    scipy.stats.chisquare)."""
    obs = np.asarray(obs, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    stat = float(np.sum((obs - expected) ** 2 / expected))
    return _regularized_upper_gamma((len(obs) - 1) / 2.0, stat / 2.0)


def chi_square_check(generator, buckets, probs, nsamples=1000000) -> tuple:
    """Pearson's chi-square test of generator(nsamples) against probs over buckets: ranges
    (low, high) for a continuous distribution, or the values of a discrete one. Returns
    (p-value, observed counts, expected counts)."""
    assert isinstance(buckets, list)
    samples = generator(nsamples)
    assert len(probs) == len(buckets)
    continuous = isinstance(buckets[0], (list, tuple))
    if continuous:
        edges = np.zeros((len(buckets) * 2,), dtype=np.float32)
        for i, (low, high) in enumerate(buckets):
            assert low <= high
            if i < len(buckets) - 1:
                assert high <= buckets[i + 1][0]
            edges[2 * i], edges[2 * i + 1] = low, high
        bucket_ids = np.searchsorted(edges, samples, side="right") // 2
    else:
        bucket_ids = np.array(samples)
    expected_freq = (nsamples * np.array(probs, dtype=np.float32)).astype(np.int32)
    obs_freq = np.zeros(shape=len(buckets), dtype=np.int64)
    for i, bucket in enumerate(buckets):
        obs_freq[i] = (bucket_ids == (i if continuous else bucket)).sum()
    return _chisquare_pvalue(obs_freq, expected_freq), obs_freq, expected_freq


def verify_generator(generator, buckets, probs, nsamples=1000000, nrepeat=5, success_rate=0.2, alpha=0.05) -> list:
    """Repeats chi_square_check nrepeat times and fails unless at least success_rate of the
    runs have p > alpha. Returns the p-values."""
    results = [chi_square_check(generator=generator, buckets=buckets, probs=probs, nsamples=nsamples)
               for _ in range(nrepeat)]
    pvalues = [r[0] for r in results]
    if (np.array(pvalues) > alpha).sum() < nrepeat * success_rate:
        raise AssertionError(f"Generator test fails, Chi-square p={pvalues}, obs_freq={[r[1] for r in results]}, "
                             f"expected_freq={[r[2] for r in results]}.\nbuckets={buckets}, probs={probs}")
    return pvalues


def mean_check(generator, mu, sigma, nsamples=1000000) -> bool:
    """Whether the sample mean lies within mu +- 3 sigma / sqrt(nsamples)."""
    sample_mean = np.array(generator(nsamples)).mean()
    bound = 3 * sigma / np.sqrt(nsamples)
    return bool(mu - bound < sample_mean < mu + bound)


def var_check(generator, sigma, nsamples=1000000) -> bool:
    """Whether the sample variance lies within sigma^2 +- 3 sqrt(2 sigma^4 / (nsamples - 1))."""
    sample_var = np.array(generator(nsamples)).var(ddof=1)
    bound = 3 * np.sqrt(2 * sigma ** 4 / (nsamples - 1))
    return bool(sigma ** 2 - bound < sample_var < sigma ** 2 + bound)
