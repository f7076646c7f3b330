"""Files the tool creates for the user: a working folder (`init`) and templates (`template`)."""

from __future__ import annotations

import errno
from importlib import resources
from pathlib import Path

from klyngerapport.atomic import atomic_write
from klyngerapport.config import CONFIG_NAME, Config, read_toml
from klyngerapport.errors import ConfigError, OutputError, suggestion
from klyngerapport.paths import display_path
from klyngerapport.population import FOLDER as POPULATION_FOLDER


def create_workspace(folder: Path, force: bool = False) -> tuple[Path, list[Path]]:
    """A commented klyngerapport.toml with the seed's setup, and the folders its [paths] name."""
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise OutputError(
            f"{target} findes allerede og overskrives ikke.",
            "Vælg en anden mappe, eller brug --force for at overskrive den.",
        )
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} findes og er ikke en mappe.")
    text = resources.files("klyngerapport").joinpath(f"data/{CONFIG_NAME}").read_bytes()
    try:
        with atomic_write(target) as handle:
            handle.write(text)
    except OSError as exc:
        reason, hint = write_problem(exc)
        raise OutputError(f"Kan ikke skrive {target}: {reason}.", hint) from None
    # The file holds placeholders until the user fills them in, so only [paths] is read here.
    _, data = read_toml(target)
    paths = data.get("paths", {})
    made: list[Path] = []
    for key, default in _FOLDERS:
        template = paths.get(key, default) if isinstance(paths, dict) else default
        # Create the fixed part of the path: "indberetninger/{year}" -> "indberetninger".
        fixed = str(template).split("{year}")[0].rstrip("/\\") or "."
        path = Path(fixed) if Path(fixed).is_absolute() else folder / fixed
        if not path.exists():
            path.mkdir(parents=True)
            made.append(path)
    return target, made


_FOLDERS = (
    ("submissions", "indberetninger/{year}"),
    ("reports", "rapporter"),
    ("templates", "skabeloner/{year}"),
    ("feedback", "tilbagemelding/{year}"),
    ("population", POPULATION_FOLDER),
)


def write_templates(
    config: Config, year: int, office_id: str | None, force: bool = False
) -> list[Path]:
    """One prefilled submission workbook per office active in `year` (or just `office_id`)."""
    from klyngerapport.render.template import template_filename, write_template

    offices = config.active_offices(year)
    if office_id is not None:
        office = config.office(office_id)
        if office is None:
            raise ConfigError(
                f'Klyngekontoret "{office_id}" findes ikke i {config.path.name}.'
                f"{suggestion(office_id, [o.id for o in config.offices])}",
                f"Kendte klyngekontorer: {', '.join(o.id for o in config.offices)}.",
            )
        if not office.active(year):
            raise ConfigError(
                f"{office.id} er ikke aktivt i {year} (aktivt "
                f"{office.first_year}–{office.last_year})."
            )
        offices = (office,)
    if not offices:
        raise ConfigError(
            f"Intet klyngekontor er aktivt i {year} ifølge {config.path.name}.",
            "Tjek years = [første, sidste] under [[office]].",
        )
    folder = config.templates_dir(year)
    paths = [folder / template_filename(o.id, year) for o in offices]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        shown = ", ".join(display_path(p) for p in existing)
        raise OutputError(
            f"Skabelonen findes allerede: {shown}.",
            "Brug --force for at overskrive (udfyldte filer går tabt), eller flyt dem først.",
        )
    for office, path in zip(offices, paths, strict=True):
        try:
            write_template(config, office, year, path)
        except OSError as exc:
            reason, hint = write_problem(exc)
            raise OutputError(f"Kan ikke skrive {display_path(path)}: {reason}.", hint) from None
    # The folder the filled-in files go to, so that `generate` finds it (and says who is missing).
    config.submissions_dir(year).mkdir(parents=True, exist_ok=True)
    return paths


def write_problem(exc: OSError) -> tuple[str, str]:
    """Why a file could not be written, in Danish, and what to do about it."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            "ingen adgang til at skrive filen eller mappen",
            "Luk filen, hvis den er åben i Excel, eller vælg en mappe, du kan skrive i.",
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return (
            "en del af stien er en fil og ikke en mappe",
            "Ret stien i kommandoen eller i konfigurationen.",
        )
    if exc.errno == errno.ENOSPC:
        return "der er ikke plads på disken", "Frigør plads, og prøv igen."
    return (exc.strerror or type(exc).__name__, "Vælg en anden placering, og prøv igen.")
