"""Training of single classifiers: standardization, validation split, early stopping."""
from __future__ import annotations

import numpy as np

from radflow.models import mlp_classifier


def set_determinism(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and switch on TensorFlow op determinism."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()


class Standardizer:
    """Per-column (x - mean) / std fitted on training inputs of shape (n_events, n_features)."""

    def __init__(self, x):
        self.mean = x.mean(axis=0)
        self.std = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)

    def __call__(self, x):
        return (x - self.mean) / self.std


def fit_classifier(x, y, seed: int, weights=None, hidden=(64, 64, 64), epochs=50,
                   patience=10, batch_size=512, val_fraction=0.2, learning_rate=1e-3):
    """Train a binary classifier on x (n_events, n_features), labels y in {0, 1}.

    A random ``val_fraction`` of the events is held out for early stopping (the best
    epoch's weights are restored). Returns ``predict(x) -> scores in (0, 1)``.
    """
    import keras

    set_determinism(seed)
    x = np.asarray(x, np.float32)
    y = np.asarray(y, np.float32)
    w = np.ones(len(y), np.float32) if weights is None else np.asarray(weights, np.float32)
    val = np.random.default_rng(seed).random(len(y)) < val_fraction
    scale = Standardizer(x[~val])
    model = mlp_classifier(x.shape[1], hidden)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  weighted_metrics=[])
    model.fit(scale(x[~val]), y[~val], sample_weight=w[~val], epochs=epochs,
              batch_size=batch_size, verbose=0, shuffle=True,
              validation_data=(scale(x[val]), y[val], w[val]),
              callbacks=[keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)])

    def predict(x_new):
        return model.predict(scale(np.asarray(x_new, np.float32)), batch_size=8192, verbose=0)[:, 0]

    return predict
