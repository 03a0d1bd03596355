"""The soak's load, shared by the soak test (tests/soak) and its benchmark (bench/soak.py).

`LOAD` is the plan both run; `run_load(plan, folder)` runs the clients (harness/soakload.py) in a
process of their own, so the relay's CPU is not the clients', and returns what they found.
"""
from __future__ import annotations

import json
import resource
from pathlib import Path

from harness.processes import Process, ProcessError

#: The load the soak test and its benchmark both run: 20 sessions of 99 residents and 1 promoter.
SESSIONS = 20
RESIDENTS = 1980           # + 20 staff connections = 2,000
LOAD = {"duration_s": 60,
        "message_every_s": 20,   # each resident: about 100 lines a second in all
        "announce_every_s": 2,   # each promoter: 10 notices a second in all, each to 99 residents
        "churn_per_s": 20,       # resident reconnections a second
        "connect_concurrency": 64, "seed": 7}

#: Generous deadlines: a busy machine makes everything slower, never wrong.
ACK_TIMEOUT_S = 120
CONNECT_ATTEMPTS = 5
FINAL_TIMEOUT_S = 300
#: How long one handshake and its welcome may take.
OPEN_TIMEOUT_S = 120


def run_load(plan: dict, folder: Path) -> dict:
    """Run the clients of `plan` in a process of their own (so the relay's CPU is not ours); their RESULT."""
    (folder / "plan.json").write_text(json.dumps(plan))
    log = folder / "clients.log"
    clients = Process(["python", "-m", "harness.soakload", str(folder / "plan.json"), str(folder / "result.json")],
                      log=log).start()
    limit = plan["duration_s"] + CONNECT_ATTEMPTS * 2 * OPEN_TIMEOUT_S + 4 * FINAL_TIMEOUT_S
    try:
        code = clients.proc.wait(limit)
    finally:
        clients.stop()
    if code != 0:
        raise ProcessError(f"the clients exited with {code}:\n{clients.log()[-3000:]}")
    return json.loads((folder / "result.json").read_text())


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(needed, soft), hard), hard))
