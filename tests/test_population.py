"""The population basis: FOLK1A files, folders and the bundled quarter; `population fetch`."""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from klyngerapport import config, population
from klyngerapport.cli import app
from klyngerapport.errors import PopulationError
from klyngerapport.population import load_population, parse_folk1a
from klyngerapport.reference import BUILTIN_POPULATION, municipalities

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "klyngerapport.toml"
BUILTIN = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "klyngerapport"
    / "data"
    / "folk1a-region-sjaelland-2023K1.csv"
)
FIGURES_2023 = {
    name: int(value)
    for name, _, value in (line.split(";") for line in BUILTIN.read_text("utf-8").splitlines()[1:])
}
runner = CliRunner()


def folk1a(quarter: str, plus: int = 0, names: bool = False, sep: str = ";") -> str:
    """A FOLK1A download for the 17 municipalities: '370 Næstved' (or 'Næstved') per row."""
    rows = [sep.join(("OMRÅDE", "TID", "INDHOLD"))]
    for name, value in FIGURES_2023.items():
        code = municipalities().match(name).code  # type: ignore[union-attr]
        rows.append(sep.join((name if names else f"{code} {name}", quarter, str(value + plus))))
    return "\n".join(rows) + "\n"


def figures(text: str, quarter: str) -> dict[int, int]:
    return {code: f.count for code, f in parse_folk1a(text, "fil.csv")[quarter].items()}


# --- reading ---------------------------------------------------------------------------------


def test_builtin_population_adds_up_to_published_total() -> None:
    found = load_population(BUILTIN_POPULATION, "2023K1")
    assert sum(found.by_code.values()) == 849_857
    assert found.by_code[370] == 84_574
    assert found.basis_text() == "Fordelingsnøgle: folketal 1. januar 2023, FOLK1A 2023K1"


def test_missing_quarter_names_the_fetch_command() -> None:
    with pytest.raises(PopulationError) as caught:
        load_population(BUILTIN_POPULATION, "2021K1")
    assert "2021K1 (1. januar 2021) findes ikke" in caught.value.message
    assert "builtin:folk1a-2023K1: 2023K1" in caught.value.message
    assert caught.value.hint == "Hent kvartalet med: klyngerapport population fetch 2021K1"


def test_download_with_codes_bom_and_other_areas(tmp_path: Path) -> None:
    """A Statistikbanken download: '370 Næstved' names, a BOM, region rows ignored."""
    path = tmp_path / "folk1a.csv"
    path.write_text("\ufeff" + folk1a("2024K1", plus=1) + "Region Sjælland;2024K1;1\n", "utf-8")
    found = load_population("folk1a.csv", "2024K1", tmp_path)
    assert found.by_code[370] == 84_575 and len(found.by_code) == 17
    assert "folk1a.csv" in found.source


def test_several_sources_and_quarters_at_once(tmp_path: Path) -> None:
    """A folder of downloads beside the bundled quarter: each year finds its own quarter."""
    folder = tmp_path / "befolkning"
    folder.mkdir()
    (folder / "folk1a-2024K1.csv").write_text(folk1a("2024K1", plus=10), "utf-8")
    (folder / "folk1a-2022K1.csv").write_text(folk1a("2022K1", plus=-10), "utf-8")
    (folder / "noter.txt").write_text("ikke en csv", "utf-8")
    sources = ["befolkning", BUILTIN_POPULATION]
    assert load_population(sources, "2024K1", tmp_path).by_code[370] == 84_584
    assert load_population(sources, "2023K1", tmp_path).by_code[370] == 84_574
    assert load_population(sources, "2022K1", tmp_path).by_code[370] == 84_564


def test_same_figure_in_two_sources_is_fine_but_a_different_one_names_both(
    tmp_path: Path,
) -> None:
    (tmp_path / "kopi.csv").write_text(folk1a("2023K1"), "utf-8")
    assert load_population(["kopi.csv", BUILTIN_POPULATION], "2023K1", tmp_path).by_code
    (tmp_path / "kopi.csv").write_text(folk1a("2023K1").replace(";84574", ";84000"), "utf-8")
    with pytest.raises(PopulationError) as caught:
        load_population(["kopi.csv", BUILTIN_POPULATION], "2023K1", tmp_path)
    message = caught.value.message
    assert "To forskellige folketal for Næstved i 2023K1" in message
    assert "84.000 (kopi.csv, linje" in message and "84.574 (indbygget" in message


