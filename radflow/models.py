"""Keras network builders for the papers' classifiers."""
from __future__ import annotations


def mlp_classifier(n_inputs: int, hidden=(64, 64, 64), activation="relu"):
    """Fully connected binary classifier: ``hidden`` ReLU layers, one sigmoid output.

    Input shape (batch, n_inputs), output shape (batch, 1).
    """
    import keras

    layers = [keras.Input(shape=(n_inputs,))]
    layers += [keras.layers.Dense(n, activation=activation) for n in hidden]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)
