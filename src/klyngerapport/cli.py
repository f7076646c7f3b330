"""The command line. Thin: parse options, call one function, pick a renderer, map to an exit code.

Heavy modules (openpyxl, python-calamine, Rich tables) are imported inside the commands, so
`--version` and `--help` stay as fast as importing Typer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from klyngerapport import __version__
from klyngerapport.cli_danish import USAGE_ERROR, DanishCommand, DanishGroup, usage_message
from klyngerapport.errors import KlyngeError

if TYPE_CHECKING:
    from klyngerapport.config import Config
    from klyngerapport.model import Progress

EXIT_OK, EXIT_DATA, EXIT_TOOL = 0, 1, 2

app = typer.Typer(
    name="klyngerapport",
    cls=DanishGroup,
    options_metavar="[TILVALG]",
    subcommand_metavar="KOMMANDO [ARGUMENTER]...",
    help="Årlig opfølgning på de regionale klyngekontorer i KKR Sjælland: skabeloner til "
    "indberetning, validering, rapport til KKR og kommunal medfinansiering.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    """Options of the root command, handed to the subcommands (a plain class: cheap to import)."""

    def __init__(self, config_path: Path | None = None, debug: bool = False) -> None:
        self.config_path = config_path
        self.debug = debug


def _version(value: bool) -> None:
    if value:
        typer.echo(f"klyngerapport {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None,
        "--config",
        metavar="STI",
        help="Konfigurationsfilen. Ellers KLYNGERAPPORT_CONFIG eller klyngerapport.toml i "
        "mappen eller en mappe over den.",
    ),
    debug: bool = typer.Option(False, "--debug", help="Vis hele Python-sporet ved uventede fejl."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Vis versionen og afslut."
    ),
) -> None:
    ctx.obj = State(config, debug)


def _state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def _run(ctx: typer.Context, job: Callable[[], int]) -> NoReturn:
    """Run a command body; one place turns errors into messages and exit codes.

    Rich is imported only when there is something to show: `--json` runs never load it.
    """
    state = _state(ctx)
    try:
        code = job()
    except KlyngeError as exc:
        from klyngerapport.render.terminal import messages

        messages.error(exc.message, exc.hint)
        code = EXIT_TOOL
    except KeyboardInterrupt:
        from klyngerapport.render.terminal import messages

        messages.error("Afbrudt.")
        code = 130
    except Exception as exc:  # an unexpected error: one line, or the trace with --debug
        from klyngerapport.render.terminal import messages

        if state.debug:
            messages.debug_traceback()
        messages.error(
            f"Uventet fejl: {type(exc).__name__}: {exc}",
            ""
            if state.debug
            else "Kør igen som 'klyngerapport --debug KOMMANDO ...' "
            "for at se detaljerne, og send dem til den ansvarlige.",
        )
        code = EXIT_TOOL
    raise typer.Exit(code)


def _progress(label: str, as_json: bool) -> AbstractContextManager[Progress | None]:
    """A progress bar for human output; nothing (and no Rich import) for --json."""
    if as_json:
        return nullcontext(None)
    from klyngerapport.render.terminal import messages

    return messages.progress(label)


def _display(path: Path) -> str:
    from klyngerapport.paths import display_path

    return display_path(path)


def _config(ctx: typer.Context) -> Config:
    from klyngerapport import config

    return config.load(_state(ctx).config_path)


def _print_json(document: Any) -> None:
    from klyngerapport.console import write_json

    write_json(document)


# --- commands -------------------------------------------------------------------------------

YEAR_HELP = "Året, fx 2022."
JSON_HELP = "Skriv ét JSON-dokument på stdout i stedet for tabeller."


@app.command(cls=DanishCommand, options_metavar="[TILVALG]")
def funding(
    ctx: typer.Context,
    year: int = typer.Argument(..., metavar="ÅR", help=YEAR_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Vis den kommunale medfinansiering og bevillingerne for et år: hvem betaler hvad."""

    def job() -> int:
        from klyngerapport.funding import funding_of_year
        from klyngerapport.render.json import funding_json

        cfg = _config(ctx)
        result = funding_of_year(cfg, year)
        if as_json:
            _print_json(funding_json(result))
        else:
            from klyngerapport.render.terminal.funding import funding as show_funding

            show_funding(result, cfg.council)
        return EXIT_OK

    _run(ctx, job)


@app.command(cls=DanishCommand, options_metavar="[TILVALG]")
def init(
    ctx: typer.Context,
    folder: Path = typer.Argument(
        Path("."), metavar="MAPPE", help="Mappen, der skal oprettes (standard: den aktuelle)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Overskriv en eksisterende klyngerapport.toml."
    ),
) -> None:
    """Opret en arbejdsmappe med en kommenteret klyngerapport.toml og mapperne til filerne."""

    def job() -> int:
        from klyngerapport.render.terminal import messages
        from klyngerapport.workspace import create_workspace

        written, folders = create_workspace(folder, force=force)
        messages.info(f"Oprettede {written}")
        for made in folders:
            messages.info(f"Oprettede mappen {made}")
        from klyngerapport.config import placeholders

        left = placeholders(written.read_text("utf-8"))
        messages.info(
            f'Udfyld de {len(left)} pladsholdere "UDFYLD ..." i {written.name} (leadkommuner, '
            "ikke-deltagende kommune, mål, kontakt); indtil da stopper de andre kommandoer. "
            "Hent folketal med 'klyngerapport population fetch KVARTAL', og kør "
            "'klyngerapport template ÅR' for at lave indberetningsskabeloner."
        )
        return EXIT_OK

    _run(ctx, job)