def test_a_municipality_twice_in_one_file_is_refused_naming_both_lines() -> None:
    """Greve 51.507 and 25.631 in one file: never the last row silently."""
    text = folk1a("2023K1", names=True) + "Greve;2023K1;25631\n"
    with pytest.raises(PopulationError) as caught:
        parse_folk1a(text, "fil.csv")
    assert "Greve i 2023K1 i fil.csv: 51.507 (linje 3) og 25.631 (linje 19)" in (
        caught.value.message
    )


def _by_sex(total: bool) -> str:
    rows = ["OMRÅDE;KØN;TID;INDHOLD"]
    for name, value in FIGURES_2023.items():
        if total:
            rows.append(f"{name};I alt;2023K1;{value}")
        rows.append(f"{name};Mænd;2023K1;{value // 2}")
        rows.append(f"{name};Kvinder;2023K1;{value - value // 2}")
    return "\n".join(rows) + "\n"


def test_breakdown_rows_are_never_summed_the_total_row_is_used() -> None:
    assert figures(_by_sex(total=True), "2023K1")[253] == 51_507


def test_breakdown_without_a_total_row_is_refused_naming_the_line() -> None:
    with pytest.raises(PopulationError) as caught:
        parse_folk1a(_by_sex(total=False), "fil.csv")
    assert "fil.csv, linje 2: folketallet for Faxe i 2023K1 er opdelt (KØN = Mænd)" in (
        caught.value.message
    )
    assert "lægges ikke sammen" in caught.value.message


def test_age_and_marital_status_totals_in_english_and_code_form() -> None:
    rows = ["OMRÅDE,KØN,ALDER,CIVILSTAND,TID,INDHOLD"]
    for name, value in FIGURES_2023.items():
        rows.append(f"{name},Total,Age total,Total,2023K1,{value}")
        rows.append(f"{name},Total,0 years,Total,2023K1,7")
    assert figures("\n".join(rows), "2023K1")[370] == 84_574


def test_windows_1252_file_reads_correctly(tmp_path: Path) -> None:
    """A CSV saved by Excel in Windows-1252: æøå names match, one consistent reading."""
    path = tmp_path / "folk1a.csv"
    path.write_bytes(folk1a("2024K1", names=True).encode("cp1252"))
    found = load_population("folk1a.csv", "2024K1", tmp_path)
    assert found.by_code[316] == FIGURES_2023["Holbæk"] and len(found.by_code) == 17


def test_comma_separated_file_reads_correctly() -> None:
    assert figures(folk1a("2024K1", sep=","), "2024K1")[340] == FIGURES_2023["Sorø"]


def test_missing_municipality_is_named() -> None:
    text = "".join(line + "\n" for line in folk1a("2023K1").splitlines() if "Stevns" not in line)
    with pytest.raises(PopulationError) as caught:
        load_population_text(text, "2023K1")
    assert "mangler for Stevns" in caught.value.message
    assert "population fetch 2023K1" in caught.value.hint


def load_population_text(text: str, quarter: str) -> object:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "f.csv").write_text(text, "utf-8")
        return load_population("f.csv", quarter, Path(folder))


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("NAVN,ANTAL\nNæstved,1\n", "OMRÅDE;TID;INDHOLD"),
        ("OMRÅDE;TID;INDHOLD\nNæstved;2023K1;mange\n", "ikke et helt tal"),
        ("OMRÅDE;TID;INDHOLD\nNæstved;2023K1;84574,5\n", "ikke et helt tal"),
        ("OMRÅDE;TID;INDHOLD\nNæstved;2023K1\n", "for få felter"),
        ("OMRÅDE;TID;INDHOLD\nNæstved;2023;84574\n", "ikke et kvartal"),
        ("", "OMRÅDE;TID;INDHOLD"),
    ],
)
def test_malformed_files(text: str, needle: str) -> None:
    with pytest.raises(PopulationError) as caught:
        parse_folk1a(text, "fil.csv")
    assert needle in caught.value.message


