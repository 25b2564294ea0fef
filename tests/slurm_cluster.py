"""A real single-node Slurm (munged + slurmctld + slurmd) started for the tests.

Needs root and Debian's packages slurmctld, slurmd, slurm-client and munge (installed with
apt-get when missing). A private munged (own key and socket in a temporary directory) leaves
/etc/munge alone. The config must be /etc/slurm/slurm.conf: the executor plugin's job step
strips SLURM_CONF before the `srun` inside each job, so a config elsewhere makes every job
fail; an existing file is saved and put back on stop. Daemons are stopped by the PIDs that
this module started.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"]
BINARIES = ["slurmctld", "slurmd", "sinfo", "sbatch", "squeue", "munged", "mungekey"]
SLURM_CONF = Path("/etc/slurm/slurm.conf")


class SlurmUnavailable(RuntimeError):
    """Slurm cannot be started on this machine (the reason is the message)."""


def _run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def ensure_installed() -> None:
    if all(shutil.which(b) for b in BINARIES):
        return
    if os.geteuid() != 0:
        raise SlurmUnavailable("Slurm is not installed and installing it needs root")
    if not shutil.which("apt-get"):
        raise SlurmUnavailable("Slurm is not installed and there is no apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        _run(["apt-get", "update", "-qq"], env=env, timeout=600)
        _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
             env=env, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        raise SlurmUnavailable(f"apt-get install {' '.join(PACKAGES)} failed: {err}") from err


def _read_pid(path: Path, timeout=20.0) -> int:
    end = time.time() + timeout
    while time.time() < end:
        if path.is_file() and path.read_text().strip():
            return int(path.read_text().split()[0])
        time.sleep(0.2)
    raise RuntimeError(f"daemon did not write its pid file {path}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _stop(pid: int, timeout=15.0) -> None:
    """SIGTERM, wait for the daemon to exit, SIGKILL if it does not."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.time() + timeout
    while time.time() < end and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


class SlurmCluster:
    """Context manager: a one-node Slurm with ``nproc`` CPUs and ~80% of free memory."""

    def __init__(self):
        self.tmp = None
        self.pids = {}
        self.saved_conf = None

    def __enter__(self):
        if os.geteuid() != 0:
            raise SlurmUnavailable("starting Slurm daemons needs root")
        ensure_installed()
        self.tmp = Path(tempfile.mkdtemp(prefix="radflow-slurm-"))
        self.tmp.chmod(0o755)   # the munge socket's directory and parents: world-executable
        try:
            self._start_munge()
            self._write_conf()
            self._start_slurm()
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_munge(self):
        d = self.tmp / "munge"
        d.mkdir(mode=0o755)
        key = d / "munge.key"
        _run(["mungekey", "--create", "--keyfile", str(key)])
        shutil.chown(d, "munge", "munge")
        shutil.chown(key, "munge", "munge")
        key.chmod(0o400)
        self.socket = d / "munge.socket.2"
        _run(["runuser", "-u", "munge", "--", "munged", f"--socket={self.socket}",
              f"--key-file={key}", f"--pid-file={d / 'munged.pid'}",
              f"--log-file={d / 'munged.log'}", f"--seed-file={d / 'munged.seed'}"])
        self.pids["munged"] = _read_pid(d / "munged.pid")

    def _write_conf(self):
        host = socket.gethostname().split(".")[0]
        free_mb = int(_run(["free", "-m"]).stdout.split("\n")[1].split()[1])
        for sub in ("state", "spool"):
            (self.tmp / sub).mkdir()
        conf = f"""# written by radflow's tests ({self.tmp})
ClusterName=radflow-test
SlurmctldHost={host}
AuthType=auth/munge
AuthInfo=socket={self.socket}
CredType=cred/munge
SlurmUser=root
StateSaveLocation={self.tmp / 'state'}
SlurmdSpoolDir={self.tmp / 'spool'}
SlurmctldPidFile={self.tmp / 'slurmctld.pid'}
SlurmdPidFile={self.tmp / 'slurmd.pid'}
SlurmctldLogFile={self.tmp / 'slurmctld.log'}
SlurmdLogFile={self.tmp / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=600
ReturnToService=2
NodeName={host} CPUs={os.cpu_count()} RealMemory={int(0.8 * free_mb)} State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""
        SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
        if SLURM_CONF.exists():
            self.saved_conf = self.tmp / "slurm.conf.saved"
            shutil.copy2(SLURM_CONF, self.saved_conf)
        SLURM_CONF.write_text(conf)

    def _start_slurm(self):
        _run(["slurmctld"])
        self.pids["slurmctld"] = _read_pid(self.tmp / "slurmctld.pid")
        _run(["slurmd"])
        self.pids["slurmd"] = _read_pid(self.tmp / "slurmd.pid")
        end = time.time() + 60
        while time.time() < end:
            state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True).stdout
            if state.strip() == "idle":
                return
            time.sleep(0.5)
        log = (self.tmp / "slurmctld.log").read_text()[-2000:]
        raise RuntimeError(f"Slurm node did not become idle (sinfo: {state!r}); slurmctld log:\n{log}")

    def __exit__(self, *exc):
        for name in ("slurmd", "slurmctld", "munged"):
            pid = self.pids.pop(name, None)
            if pid:
                _stop(pid)
        if self.saved_conf is not None:
            shutil.copy2(self.saved_conf, SLURM_CONF)
        elif self.tmp is not None and SLURM_CONF.exists() and str(self.tmp) in SLURM_CONF.read_text():
            SLURM_CONF.unlink()
        return False
