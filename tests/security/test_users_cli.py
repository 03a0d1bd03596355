"""`flask users deactivate | activate | password` (CONTRACT §7): mistakes are one line and change nothing.

What the commands do to an account's cookies, tokens and relay connections is in
tests/realtime/test_revocation.py.
"""
from __future__ import annotations

import pytest

from tests.conftest import Auth


def _one_line_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code != 0 and len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("args", [["users", "deactivate", "nobody"], ["users", "activate", "nobody"],
                                  ["users", "password", "nobody", "--password-stdin"]])
def test_an_unknown_login_is_a_one_line_error(runner, args):
    assert "No staff account: nobody" in _one_line_error(runner.invoke(args=args, input="a-long-enough-one\n"))


def test_a_weak_password_is_a_one_line_error_and_changes_nothing(app, runner, make_user):
    make_user("sato")
    line = _one_line_error(runner.invoke(args=["users", "password", "sato", "--password-stdin"], input="short\n"))
    assert "at least 10 characters" in line
    assert Auth(app.test_client()).login("sato").request.path == "/staff/"


def test_a_password_is_only_taken_from_standard_input(runner, make_user):
    make_user("sato")
    assert "--password-stdin" in _one_line_error(runner.invoke(args=["users", "password", "sato"]))
    assert "Missing argument" in _one_line_error(runner.invoke(args=["users", "deactivate"]))
