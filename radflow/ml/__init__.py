"""Machine learning: network architectures, vectorized ensembles (per-member minibatches),
training procedures (k-fold, nested k-fold) and classifier metrics (ROC, AUC, SIC)."""
