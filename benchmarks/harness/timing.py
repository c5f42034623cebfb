"""Timers: samples with median and p99, and F, the RSA floor every SSO target is a multiple of."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


@dataclass(frozen=True)
class Samples:
    """Wall times in milliseconds of repeated runs of one action."""

    ms: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.ms)
        # Nearest-rank p99: with fewer than 100 samples this is the slowest run.
        return ordered[min(len(ordered) - 1, max(0, -(-99 * len(ordered) // 100) - 1))]


def time_samples(action: Callable[[], object], *, runs: int, warmup: int = 1) -> Samples:
    """Return the wall times of `runs` calls of `action`, after `warmup` untimed calls."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return Samples(tuple(samples))


def median_ms(action: Callable[[], object], *, runs: int) -> float:
    """Return the median wall time of `action` in milliseconds, after one warm-up call."""
    return time_samples(action, runs=runs).median


def rsa_floor_action() -> Callable[[], object]:
    """Return the action F times: two RSA-2048 PKCS#1 v1.5 SHA-256 signatures."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    message = b"<ds:SignedInfo>" + b"x" * 400 + b"</ds:SignedInfo>"

    def two_signatures():
        key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        key.sign(message, padding.PKCS1v15(), hashes.SHA256())

    return two_signatures


def interleaved_medians(
    first: Callable[[], object], second: Callable[[], object], *, runs: int
) -> tuple[float, float]:
    """Return the median ms of two actions timed in turns, so load shifts hit both alike.

    On a shared machine the load changes within seconds; timing F and then the figure
    lets a burst land on one only, while alternating calls gives both the same load.
    """
    first(), second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for action, samples in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            action()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def rsa_floor_ms(*, runs: int = 200) -> float:
    """Return F: the median time of two RSA-2048 PKCS#1 v1.5 SHA-256 signatures.

    Every SSO signs twice (Response and Assertion), so this is the least an SSO can cost
    on this machine right now; the SSO targets are multiples of it, measured in the same
    process shortly before the figure, so machine load affects both alike.
    """
    return median_ms(rsa_floor_action(), runs=runs)
