"""The ``attest`` command line.

The only place where failures become messages and exit codes: 0 when the pass completed
(whatever went to review or quarantine), 2 for a usage or configuration error, 1 for an
internal failure. Heavy modules are imported inside the commands so that ``attest --help``
stays instant.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from attest_pipeline import __version__
from attest_pipeline.errors import AttestError
from attest_pipeline.text.printable import printable

if TYPE_CHECKING:
    from attest_pipeline.config import Config
    from attest_pipeline.pipeline import Pipeline
    from attest_pipeline.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Options:
    """The global options, shared by every command."""

    config_path: str | None
    plugins: tuple[str, ...]
    disabled: tuple[str, ...]

    def config(self, *, defaults: bool = False) -> Config:
        """Load the configuration named by ``--config``, ``$ATTEST_CONFIG`` or ./config.toml.

        With ``defaults``, the built-in defaults stand in for a ./config.toml that does not
        exist; never for a file named by ``--config`` or ``$ATTEST_CONFIG`` (a typo there
        must not go unnoticed).
        """
        from attest_pipeline.config import default_config, load_config, locate

        path = locate(self.config_path)
        if defaults and self.config_path is None and not path.exists():
            return default_config(path)
        return load_config(path)

    def announced_config(self) -> Config:
        """The configuration of a command that can work on defaults, said on stderr."""
        config = self.config(defaults=True)
        say(f"configuration: {config.describe()}", err=True)
        return config

    def registry(self, config: Config) -> Registry:
        """Load the plugins."""
        from attest_pipeline.registry import load_registry

        return load_registry(config.plugins, extra=self.plugins, disabled=self.disabled)

    def pipeline(self, config: Config | None = None) -> Pipeline:
        """The pipeline of ``config`` (default: the configuration file's)."""
        from attest_pipeline.pipeline import Pipeline

        config = self.config() if config is None else config
        return Pipeline(config, self.registry(config))


pass_options = click.make_pass_decorator(Options)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="attest")
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="ATTEST_CONFIG",
    help="Configuration file (default: $ATTEST_CONFIG, else ./config.toml).",
)
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    metavar="PATH_OR_MODULE",
    help="Load one more plugin (a .py file or a module name). Repeatable.",
)
@click.option(
    "--disable-plugin",
    "disabled",
    multiple=True,
    metavar="NAME",
    help="Leave out the plugin of this name, built-ins included. Repeatable.",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log one line per document on stderr; -vv also the PDF libraries' warnings.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: str | None,
    plugins: tuple[str, ...],
    disabled: tuple[str, ...],
    verbose: int,
) -> None:
    """File general practitioners' attestations into their certification dossiers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrintableFormatter("%(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
    if verbose >= 2:
        logging.getLogger("attest_pipeline").setLevel(logging.DEBUG)
    ctx.obj = Options(config_path, plugins, disabled)


@cli.command()
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes (0 = all cores; default from the config).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_options
def run(options: Options, jobs: int | None, as_json: bool) -> None:
    """Process everything in the inbox once, then exit."""
    from attest_pipeline.pipeline import Busy
    from attest_pipeline.run_summary import notes

    pipeline = options.pipeline()
    bar = _ProgressBar()
    try:
        summary = pipeline.run(jobs=jobs, on_document=bar.advance, on_total=bar.start)
    except Busy as busy:
        say(str(busy), err=True)
        return
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
        return
    say(summary.text(seconds=True))
    for reason, count in sorted(summary.reasons.items()):
        say(f"  {reason}: {count}")
    for line in notes(summary, pipeline.config):
        say(line)
    paths = pipeline.config.paths
    say(
        f"dossiers: {paths.dossiers}\nreview: {paths.review}\nquarantine: {paths.quarantine}"
    )


@cli.command()
@click.option("--once", is_flag=True, help="Poll every mailbox once, file, and exit.")
@click.option("--json", "as_json", is_flag=True, help="Print each poll's report as JSON.")
@pass_options
def mail(options: Options, once: bool, as_json: bool) -> None:
    """Collect the PDFs mailed to the [mail] mailboxes into the inbox, and file them."""
    from attest_pipeline.mail.collect import mail_command

    config = options.config()
    mail_command(config, lambda: options.pipeline(config), once=once, as_json=as_json)


@cli.command()
@click.option(
    "--polling/--events",
    default=None,
    help="Scan the inbox every [watch] poll_interval (network shares), or follow change "
    "events (default: [watch] polling, else polling when the inbox is on a share).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes (0 = all cores; default from the config).",
)
@pass_options
def watch(options: Options, polling: bool | None, jobs: int | None) -> None:
    """Keep processing what is dropped into the inbox until Ctrl-C or SIGTERM."""
    from attest_pipeline.watch import watch_command

    watch_command(options.pipeline(), polling=polling, jobs=jobs)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option(
    "--from-file",
    "from_file",
    type=click.File("r", encoding="utf-8", errors="surrogateescape"),
    metavar="LIST",
    help="Also the paths listed in LIST, one a line ('-': standard input).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON array, one object per attestation."
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show every plugin's identify score and reasons, and the roster evidence.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None, help="Worker processes.")
@pass_options
def extract(
    options: Options,
    files: tuple[str, ...],
    from_file: io.TextIOBase | None,
    as_json: bool,
    explain: bool,
    jobs: int | None,
) -> None:
    """Show what `run` would do with FILES (PDF files or folders), changing nothing."""
    from attest_pipeline.errors import UsageError
    from attest_pipeline.jsontext import pretty
    from attest_pipeline.listing import list_files
    from attest_pipeline.reports import format_records

    named = list(files)
    if from_file is not None:
        named += [line for line in from_file.read().splitlines() if line.strip()]
    if not named:
        raise UsageError("give FILES, folders, or --from-file LIST")
    # Before anything is loaded: a FIFO is refused at once.
    listed = list_files(named)
    if listed.skipped:
        counts = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(listed.skipped.items()))
        say(f"left alone in the folders, not regular files (never followed): {counts}", err=True)
    pipeline = options.pipeline(options.announced_config())
    records = pipeline.extract(listed.files, jobs=jobs)
    if as_json:
        out = sys.stdout
        out.write("[")
        for i, record in enumerate(records):
            data = record.to_json()
            if not explain:
                data["fields"].pop("scores", None)
            out.write(("," if i else "") + "\n" + pretty(data))
        out.write("\n]\n")
        return
    collected = list(records)
    say(format_records(collected))
    if explain:
        for record in collected:
            say(f"\n{record.source} [p{','.join(map(str, record.pages))}]")
            for score in record.fields.get("scores", []):
                value = "declined" if score["score"] is None else f"{score['score']:.2f}"
                extra = f" ERROR {score['error']}" if score["error"] else ""
                say(
                    f"  {score['issuer']:<24} {value:<9} {'; '.join(score['reasons'])}{extra}"
                )
            click.echo(_roster_explained(record.fields.get("roster")))
            for problem in record.problems:
                say(f"  {problem.reason.value}: {problem.detail}")


def _roster_explained(roster: dict[str, Any] | None) -> str:
    """The plugin's reading of the participant beside what the roster search found."""
    if not roster:
        return "  roster search: not run (no attestation read)"
    read = ", ".join(f"{k} {v!r}" for k, v in roster["plugin_read"].items()) or "nothing"
    lines = [f"  participant read by the plugin: {read}"]
    for seen in roster["found"]:
        lines.append(
            f"  roster: {seen['last_name']} {seen['first_name']} ({seen['rpps']}) by "
            f"{seen['by']}, page {','.join(map(str, seen['pages']))}: {seen['evidence']!r}"
        )
    if not roster["found"]:
        lines.append("  roster: the text names no physician of the roster")
    decided = roster["decided_by"]
    why = f" ({roster['why']})" if roster["why"] else ""
    lines.append(f"  participant decided by the {decided}{why}")
    return "\n".join(lines)


