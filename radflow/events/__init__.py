"""Events: Pythia 8 generation, the detector stand-in, FastJet jets and N-subjettiness, the
per-event features, and reading/writing event files (ROOT, LHCO HDF5). Knows nothing of
methods or statistics."""