def test_source_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(PopulationError) as caught:
        load_population("findes-ikke.csv", "2024K1", tmp_path)
    assert "findes ikke" in caught.value.message


# --- the rule --------------------------------------------------------------------------------


def _config(tmp_path: Path, reference: str, source: str = '"builtin:folk1a-2023K1"') -> Path:
    text = SAMPLE.read_text("utf-8")
    text = text.replace('reference = "2023K1"', f'reference = "{reference}"')
    text = text.replace('source = "builtin:folk1a-2023K1"', f"source = {source}")
    path = tmp_path / "klyngerapport.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("reference", "year", "quarter", "noted"),
    [
        ("previous-year", 2024, "2023K1", False),
        ("same-year", 2023, "2023K1", True),
        ("2023K1", 2024, "2023K1", False),
        ("2023K1", 2022, "2023K1", True),
    ],
)
def test_a_quarter_other_than_the_rule_carries_a_note(
    tmp_path: Path, reference: str, year: int, quarter: str, noted: bool
) -> None:
    cfg = config.parse_file(_config(tmp_path, reference))
    found = population.for_year(cfg, year)
    assert found.quarter == quarter
    if noted:
        assert found.rule_note == (
            f"Folketal fra {quarter} (1. januar 2023). KKR's sædvanlige regel bruger "
            f"folketallet 1. januar året før, dvs. {year - 1}K1."
        )
    else:
        assert found.rule_note == ""


def test_default_rule_is_previous_year(tmp_path: Path) -> None:
    text = SAMPLE.read_text("utf-8").replace('reference = "2023K1"\n', "")
    (tmp_path / "klyngerapport.toml").write_text(text, "utf-8")
    cfg = config.parse_file(tmp_path / "klyngerapport.toml")
    assert cfg.population_reference == "previous-year"
    assert cfg.quarter_for(2027) == "2026K1"


def test_funding_with_all_zero_weights_is_a_danish_error_not_a_crash(tmp_path: Path) -> None:
    """Every co-financer at 0 (only the lead has people): exit 2 with the reason."""
    text = "OMRÅDE;TID;INDHOLD\n" + "".join(
        f"{name};2023K1;{value if name == 'Næstved' else 0}\n"
        for name, value in FIGURES_2023.items()
    )
    (tmp_path / "nul.csv").write_text(text, "utf-8")
    path = _config(tmp_path, "2023K1", '"nul.csv"')
    result = runner.invoke(app, ["--config", str(path), "funding", "2022"])
    assert result.exit_code == 2, result.output
    assert "Fordelingsnøglen kan ikke bruges for We Build Denmark i 2022" in result.output
    assert "Traceback" not in result.output and "Uventet" not in result.output


# --- fetch -----------------------------------------------------------------------------------


