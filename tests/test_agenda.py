"""The KKR agenda package of `generate` (PRODUCT.md §9): the PDF appendix, the municipality pages
and the Word draft, read back (pypdf, python-docx) and compared with `generate --json`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from klyngerapport import config
from klyngerapport.agenda import document_paths, parse_formats
from klyngerapport.cli import app
from klyngerapport.errors import KlyngeError
from klyngerapport.validation import validate_paths

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
YEAR = 2022
MISSING = "foedevarer"  # its file is removed: the office reads "Mangler"
REPORTS = Path("rapporter")


def _generate(folder: Path, *args: str) -> Any:
    result = CliRunner().invoke(
        app,
        ["--config", str(folder / "klyngerapport.toml"), "generate", str(YEAR), "--json", *args],
        env={"NO_COLOR": "1"},
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any]]:
    """The samples with one office's submission missing, generated once for the module."""
    folder = tmp_path_factory.mktemp("agenda") / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    (folder / "indberetninger" / str(YEAR) / f"{MISSING}-{YEAR}.xlsx").unlink()
    yield folder, _generate(folder)


def _pdf_pages(path: Path) -> list[str]:
    # Non-breaking spaces keep "80 %" and "1.000 kr." together; compare with plain spaces.
    return [(p.extract_text() or "").replace("\xa0", " ") for p in PdfReader(path).pages]


def _docx_text(path: Path) -> str:
    draft = docx.Document(str(path))
    parts = [p.text for p in draft.paragraphs]
    parts += [c.text for t in draft.tables for row in t.rows for c in row.cells]
    return "\n".join(parts).replace("\xa0", " ")