@cli.command()
@click.argument("rpps")
@click.option("--json", "as_json", is_flag=True, help="Print the dossier as JSON.")
@pass_options
def dossier(options: Options, rpps: str, as_json: bool) -> None:
    """Show the dossier of the physician with this RPPS: cycle, actions, allocation, DPC."""
    from attest_pipeline.cli_office import workspace
    from attest_pipeline.reports import dossier as build
    from attest_pipeline.reports import format_dossier

    data = build(workspace(options), rpps)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        say(format_dossier(data))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--at-risk", "at_risk", is_flag=True, help="Only the physicians at risk.")
@pass_options
def status(options: Options, as_json: bool, at_risk: bool) -> None:
    """One line per physician (blocs, cycle, DPC, risk), then review and quarantine."""
    from attest_pipeline.cli_office import workspace
    from attest_pipeline.reports import format_status
    from attest_pipeline.reports import status as build

    data = build(workspace(options), at_risk=at_risk)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        say(format_status(data, empty="no physician at risk" if at_risk else "no dossier yet"))


class _PrintableFormatter(logging.Formatter):
    """Log lines with control characters escaped (they quote file names and PDF text)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), keep_newlines=True)


def say(text: str, *, err: bool = False) -> None:
    """Print human-readable output: whatever a file or a PDF held, controls are shown escaped.

    JSON output does not come here: ``json.dumps`` already escapes control characters.
    """
    click.echo(printable(text, keep_newlines=True), err=err)


class _ProgressBar:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        if sys.stderr.isatty() and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", file=sys.stderr, leave=False)

    def advance(self, name: str, filed: Any) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _register_commands() -> None:
    """Add the installation's and the secretariat's commands to the group."""
    from attest_pipeline import cli_office, cli_setup

    for command in (*cli_setup.COMMANDS, *cli_office.COMMANDS):
        cli.add_command(command)


_register_commands()


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of the ``attest`` command: run and turn failures into exit codes."""
    from attest_pipeline import regex_cache

    # Before the commands import the modules whose patterns were compiled by earlier runs.
    regex_cache.load()
    try:
        code = cli.main(args=argv, prog_name="attest", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        shown = io.StringIO()
        error.show(file=shown)
        say(shown.getvalue().rstrip("\n"), err=True)  # it may quote a file name
        code = error.exit_code
    except click.Abort:
        say("interrupted", err=True)
        code = 130
    except AttestError as error:
        say(f"attest: {error}", err=True)
        code = error.exit_code
    except KeyboardInterrupt:
        say("interrupted", err=True)
        code = 130
    except Exception as error:  # the last boundary: an internal failure, not a user error
        if os.environ.get("ATTEST_DEBUG"):
            raise
        say(
            f"attest: internal error: {type(error).__name__}: {error} "
            "(set ATTEST_DEBUG=1 for the traceback)",
            err=True,
        )
        code = 1
    regex_cache.save()
    # The last collections at exit would walk every object the command built (the plugins'
    # data, the compiled patterns, the référentiel): 25-40 ms of a one-file `extract`
    # spent on memory the process is about to give back. Frozen, they are left alone.
    gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)
