# radflow: `make figures` reproduces the figures with config/config.yaml, `make report`
# gathers them into results/report.html, `make test` runs the tests. Each creates .venv with
# Python 3.11 and installs the pinned requirements first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/config.yaml
CORES ?= all
# pytest-xdist workers of `make test` (0: one process); with 2, tests/conftest.py gives the
# tests that read the CI run to one worker, which builds it while the other runs the Slurm
# slice and then the rest.
TEST_WORKERS ?= 2

.PHONY: cost figures report test timing venv

# The pinned requirements are installed by uv (pinned here), which downloads and unpacks in
# parallel: a fresh .venv from empty download caches, bytecode compiled, in 28 s on 2 idle
# cores (pip took 6 min 22 s for the same 132 packages, uv 1 min 17 s without compiling,
# both on the machine under load); pip installs them where uv cannot be installed or run.
UV := uv==0.13.9

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	( $(BIN)/python -m pip install --quiet $(UV) && \
	  $(BIN)/python -m uv pip install --quiet --compile-bytecode --python $(BIN)/python \
	    -r requirements.txt ) || \
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

figures: venv
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG)

# The HTML report of every figure (captions: paper claim, our number, holds) with the config
# and runtimes; runs what is missing first.
report: figures
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG) \
		--report results/report.html

test: venv
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python -m pytest -ra --durations=20 -n $(TEST_WORKERS) \
		--dist loadgroup tests

# Where the time of a run goes (docs/performance.md): per rule and per study from
# results/benchmarks, the critical path of the DAG of CONFIG and its makespan simulated on
# CORES cores (default 2); the numbers also go to results/timing.json.
timing: CORES = 2
timing: venv
	$(BIN)/python scripts/timing_table.py --configfile $(CONFIG) --cores $(CORES) \
		--json results/timing.json

# What CONFIG costs by the cost model (radflow/cost.py, docs/performance.md "Cost model"):
# per rule and in total the predicted core-hours and peak memory, and the largest job
# against cluster.node_mem_mb. Nothing runs.
cost: venv
	$(BIN)/python scripts/cost_table.py --configfile $(CONFIG)
