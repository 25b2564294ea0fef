"""Deterministic seeds derived from the config seed and a tuple of names (the switch that
makes TensorFlow deterministic is radflow.ml.determinism, so that generation jobs need no
TensorFlow).

Every random step in radflow takes its seed from here, so one config seed fixes all
numbers of a run, and different (sample, chunk, study, ...) keys get independent streams.
"""
import hashlib

# Pythia accepts seeds in [1, 900_000_000].
PYTHIA_MAX_SEED = 900_000_000


def derive_seed(base_seed: int, *keys, modulus: int = PYTHIA_MAX_SEED) -> int:
    """Return a seed in [1, modulus] from ``base_seed`` and any printable keys.

    The mapping is a SHA-256 hash, so it is stable across Python versions and machines
    (unlike ``hash()``).
    """
    text = "/".join([str(int(base_seed))] + [str(k) for k in keys])
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "little") % modulus + 1
