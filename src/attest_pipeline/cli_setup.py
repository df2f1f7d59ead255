"""The installation's commands: doctor, plugins, referentiel, new-plugin, serve, user.

What sets up and checks an installation, beside the commands that process documents
(:mod:`attest_pipeline.cli`) and the secretariat's (:mod:`attest_pipeline.cli_office`).
Registered on the ``attest`` group by :mod:`attest_pipeline.cli`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from attest_pipeline.cli import Options, pass_options, say
from attest_pipeline.errors import AttestError


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the plugins as JSON.")
@pass_options
def plugins(options: Options, as_json: bool) -> None:
    """List the plugins: loaded, disabled, refused or failed, with where each came from."""
    from dataclasses import asdict

    from attest_pipeline.reports import table

    registry = options.registry(options.announced_config())
    if as_json:
        click.echo(json.dumps([asdict(r) for r in registry.reports], indent=2))
        return
    rows = [
        [
            r.name,
            r.version,
            r.status,
            r.origin,
            r.source,
            str(r.api_version or ""),
            r.problem or r.covers,
        ]
        for r in registry.reports
    ]
    say(
        table(["name", "version", "status", "origin", "source", "api", "covers / problem"], rows)
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the référentiel as JSON.")
@pass_options
def referentiel(options: Options, as_json: bool) -> None:
    """Print the référentiel of actions in use."""
    from attest_pipeline.referentiel import (
        format_referentiel,
        load_referentiel,
        referentiel_to_json,
    )

    ref = load_referentiel(options.announced_config().paths.referentiel)
    if as_json:
        click.echo(json.dumps(referentiel_to_json(ref), ensure_ascii=False, indent=2))
    else:
        say(format_referentiel(ref))


@click.command()
@pass_options
def doctor(options: Options) -> None:
    """Check the installation: configuration, folders, plugins, OCR."""
    from attest_pipeline.ocr import tesseract_status

    problems = 0
    config = None
    try:
        config = options.config(defaults=True)
        if config.builtin:
            say(
                f"WARN configuration: {config.describe()}; `attest run`, `watch`, `status` "
                "and `dossier` need a configuration file (README, \"Configuration\")"
            )
        else:
            say(f"ok   configuration {config.source}")
    except AttestError as error:
        say(f"FAIL configuration: {error}")
        problems += 1
    if config is not None and not config.builtin:
        from attest_pipeline.access import root_problems
        from attest_pipeline.config import outputs
        from attest_pipeline.filesystems import check_state_is_local, output_problems

        try:
            check_state_is_local(config)
            say(f"ok   state folder {config.paths.state} is on a local disk")
        except AttestError as error:
            say(f"FAIL {error}")
            problems += 1
        if config.paths.inbox.is_dir():
            say(f"ok   inbox {config.paths.inbox}")
        else:  # what `run` and `watch` refuse
            say(f"FAIL [paths] inbox ({config.paths.inbox}) is not a folder")
            problems += 1
        unwritable = output_problems(config)
        for problem in unwritable:
            say(f"FAIL {problem}")
        if not unwritable:
            say("ok   dossiers, review, quarantine and state can be created and written")
        problems += len(unwritable)
        exposed = root_problems(outputs(config.paths), config.paths.group)
        for problem in exposed:
            say(f"FAIL permissions: {problem}")
        if not exposed:
            group = config.paths.group
            who = f"their owner and the group {group}" if group else "their owner"
            say(f"ok   permissions: dossiers, review, quarantine and state are for {who} only")
        problems += len(exposed)
    if config is not None:
        try:
            options.pipeline(config)
            roster = config.paths.roster or "no roster"
            say(f"ok   roster, référentiel and mapping rules load ({roster})")
        except AttestError as error:
            say(f"FAIL {error}")
            problems += 1
        registry = options.registry(config)
        bad = [r for r in registry.reports if r.status in ("failed", "refused")]
        say(
            f"{'ok  ' if not bad else 'WARN'} {len(registry.issuers)} issuer(s) loaded"
            + "".join(f"\n     {r.name}: {r.status}: {r.problem}" for r in bad)
        )
    if config is not None and config.mail.accounts:
        from attest_pipeline.mail.collect import doctor_lines

        for ok, line in doctor_lines(config):
            click.echo(f"{'ok  ' if ok else 'FAIL'} {line}")
            problems += 0 if ok else 1
    language = config.ocr.language if config else "fra"
    ocr = tesseract_status(language)
    if ocr.available:
        say(f"ok   OCR: tesseract {ocr.version}, language {language}")
    else:
        problems += 1
        say("FAIL OCR: scanned attestations will go to review (ocr_unavailable)")
        for problem in ocr.problems:
            say(f"     {problem}")
    if problems:
        sys.exit(1)


@click.command(name="new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Where to write the plugin package (default: here).",
)
def new_plugin(name: str, dest: Path) -> None:
    """Write a working issuer plugin package skeleton named NAME."""
    from attest_pipeline.scaffold import write_plugin

    path = write_plugin(name, dest)
    say(f"plugin package written to {path}; run its tests with: pytest {path}")


@click.command()
@click.option("--host", default=None, help="Address to listen on (default from [serve]).")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=None, help="Port (0: any free port)."
)
@pass_options
def serve(options: Options, host: str | None, port: int | None) -> None:
    """Serve the secretariat's web page (in French) over the state."""
    from dataclasses import replace

    from attest_pipeline.web.server import serve as run_server

    config = options.config()
    settings = config.serve
    settings = replace(
        settings,
        host=settings.host if host is None else host,
        port=settings.port if port is None else port,
    )
    forwarded = [*(f"--plugin={p}" for p in options.plugins)]
    forwarded += [f"--disable-plugin={d}" for d in options.disabled]
    run_server(config, settings, options=forwarded, say=lambda m: click.echo(m, err=True))


@click.group()
def user() -> None:
    """Accounts of the web page ([serve] accounts)."""


@user.command(name="add")
@click.argument("name")
@click.password_option(
    "--password",
    prompt="Password",
    confirmation_prompt="Repeat the password",
    envvar="ATTEST_PASSWORD",
    help="The password (prompted for when not given; or $ATTEST_PASSWORD).",
)
@pass_options
def user_add(options: Options, name: str, password: str) -> None:
    """Add the account NAME to the users file (or change its password)."""
    from attest_pipeline.errors import UsageError
    from attest_pipeline.web.accounts import add_user

    config = options.config()
    path = config.serve.accounts
    if path is None:
        raise UsageError(
            f"{config.source}: set [serve] accounts (the users file) before adding users"
        )
    new = add_user(path, name, password)
    click.echo(f"{'added' if new else 'password changed for'} {name} in {path}")


COMMANDS = (plugins, referentiel, doctor, new_plugin, serve, user)