@app.command(cls=DanishCommand, options_metavar="[TILVALG]")
def template(
    ctx: typer.Context,
    year: int = typer.Argument(..., metavar="ÅR", help=YEAR_HELP),
    office: str | None = typer.Option(
        None, "--office", metavar="ID", help="Kun dette klyngekontor (id fra konfigurationen)."
    ),
    force: bool = typer.Option(False, "--force", help="Overskriv eksisterende skabeloner."),
) -> None:
    """Lav en udfyldt indberetningsskabelon (.xlsx) til hvert klyngekontor, der er aktivt i ÅR."""

    def job() -> int:
        from klyngerapport.render.terminal import messages
        from klyngerapport.workspace import write_templates

        cfg = _config(ctx)
        for path in write_templates(cfg, year, office, force=force):
            messages.info(f"Skrev {_display(path)}")
        messages.info(
            f"Læg de udfyldte filer i {_display(cfg.submissions_dir(year))} og kør "
            f"'klyngerapport validate --year {year}'."
        )
        return EXIT_OK

    _run(ctx, job)


def _path_argument(text: str) -> Path:
    # Path("") is the current folder: an empty argument (an unset shell variable, "") must not
    # quietly validate whatever lies there.
    if not text.strip():
        error = typer.BadParameter("empty path")
        error.danish = "en tom sti er hverken en fil eller en mappe."  # type: ignore[attr-defined]
        raise error
    return Path(text)


