"""Units of the stored event and feature columns (HDF5 attribute ``unit``): masses and
momenta in GeV, angles in rad; every other column is dimensionless."""

#: Unit of every column that has one.
UNITS = {"mjj": "GeV", "mj1": "GeV", "mj2": "GeV", "delta_m": "GeV", "pt_j1": "GeV",
         "pt_j2": "GeV", "phi_j1": "rad", "phi_j2": "rad"}
