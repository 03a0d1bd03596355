"""`python -m realtime --host H --port P`: a relay without Flask (same settings as the web app)."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from realtime.broker import BrokerUnavailable
from realtime.server import main
from webapp import config as app_config
from webapp.profile import ProfileError

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m realtime", description="Run the realtime relay alone.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        main(app_config.load(INSTANCE), args.host, args.port)
    except (BrokerUnavailable, ProfileError) as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"Error: the relay cannot listen on {args.host}:{args.port} ({err.strerror or err})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(cli())
