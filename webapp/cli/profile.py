"""`flask --app wsgi profile check FILE`: is a city's profile usable, and what would it change."""
from __future__ import annotations

import click

from webapp import profile as deployment_profile
from webapp.cli.base import OneLineGroup

profile_cli = OneLineGroup("profile", help="The deployment profile (PROFILE): one city's names, rules and lists.")


def _flatten(value, prefix: str = "") -> dict[str, str]:
    """`schedule.weekday = thu`-style lines of a profile, lists by their ids or positions."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}{key}."))
        return out
    if isinstance(value, list):
        out = {}
        for n, item in enumerate(value, start=1):
            label = item.get("id") if isinstance(item, dict) and item.get("id") else str(n)
            out.update(_flatten(item, f"{prefix}{label}."))
        return out
    return {prefix.rstrip("."): str(value)}


def _changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Keys whose value differs; a list entry present on one side only is one line, not one per field."""
    def entries(flat):
        return {k.rsplit(".", 1)[0] for k in flat if k.startswith(("agencies.", "crisis_contacts."))}
    gone, added = entries(old) - entries(new), entries(new) - entries(old)
    out = [f"{e}: removed" for e in sorted(gone)] + [f"{e}: added" for e in sorted(added)]
    whole = gone | added
    for key in sorted(old.keys() | new.keys()):
        if key.rsplit(".", 1)[0] not in whole and old.get(key) != new.get(key):
            out.append(f"{key}: {old.get(key, '(none)')} -> {new.get(key, '(none)')}")
    return out


@profile_cli.command("check")
@click.argument("path", type=click.Path(dir_okay=False))
def profile_check(path):
    """Check FILE; print what it would change against the profile in use now."""
    try:
        candidate = deployment_profile.load(path)
    except deployment_profile.ProfileError as err:
        raise click.ClickException(str(err)) from None
    current_path = deployment_profile.active_path()
    current = deployment_profile.load(current_path)
    new, old = _flatten(candidate.model_dump(mode="json")), _flatten(current.model_dump(mode="json"))
    changes = _changes(old, new)
    click.echo(f"{path}: OK ({candidate.municipality.name}, {candidate.programme.name}; "
               f"{len(candidate.agencies)} agencies, {len(candidate.crisis_contacts)} crisis contacts)")
    if not changes:
        click.echo(f"no change against {current_path}")
        return
    click.echo(f"{len(changes)} changes against {current_path}:")
    for line in changes:
        click.echo(f"  {line}")


@profile_cli.command("apply")
@click.option("--keep-unlisted", is_flag=True,
              help="Do not retire agencies or crisis contacts the profile does not list.")
def profile_apply(keep_unlisted):
    """Bring the agencies promoters pick and the crisis contacts in line with the profile in use (PROFILE)."""
    from flask import current_app

    from webapp.profile.directory import apply_agencies, apply_contacts

    profile = current_app.config["PROFILE"]
    for name, apply in (("agencies", apply_agencies), ("contacts", apply_contacts)):
        done = apply(profile, retire_unlisted=not keep_unlisted)
        for what in ("added", "renamed", "restored", "retired"):
            ids = getattr(done, what)
            click.echo(f"{name} {what}: {', '.join(ids) if ids else '-'}")
