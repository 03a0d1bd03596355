"""Entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""
import sys

from webapp import create_app
from webapp.profile import ProfileError

try:
    app = create_app()
except ProfileError as err:
    # A bad deployment profile stops every command with one line that names the key, not a traceback.
    print(f"Error: {err}", file=sys.stderr)
    raise SystemExit(2) from None