@app.command(cls=DanishCommand, options_metavar="[TILVALG]")
def validate(
    ctx: typer.Context,
    paths: list[Path] | None = typer.Argument(
        None,
        metavar="[STI]...",
        help="Filer eller mapper. Standard: indberetningsmappen for --year.",
        parser=_path_argument,
    ),
    year: int | None = typer.Option(
        None, "--year", metavar="ÅR", help="Året, filerne skal gælde (kræves uden STI)."
    ),
    feedback: bool = typer.Option(
        False,
        "--feedback",
        help="Skriv til hvert klyngekontor med fejl eller advarsler dets egen projektmappe "
        "med rettelserne markeret og en tekst til e-mailen (i [paths] feedback).",
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Tjek indsendte indberetninger og vis præcist, hvad der er galt, og hvor."""

    def job() -> int:
        from klyngerapport.feedback import write_feedback
        from klyngerapport.model import FeedbackFiles
        from klyngerapport.render.json import validation_json
        from klyngerapport.validation import validate as validate_

        cfg = _config(ctx)
        with _progress("Tjekker", as_json) as update:
            result = validate_(cfg, paths or [], year, progress=update)
        files = write_feedback(result, cfg, year) if feedback else FeedbackFiles()
        if as_json:
            document = validation_json(result)
            if feedback:
                document["feedback"] = [_display(p) for p in files.workbooks]
            _print_json(document)
        else:
            from klyngerapport.render.terminal.findings import validation as show_validation

            show_validation(result, files if feedback else None)
        return EXIT_DATA if result.errors else EXIT_OK

    _run(ctx, job)


@app.command(cls=DanishCommand, options_metavar="[TILVALG]")
def generate(
    ctx: typer.Context,
    year: int = typer.Argument(..., metavar="ÅR", help=YEAR_HELP),
    input_dir: Path | None = typer.Option(
        None,
        "--input",
        metavar="MAPPE",
        help="Mappen med indberetninger (standard: fra konfigurationen).",
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        metavar="FIL",
        help="Rapportens filnavn (standard: <reports>/klyngerapport-ÅR.xlsx). PDF og Word "
        "skrives ved siden af.",
    ),
    formats: str | None = typer.Option(
        None,
        "--format",
        metavar="LISTE",
        help="Hvilke filer: xlsx,pdf,docx,municipalities adskilt af komma (standard: alle).",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        metavar="DATO",
        help="Status pr. en dato i året (åååå-mm-dd eller dd-mm-åååå); aktiviteter efter "
        "datoen er fejl, målene er hele årets.",
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Lav den årlige orientering til KKR: XLSX-rapport, PDF-bilag, Word-udkast til
    sagsfremstillingen, en side pr. kommune og resumé i terminalen."""

    def job() -> int:
        from klyngerapport.agenda import OUTPUT_KEYS, parse_formats
        from klyngerapport.cutoff import parse_as_of
        from klyngerapport.generate import generate as generate_
        from klyngerapport.render.json import followup_json

        chosen = parse_formats(formats)
        cutoff = parse_as_of(as_of, year) if as_of is not None else None
        cfg = _config(ctx)
        with _progress("Læser", as_json) as update:
            done = generate_(
                cfg, year, input_dir, output, progress=update, formats=chosen, as_of=cutoff
            )
        written = {kind: _display(path) for kind, path in done.outputs.items()}
        if as_json:
            # Every output key is present; a format not chosen is null.
            outputs = {key: written.get(kind) for kind, key in OUTPUT_KEYS.items()}
            document = followup_json(done.followup, outputs)
            document["feedback"] = [_display(p) for p in done.feedback]
            _print_json(document)
        else:
            from klyngerapport.render.terminal.followup import followup as show_followup

            show_followup(done.followup, written, [_display(p) for p in done.feedback])
        return EXIT_DATA if done.failed else EXIT_OK

    _run(ctx, job)


@app.command(cls=DanishCommand, options_metavar="[TILVALG]")
def export(
    ctx: typer.Context,
    year: int = typer.Argument(..., metavar="ÅR", help="Det sidste år, fx 2023."),
    first: int | None = typer.Option(
        None,
        "--from",
        metavar="ÅR",
        help="Det første år (standard: kontraktperiodens første år).",
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        metavar="FIL",
        help="CSV-filens navn (standard: <reports>/engagementer-FRA-ÅR.csv).",
    ),
) -> None:
    """Skriv én CSV-række pr. virksomhedsengagement over årene (til effektmålinger)."""

    def job() -> int:
        from klyngerapport import export as export_
        from klyngerapport.render.terminal import messages

        cfg = _config(ctx)
        start = first if first is not None else export_.first_year(cfg, year)
        path = output if output is not None else export_.default_path(cfg, start, year)
        export_.check_output(path, cfg, start, year)
        with _progress("Læser", False) as update:
            result = export_.collect(cfg, start, year, progress=update)
        export_.write(path, result)
        messages.export_done(_display(path), len(result.engagements), result.skipped)
        return EXIT_DATA if result.skipped else EXIT_OK

    _run(ctx, job)


population_app = typer.Typer(
    cls=DanishGroup,
    options_metavar="[TILVALG]",
    subcommand_metavar="KOMMANDO [ARGUMENTER]...",
    help="Folketal til fordelingsnøglen (FOLK1A fra Danmarks Statistik).",
    no_args_is_help=True,
)
app.add_typer(population_app, name="population")


@population_app.command("fetch", cls=DanishCommand, options_metavar="[TILVALG]")
def population_fetch(
    ctx: typer.Context,
    quarters: list[str] = typer.Argument(..., metavar="KVARTAL...", help="Fx 2024K1 2023K1."),
) -> None:
    """Hent FOLK1A-folketal for regionens 17 kommuner fra Statistikbanken til mappen befolkning."""

    def job() -> int:
        from klyngerapport import config, population
        from klyngerapport.render.terminal import messages

        folder = config.discover(_state(ctx).config_path).parent / population.FOLDER
        for done in population.fetch(quarters, folder):
            messages.info(f"Hentede {done.url}")
            messages.info(f"Skrev {_display(done.path)}")
        return EXIT_OK

    _run(ctx, job)


def app_commands() -> list[str]:
    return [
        c.name or c.callback.__name__ for c in app.registered_commands if c.callback is not None
    ] + [g.name for g in app.registered_groups if g.name]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script and `python -m klyngerapport`.

    Click's usage errors come in English; they are caught here and said in Danish (exit 2).
    Output never fails on the console's encoding or a closed pipe (console), and a stop signal
    leaves no temporary file behind (atomic).
    """
    from klyngerapport.atomic import stop_signals_unwind
    from klyngerapport.console import prepared_streams

    _without_numpy()
    with prepared_streams(), stop_signals_unwind():
        _main(argv)


def _without_numpy() -> None:
    """Keep numpy out of the tool's process. openpyxl imports numpy when it is installed, only
    so that numpy numbers may be cell values; this tool never gives it any, and numpy's import
    takes about as long as openpyxl's own (some 0.15 s of every command that writes a workbook).
    A None in sys.modules makes `import numpy` fail as if numpy were not installed, which
    openpyxl handles; it stays for the life of the process (main is the program's entry)."""
    if "numpy" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]


def _main(argv: list[str] | None) -> None:
    try:
        code = app(args=argv, prog_name="klyngerapport", standalone_mode=False)
    except USAGE_ERROR as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            ctx = getattr(exc, "ctx", None)
            sys.stdout.write((ctx.get_help() if ctx is not None else "") + "\n")
            sys.exit(EXIT_OK)
        from klyngerapport.render.terminal import messages

        message, hint = usage_message(exc, app_commands())
        messages.error(message, hint)
        sys.exit(EXIT_TOOL)
    except typer.Abort:
        from klyngerapport.render.terminal import messages

        messages.error("Afbrudt.")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
