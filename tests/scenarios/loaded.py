"""A loaded machine for the reliability scenarios: ``with cpu_load(): ...``.

``cpu_load(n)`` keeps ``n`` processes (default: one per core) spinning at normal
priority for the duration, so that every timing assumption of the code under test meets
a machine as busy as a shared 2-core server. The burners end when the block ends,
however it ends (an exception, Ctrl-C), and by themselves when this process dies (they
watch their parent), so a killed test never leaves them spinning.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["cpu_load"]

# spins; looks at its parent every ~0.1 s and stops when that has changed (it died)
_BURNER = """\
import os, sys
parent = int(sys.argv[1])
while os.getppid() == parent:
    for _ in range(200_000):
        pass
"""


@contextmanager
def cpu_load(processes: int | None = None) -> Iterator[list[int]]:
    """Keep ``processes`` busy processes (default ``os.cpu_count()``) running; yields
    their pids."""
    count = processes or os.cpu_count() or 2
    burners: list[subprocess.Popen] = []
    try:
        for _ in range(count):
            burners.append(subprocess.Popen([sys.executable, "-c", _BURNER, str(os.getpid())],
                                            stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
        yield [b.pid for b in burners]
    finally:
        for burner in burners:
            burner.kill()
        for burner in burners:
            burner.wait()
