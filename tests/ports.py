import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_nginx(config: Path, port: int) -> None:
    """Checks `config`, starts nginx with it and waits until it listens on `port`."""
    subprocess.run(["nginx", "-t", "-q", "-c", str(config)], check=True)
    subprocess.run(["nginx", "-c", str(config)], check=True)
    for _ in range(50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("nginx did not start")


def stop_nginx(config: Path) -> None:
    subprocess.run(["nginx", "-c", str(config), "-s", "quit"], check=False)