def _danish(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _private_strings(folder: Path) -> set[str]:
    """CVR numbers and company names of the submissions: never in a public document."""
    cfg = config.load(folder / "klyngerapport.toml")
    validation = validate_paths([folder / "indberetninger" / str(YEAR)], cfg, YEAR)
    out: set[str] = set()
    for sub in validation.submissions:
        for company in sub.companies:
            out.add(company.cvr)
            if company.name:
                out.add(company.name)
    return out


def test_generate_writes_the_three_documents_beside_the_xlsx(package: tuple[Path, Any]) -> None:
    """`outputs` names every document, all in the reports folder."""
    folder, document = package
    outputs = document["outputs"]
    assert set(outputs) == {"xlsx", "pdf", "docx", "municipalities_pdf"}
    assert outputs["pdf"].endswith(f"rapporter/orientering-{YEAR}.pdf")
    assert outputs["docx"].endswith(f"rapporter/sagsfremstilling-{YEAR}.docx")
    assert outputs["municipalities_pdf"].endswith(f"rapporter/kommuner-{YEAR}.pdf")
    for path in outputs.values():
        assert Path(path).parent.resolve() == (folder / REPORTS).resolve()
        assert Path(path).is_file()


def test_appendix_is_a4_with_title_year_and_page_numbers(package: tuple[Path, Any]) -> None:
    folder, _ = package
    reader = PdfReader(folder / REPORTS / f"orientering-{YEAR}.pdf")
    assert 3 <= len(reader.pages) <= 8
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        text = page.extract_text()
        assert f"klyngekontorer {YEAR}" in text
        assert f"Side {number} af {len(reader.pages)}" in text


def test_appendix_shows_the_json_figures(package: tuple[Path, Any]) -> None:
    """Every reported office's companies and every indicator's attainment are in the PDF."""
    folder, document = package
    text = "\n".join(_pdf_pages(folder / REPORTS / f"orientering-{YEAR}.pdf"))
    for office in document["offices"]:
        if office["status"] == "missing":
            continue
        assert f" {office['companies']} " in text.replace("\n", " ")
        assert f"{len(office['municipalities_reached'])} af 16" in text
        assert f"{_danish(office['kr_per_company'])} kr." in text
        for indicator in office["indicators"]:
            if indicator["attainment"] is not None:
                assert f"{indicator['attainment']} %" in text


def test_missing_office_reads_mangler_never_zero(package: tuple[Path, Any]) -> None:
    folder, document = package
    missing = next(o for o in document["offices"] if o["id"] == MISSING)
    assert missing["status"] == "missing"
    first = _pdf_pages(folder / REPORTS / f"orientering-{YEAR}.pdf")[0]
    # The office's row of the overview table: up to the next office's name.
    table = first[first.index(f"Klyngekontorerne i {YEAR}") :]
    row = table[table.index("Food & Bio Cluster") : table.index("CLEAN")]
    assert "Mangler" in row
    assert not re.search(r"\b0\b", row)
    assert "Mangler" in _docx_text(folder / REPORTS / f"sagsfremstilling-{YEAR}.docx")


def test_no_cvr_company_name_path_or_hash_in_the_documents(package: tuple[Path, Any]) -> None:
    folder, _ = package
    private = _private_strings(folder)
    assert private
    texts = [
        *_pdf_pages(folder / REPORTS / f"orientering-{YEAR}.pdf"),
        *_pdf_pages(folder / REPORTS / f"kommuner-{YEAR}.pdf"),
        _docx_text(folder / REPORTS / f"sagsfremstilling-{YEAR}.docx"),
    ]
    everything = "\n".join(texts)
    for secret in private:
        assert secret not in everything, secret
    assert not re.search(r"\b[0-9a-f]{64}\b", everything)  # SHA-256
    assert str(folder) not in everything
    assert "indberetninger/" not in everything


def test_municipality_pdf_has_one_page_per_participating_municipality_with_its_payment(
    package: tuple[Path, Any],
) -> None:
    folder, _ = package
    cfg = config.load(folder / "klyngerapport.toml")
    funding = json.loads(
        CliRunner()
        .invoke(
            app, ["--config", str(folder / "klyngerapport.toml"), "funding", str(YEAR), "--json"]
        )
        .stdout
    )
    paid = {m["name"]: m["total"] for m in funding["municipalities"]}
    pages = _pdf_pages(folder / REPORTS / f"kommuner-{YEAR}.pdf")
    participating = {m.name for m in cfg.participating(YEAR)}
    assert len(pages) == len(participating)
    titled = {}
    for page in pages:
        assert page.startswith(f"Klyngekontorerne i kommunerne {YEAR}")
        name = re.search(r"\n(\S+) Kommune og klyngekontorerne", page)
        assert name is not None
        titled[name.group(1)] = page
    assert set(titled) == participating
    for name, page in titled.items():
        assert f"{_danish(paid[name])} kr." in page
        assert "Mangler" in page  # the missing office's reach is unknown, not 0


def test_docx_uses_real_styles_and_the_councils_recommendation(package: tuple[Path, Any]) -> None:
    folder, document = package
    draft = docx.Document(str(folder / REPORTS / f"sagsfremstilling-{YEAR}.docx"))
    styles = [(p.style.name if p.style is not None else "", p.text) for p in draft.paragraphs]
    assert styles[0][0] == "Title"
    headings = [t for s, t in styles if s == "Heading 1"]
    assert headings == ["Resumé", "Indstilling", "Sagsfremstilling", "Bilag"]
    subheadings = [t for s, t in styles if s == "Heading 2"]
    assert subheadings == [
        "Baggrund",
        "Resultater",
        "Geografisk spredning",
        "Økonomi",
        "Det videre forløb",
    ]
    assert (
        "Body",
        "Det indstilles, at KKR Sjælland tager orienteringen til efterretning.",
    )[1] in [t for _, t in styles]
    bilag = [t for s, t in styles if s == "List Number"]
    assert [b.endswith(f"-{YEAR}.pdf)") for b in bilag] == [True, True]
    assert draft.tables and draft.tables[0].style is not None
    text = _docx_text(folder / REPORTS / f"sagsfremstilling-{YEAR}.docx")
    assert "80 mio. kr." in text and "Næstved" in text
    for office in document["offices"]:
        if office["companies"] is not None:
            assert _danish(office["companies"]) in text
    assert "Food & Bio Cluster Denmark" in text and "Mangler" in text


def test_docx_template_gives_its_styles_and_header(tmp_path: Path) -> None:
    """[paths] docx_template: the secretariat's file is the base; its body text is replaced."""
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    letterhead = docx.Document()
    letterhead.sections[0].header.paragraphs[0].text = "Sekretariatets brevhoved"
    letterhead.add_paragraph("Slet mig")
    letterhead.save(str(folder / "brevpapir.docx"))
    toml = folder / "klyngerapport.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'templates = "skabeloner/{year}"',
            'templates = "skabeloner/{year}"\ndocx_template = "brevpapir.docx"',
        ),
        encoding="utf-8",
    )
    _generate(folder, "--format", "docx")
    draft = docx.Document(str(folder / REPORTS / f"sagsfremstilling-{YEAR}.docx"))
    assert draft.sections[0].header.paragraphs[0].text == "Sekretariatets brevhoved"
    assert "Slet mig" not in [p.text for p in draft.paragraphs]
    assert draft.paragraphs[0].style is not None and draft.paragraphs[0].style.name == "Title"