class _Statbank(http.server.BaseHTTPRequestHandler):
    """A local stand-in for api.statbank.dk: answers FOLK1A requests as the test tells it."""

    answers: ClassVar[dict[str, tuple[int, bytes]]] = {}
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        quarter = query.get("Tid", [""])[0]
        status, body = self.answers.get(quarter, (404, b"Fejl: ukendt kvartal"))
        if status == 0:  # hang up without an answer
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def statbank(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Statbank]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Statbank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Statbank.answers, _Statbank.seen = {}, []
    monkeypatch.setenv(population.STATBANK_ENV, f"http://127.0.0.1:{server.server_address[1]}/v1")
    try:
        yield _Statbank
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_writes_the_checked_download_next_to_the_config(
    tmp_path: Path, statbank: type[_Statbank]
) -> None:
    """`population fetch 2024K1 2022K1` asks FOLK1A for the 17 codes and each quarter."""
    body = ("\ufeff" + folk1a("2024K1", plus=5)).encode("utf-8")
    statbank.answers = {"2024K1": (200, body), "2022K1": (200, folk1a("2022K1").encode())}
    path = _config(tmp_path, "previous-year", '["befolkning", "builtin:folk1a-2023K1"]')
    result = runner.invoke(app, ["--config", str(path), "population", "fetch", "2024K1", "2022k1"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "befolkning" / "folk1a-2024K1.csv"
    assert written.read_bytes() == body
    assert (tmp_path / "befolkning" / "folk1a-2022K1.csv").is_file()
    request = urllib.parse.urlparse(statbank.seen[0])
    assert request.path == "/v1/data/FOLK1A/CSV"
    query = urllib.parse.parse_qs(request.query)
    assert query["Tid"] == ["2024K1"]
    assert query["OMRÅDE"][0].split(",") == [str(m.code) for m in municipalities().municipalities]
    assert set(query) == {"OMRÅDE", "Tid"}  # KØN, ALDER, CIVILSTAND totalled by the API
    assert "/v1/data/FOLK1A/CSV?OMR%C3%85DE=253," in result.output
    assert not list((tmp_path / "befolkning").glob(".*.tmp"))
    cfg = config.parse_file(path)
    basis = population.for_year(cfg, 2025)
    assert basis.quarter == "2024K1" and basis.by_code[370] == 84_579
    assert basis.rule_note == "" and "folk1a-2024K1.csv" in basis.source


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        ((404, b"Fejl: ukendt kvartal"), "fejl 404"),
        ((200, b"<html>Vedligeholdelse</html>"), "har ikke kolonnerne"),
        ((200, folk1a("2024K1").replace("Stevns", "Skive").encode()), "ingen folketal for Stevns"),
        ((200, (folk1a("2024K1") + folk1a("2023K1")[26:]).encode()), "kvartaler, der ikke"),
        ((200, folk1a("2024K1").replace(";84574", ";84574,5").encode()), "ikke et helt tal"),
        ((0, b""), "Statistikbanken"),
    ],
)
def test_fetch_keeps_nothing_that_fails_the_check(
    tmp_path: Path, statbank: type[_Statbank], answer: tuple[int, bytes], needle: str
) -> None:
    statbank.answers = {"2024K1": answer}
    path = _config(tmp_path, "previous-year")
    result = runner.invoke(app, ["--config", str(path), "population", "fetch", "2024K1"])
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert "Hent filen i en browser" in result.output and "FOLK1A/CSV?" in result.output
    assert not (tmp_path / "befolkning" / "folk1a-2024K1.csv").exists()
    assert "Traceback" not in result.output


def test_fetch_without_a_connection_fails_with_the_url_to_download_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(population.STATBANK_ENV, f"http://127.0.0.1:{port}/v1")
    path = _config(tmp_path, "previous-year")
    result = runner.invoke(app, ["--config", str(path), "population", "fetch", "2024K1"])
    assert result.exit_code == 2
    assert "Statistikbanken afviste forbindelsen" in result.output
    assert f"http://127.0.0.1:{port}/v1/data/FOLK1A/CSV?" in result.output


def test_fetch_gives_up_on_a_server_that_never_answers() -> None:
    """A server that accepts and stays silent: the timeout ends the wait with a message."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        with pytest.raises(PopulationError) as caught:
            population.fetch(["2024K1"], Path("unused"), base_url=url, timeout=0.5)
    assert "svarede ikke inden for" in caught.value.message


def test_fetch_refuses_a_quarter_that_is_not_one(tmp_path: Path) -> None:
    path = _config(tmp_path, "previous-year")
    result = runner.invoke(app, ["--config", str(path), "population", "fetch", "2024"])
    assert result.exit_code == 2
    assert '"2024" er ikke et kvartal' in result.output


def test_fetch_works_while_placeholders_are_left(tmp_path: Path, statbank: type[_Statbank]) -> None:
    """A newcomer fetches the population right after `init`, before filling in the rest."""
    statbank.answers = {"2022K1": (200, folk1a("2022K1").encode())}
    runner.invoke(app, ["init", str(tmp_path)])
    result = runner.invoke(app, ["--config", str(tmp_path), "population", "fetch", "2022K1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "befolkning" / "folk1a-2022K1.csv").is_file()
