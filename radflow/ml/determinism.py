"""TensorFlow determinism: with the seeds of radflow.seeds, the same config gives the same
trained scores on the same machine."""
import random
import sys


def set_determinism(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and switch on TensorFlow op determinism; also Keras'
    global seed when Keras is loaded (its layers draw from it; the engines build none)."""
    import numpy as np
    import tensorflow as tf

    random.seed(int(seed))
    np.random.seed(int(seed))
    tf.random.set_seed(int(seed))
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
