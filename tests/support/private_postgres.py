"""A PostgreSQL cluster the test owns: made with the installed server's `initdb`, on a free
port in a temporary folder, started and stopped at will (the outage tests need a server they
may take down). The server binaries refuse to run as root, so as root they run as `postgres`.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
from pathlib import Path


def server_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=os.path.getmtime)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


class PrivateCluster:
    def __init__(self, root: Path, binaries: Path, port: int) -> None:
        self.root = root
        self.data = root / "data"
        self.binaries = binaries
        self.port = port
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.binaries / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def processes(self) -> list[int]:
        """The postmaster, then every process it started (backends, background workers)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
        return [postmaster, *children]

    def freeze(self) -> None:
        """Every server process stopped (SIGSTOP): connections stay open, nothing answers, as
        with a frozen host. The kernel still completes TCP handshakes on the listen socket."""
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.processes():
            os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        """A fast shutdown, as a maintenance restart does: sessions are cut, nothing is lost."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
