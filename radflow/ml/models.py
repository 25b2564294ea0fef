"""Network architectures of the five papers, chosen by name in the config.

Each architecture is a spec (hidden layers, output, loss, optimizer) that both the
single-network Keras builder (:func:`keras_model`) and the vectorized ensemble
(:mod:`radflow.ensemble`) build from, so one name means the same network everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    units: int
    activation: str = "relu"     # relu | leaky_relu (slope 0.1) | elu | linear
    dropout: float = 0.0         # dropout rate applied after the activation
    batchnorm: bool = False      # batch normalization after the activation


@dataclass(frozen=True)
class Architecture:
    hidden: tuple
    output: str = "sigmoid"      # sigmoid: 1 unit, binary classifier; linear: n_inputs (AE);
                                 # softmax: n_classes units, probabilities of the classes
    loss: str = "bce"            # bce (weighted binary cross-entropy) | mse |
                                 # cce (weighted categorical cross-entropy, labels 0..n_classes-1)
    learning_rate: float = 1e-3
    beta_1: float = 0.9
    beta_2: float = 0.999
    decay: float = 0.0           # Keras-2 style: lr_t = lr / (1 + decay * step)
    n_classes: int = 0           # classes of a softmax output (>= 2); unused otherwise

    def __post_init__(self):
        if (self.output == "softmax") != (self.loss == "cce"):
            raise ValueError(f"architecture: a softmax output goes with the cce loss (got output "
                             f"'{self.output}', loss '{self.loss}')")
        if self.output == "softmax" and self.n_classes < 2:
            raise ValueError(f"architecture: a softmax output needs n_classes >= 2, got "
                             f"{self.n_classes}")

    def output_units(self, n_inputs: int) -> int:
        """Units of the output layer: 1 (sigmoid), n_classes (softmax), n_inputs (linear)."""
        return {"sigmoid": 1, "softmax": self.n_classes}.get(self.output, n_inputs)


def _dense(*units, activation="relu"):
    return tuple(Layer(u, activation) for u in units)


ARCHITECTURES = {
    # SALAD paper: 3 x 100 ReLU, sigmoid output, Adam.
    "salad": Architecture(hidden=_dense(100, 100, 100)),
    # SA-CWoLa paper: 3 x 64 ReLU, Adam.
    "sacwola": Architecture(hidden=_dense(64, 64, 64)),
    # CATHODE paper: 3 x 64 ReLU, BCE, Adam 1e-3 (balanced class weights set by the study).
    "cathode": Architecture(hidden=_dense(64, 64, 64)),
    # CWoLa Hunting (vs autoencoder): 64 leaky ReLU(0.1) - 32 - 16 - 4 ELU, dropout 0.2 after
    # the first three hidden layers, Adam(1e-3, beta1 0.8, beta2 0.99, decay 5e-4).
    "cwola_hunting": Architecture(
        hidden=(Layer(64, "leaky_relu", 0.2), Layer(32, "elu", 0.2), Layer(16, "elu", 0.2),
                Layer(4, "elu")),
        beta_1=0.8, beta_2=0.99, decay=5e-4),
    # Complementarity paper: (64, 32, 1).
    "complementarity": Architecture(hidden=_dense(64, 32)),
    # Autoencoder ensemble: 512-512-2-512-512, batch norm after the first layer, MSE.
    "autoencoder": Architecture(
        hidden=(Layer(512, "relu", batchnorm=True), Layer(512), Layer(2, "linear"), Layer(512),
                Layer(512)),
        output="linear", loss="mse"),
}


def get(name: str) -> Architecture:
    if name not in ARCHITECTURES:
        raise KeyError(f"unknown architecture '{name}' (known: {sorted(ARCHITECTURES)})")
    return ARCHITECTURES[name]


def flops_per_event(arch: Architecture, n_inputs: int) -> int:
    """Multiply-add FLOPs (2 per MAC) of one forward pass for one event and one member."""
    sizes = [n_inputs] + [layer.units for layer in arch.hidden]
    sizes.append(arch.output_units(n_inputs))
    return sum(2 * a * b for a, b in zip(sizes[:-1], sizes[1:]))


def keras_model(arch: Architecture, n_inputs: int):
    """A plain Keras model of ``arch``: input (batch, n_inputs), output (batch, 1) for a
    binary classifier, (batch, n_classes) for a softmax one or (batch, n_inputs) for the
    autoencoder."""
    import keras

    layers = [keras.Input(shape=(n_inputs,))]
    for layer in arch.hidden:
        act = keras.layers.LeakyReLU(0.1) if layer.activation == "leaky_relu" else \
            keras.layers.Activation(layer.activation)
        layers += [keras.layers.Dense(layer.units), act]
        if layer.batchnorm:
            layers.append(keras.layers.BatchNormalization())
        if layer.dropout:
            layers.append(keras.layers.Dropout(layer.dropout))
    layers.append(keras.layers.Dense(arch.output_units(n_inputs), activation=arch.output))
    return keras.Sequential(layers)


def keras_optimizer(arch: Architecture):
    import keras

    lr = arch.learning_rate
    if arch.decay:
        lr = keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=arch.decay)
    return keras.optimizers.Adam(lr, beta_1=arch.beta_1, beta_2=arch.beta_2)
