"""Statistics: the dijet-function sideband fit, SR prediction, profile-likelihood
significance and goodness of fit (fit), and the threshold scan of the bump hunt
(bump_hunt). Knows nothing of methods."""