def test_format_picks_a_subset_and_json_says_which(tmp_path: Path) -> None:
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    document = _generate(folder, "--format", "municipalities")
    assert document["outputs"] == {
        "xlsx": None,
        "pdf": None,
        "docx": None,
        "municipalities_pdf": str(folder / REPORTS / f"kommuner-{YEAR}.pdf"),
    }
    assert sorted(p.name for p in (folder / REPORTS).iterdir()) == [f"kommuner-{YEAR}.pdf"]


def test_generate_never_replaces_a_pdf_it_did_not_write(tmp_path: Path) -> None:
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    (folder / REPORTS).mkdir()
    foreign = folder / REPORTS / f"orientering-{YEAR}.pdf"
    foreign.write_bytes(b"%PDF-1.7 somebody else's appendix")
    result = CliRunner().invoke(
        app, ["--config", str(folder / "klyngerapport.toml"), "generate", str(YEAR)]
    )
    assert result.exit_code == 2
    assert "ikke skrevet af klyngerapport" in result.output
    assert foreign.read_bytes() == b"%PDF-1.7 somebody else's appendix"
    # Its own documents of the same year are replaced on the next run.
    foreign.unlink()
    _generate(folder, "--format", "pdf,docx,municipalities")
    again = _generate(folder, "--format", "pdf,docx,municipalities")
    assert again["outputs"]["docx"] is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ("xlsx", "pdf", "docx", "municipalities")),
        ("docx,PDF", ("pdf", "docx")),
        (" xlsx ", ("xlsx",)),
    ],
)
def test_parse_formats(text: str | None, expected: tuple[str, ...]) -> None:
    assert parse_formats(text) == expected


@pytest.mark.parametrize("text", ["pdf,word", "", ","])
def test_parse_formats_refuses_unknown(text: str) -> None:
    with pytest.raises(KlyngeError, match="--format"):
        parse_formats(text)


def test_documents_go_beside_the_report() -> None:
    paths = document_paths(YEAR, Path("ud") / "rapport.xlsx", ("xlsx", "docx"))
    assert paths == {
        "xlsx": Path("ud") / "rapport.xlsx",
        "docx": Path("ud") / f"sagsfremstilling-{YEAR}.docx",
    }


@pytest.mark.parametrize(
    "args", [["--version"], ["--help"], ["validate", "--year", "2022"], ["funding", "2022"]]
)
def test_typst_and_docx_are_not_imported(args: list[str]) -> None:
    """Commands that write no agenda document never load Typst or python-docx."""
    code = (
        "import sys\n"
        "from klyngerapport.cli import main\n"
        f"sys.argv = ['klyngerapport', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in ('typst', 'docx') if m in sys.modules)\n"
        "sys.stderr.write('LOADED=' + ','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SAMPLES,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stderr.rstrip().endswith("LOADED="), done.stderr[-500:]


def test_appendix_shows_the_contract_period_and_keeps_grant_groups_apart(
    tmp_path: Path,
) -> None:
    """From the second year of the period the appendix has a development page with each
    office's companies per year and over the period (the model's history), and the national
    grants stand in their own group, never summed with the regional ones."""
    from pypdf import PdfReader
    from typer.testing import CliRunner

    from klyngerapport.cli import app

    root = Path(__file__).resolve().parents[1] / "samples"
    folder = tmp_path / "samples"
    shutil.copytree(root, folder, ignore=shutil.ignore_patterns("rapporter", "skabeloner"))
    config_file = str(folder / "klyngerapport.toml")
    done = CliRunner().invoke(app, ["--config", config_file, "generate", "2023", "--format", "pdf"])
    assert done.exit_code == 0, done.output
    pdf = folder / "rapporter" / "orientering-2023.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Udvikling i kontraktperioden" in text
    assert "112 (80 nye)" in text and "127 (41 nye)" in text  # We Build Denmark 2022, 2023
    assert "52 (52 nye)" not in text  # an office's first year is not "new" against nothing
    assert "Til sammenligning: nationale bevillinger" in text
    assert "162.500.000" not in text


def test_page_one_holds_each_office_to_every_participating_municipality(
    package: tuple[Path, Any],
) -> None:
    """The key figure counts the offices that reached all 16 themselves (1 of 4 in the
    samples), never "16 af 16" reached by the offices together."""
    folder, _ = package
    first = PdfReader(folder / REPORTS / f"orientering-{YEAR}.pdf").pages[0].extract_text()
    first = " ".join(first.split())
    assert "1 af 4 Kontorer, der når alle 16" in first
    assert "16 af 16 Kommuner nået" not in first
