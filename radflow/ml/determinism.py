"""TensorFlow determinism: with the seeds of radflow.seeds, the same config gives the same
trained scores on the same machine."""


def set_determinism(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and switch on TensorFlow op determinism."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
