"""Configuration: discovery, typing and every mistake named with key and file (exit 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klyngerapport import config
from klyngerapport.cli import app
from klyngerapport.errors import ConfigError

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "klyngerapport.toml"
runner = CliRunner()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "klyngerapport.toml"
    path.write_text(text, encoding="utf-8")
    return path


def sample_with(old: str, new: str) -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


def test_sample_config_is_the_seed_setup() -> None:
    """The sample holds the four offices of the seed with their years and the Næstved lead."""
    cfg = config.parse_file(SAMPLE)
    assert [o.id for o in cfg.offices] == [
        "we-build-denmark",
        "bio-solutions",
        "foedevarer",
        "miljoeteknologi",
    ]
    wbd = cfg.office("we-build-denmark")
    assert (
        wbd is not None
        and wbd.lead.name == "Næstved"
        and (wbd.first_year, wbd.last_year) == (2021, 2024)
    )
    assert [o.id for o in cfg.active_offices(2021)] == ["we-build-denmark"]
    assert len(cfg.participating()) == 16
    assert {g.amount for g in cfg.grants} == {80_000_000, 2_500_000, 8_000_000, 20_000_000}
    assert sum(1 for i in cfg.indicators if i.derived) >= 3
    assert sum(1 for i in cfg.indicators if not i.derived) >= 5
    assert any(i.unit == "kr." for i in cfg.indicators)
    for year in range(2021, 2025):
        for office in cfg.active_offices(year):
            assert cfg.contract(office.id, year), (office.id, year)


def test_init_template_equals_sample_config() -> None:
    """`init` writes the same commented setup as samples/ so they cannot drift apart."""
    packaged = Path(config.__file__).parent / "data" / "klyngerapport.toml"
    assert packaged.read_text("utf-8") == SAMPLE.read_text("utf-8")


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    cfg = config.parse_file(write(tmp_path, SAMPLE.read_text("utf-8")))
    assert cfg.submissions_dir(2022) == tmp_path.resolve() / "indberetninger" / "2022"
    assert cfg.reports_dir() == tmp_path.resolve() / "rapporter"


def test_year_in_reports_path_is_replaced(tmp_path: Path) -> None:
    cfg = config.parse_file(
        write(tmp_path, sample_with('reports = "rapporter"', 'reports = "rapporter/{year}"'))
    )
    assert cfg.reports_dir(2022) == tmp_path.resolve() / "rapporter" / "2022"


def test_a_tilde_in_config_paths_is_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reports = "~/rapporter"` writes into the home folder, never into a folder named "~"."""
    home = tmp_path / "hjem"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    text = sample_with('reports = "rapporter"', 'reports = "~/rapporter/{year}"')
    text = text.replace('submissions = "indberetninger/{year}"', 'submissions = "~"', 1)
    cfg = config.parse_file(write(tmp_path, text))
    assert cfg.reports_dir(2022) == home / "rapporter" / "2022"
    assert cfg.submissions_dir(2022) == home


def test_a_tilde_in_the_population_source_is_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from klyngerapport.reference import load_population

    home = tmp_path / "hjem"
    (home / "befolkning").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    bundled = Path(config.__file__).parent / "data" / "folk1a-region-sjaelland-2023K1.csv"
    shutil.copy(bundled, home / "befolkning" / "folk1a.csv")
    population = load_population("~/befolkning/folk1a.csv", "2023K1", tmp_path / "andet")
    assert population.by_code == load_population("builtin:folk1a-2023K1", "2023K1").by_code


@pytest.mark.parametrize(
    ("old", "new", "line_of"),
    [
        ('lead = "Roskilde"', 'lead = "Roskildee"', 'lead = "Roskildee"'),
        ("2023 = { VIRK = 80,", "2023 = { VIRK = 80, VIDN = 1,", "2023 = { VIRK = 80, VIDN"),
    ],
)
def test_line_numbers_point_at_the_entry_itself(
    tmp_path: Path, old: str, new: str, line_of: str
) -> None:
    """office[1].lead names the second office's line, not the first 'lead =' in the file."""
    path = write(tmp_path, sample_with(old, new))
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    line = next(
        i for i, t in enumerate(path.read_text("utf-8").splitlines(), 1) if t.startswith(line_of)
    )
    assert f"linje {line}:" in caught.value.message


def test_discovery_walks_up_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    path = write(tmp_path, SAMPLE.read_text("utf-8"))
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert config.discover(None, deep) == path.resolve()


def test_discovery_prefers_explicit_then_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = write(tmp_path, SAMPLE.read_text("utf-8"))
    other = tmp_path / "other.toml"
    other.write_text(SAMPLE.read_text("utf-8"), encoding="utf-8")
    monkeypatch.setenv(config.ENV_VAR, str(env_file))
    assert config.discover(other, tmp_path) == other
    assert config.discover(None, Path("/")) == env_file


def test_reference_rules(tmp_path: Path) -> None:
    cfg = config.parse_file(
        write(tmp_path, sample_with('reference = "2023K1"', 'reference = "previous-year"'))
    )
    assert cfg.quarter_for(2024) == "2023K1"
    cfg = config.parse_file(
        write(tmp_path, sample_with('reference = "2023K1"', 'reference = "same-year"'))
    )
    assert cfg.quarter_for(2023) == "2023K1"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'council = "KKR Sjælland"',
            'council = "KKR Sjælland',
            "linje 8, kolonne 77: TOML-syntaksfejl",
        ),
        (
            "partial = 0.8",
            "partial = 0.8\npartiel = 0.5",
            'thresholds.partiel: ukendt nøgle. Mente du "partial"?',
        ),
        (
            "amount_per_office = 1_000_000",
            'amount_per_office = "en million"',
            "cofinancing.amount_per_office: skal være helt tal",
        ),
        (
            'lead = "Næstved"',
            'lead = "Næstveed"',
            'office[0].lead: "Næstveed" er ikke en kommune i Region Sjælland. Mente du "Næstved"?',
        ),
        (
            'id = "bio-solutions"',
            'id = "we-build-denmark"',
            'office[1].id: klyngekontoret "we-build-denmark" findes allerede',
        ),
        ('id = "foedevarer"', 'id = "Fødevarer"', 'office[2].id: "Fødevarer" er ugyldigt'),
        (
            "[targets.miljoeteknologi]",
            "[targets.miljoeteknologie]",
            'targets.miljoeteknologie: klyngekontoret "miljoeteknologie" er ikke defineret',
        ),
        (
            "2022 = { VIRK = 60, SMV = 45, KOM = 12, PROJ = 4, VIDEN = 6,",
            "2022 = { VIRK = 60, SMV = 45, KOM = 12, PROJ = 4, VIDN = 6,",
            'targets.bio-solutions.2022.VIDN: indikatoren "VIDN" er ikke defineret',
        ),
        (
            "lead_share = 500_000",
            "lead_share = 1_500_000",
            "cofinancing.lead_share: leadkommunens andel (1.500.000 kr.) er større end",
        ),
        (
            'non_participating = ["Greve"]',
            'non_participating = ["Grevee"]',
            "cofinancing.non_participating[0]",
        ),
        ('id = "VIRK"', 'id = "virk"', 'indicator[0].id: "virk" er ugyldigt'),
        ('unit = "kr."', 'unit = "DKK"', 'indicator[8].unit: skal være "antal" eller "kr."'),
        (
            "years = [2022, 2024]                    # source",
            "years = [2024, 2022]                    # source",
            "office[1].years",
        ),
        ('reference = "2023K1"', 'reference = "2023-1"', "population.reference"),
        (
            "2021 = { VIRK = 40,",
            "2020 = { VIRK = 40,",
            "targets.we-build-denmark.2020: we-build-denmark er kun aktivt 2021–2024",
        ),
        (
            'non_participating = ["Greve"]',
            'non_participating = ["Greve", "greve"]',
            "cofinancing.non_participating[1]: Greve står der allerede",
        ),
        ("years = [2021, 2024]\n", "years = [2021, 99999]\n", "office[0].years"),
    ],
)
def test_config_mistakes_exit_2_with_key_and_file(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    """Each mistake is exit 2 with a Danish message that names the key, never a traceback."""
    path = write(tmp_path, sample_with(old, new))
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    assert expected in caught.value.message
    assert "klyngerapport.toml" in caught.value.message
    result = runner.invoke(app, ["--config", str(path), "funding", "2022"])
    assert result.exit_code == 2
    assert expected.split(":")[0] in result.output
    assert "Traceback" not in result.output


def test_unknown_key_message_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, sample_with("partial = 0.8", "partial = 0.8\npartiel = 0.5"))
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    line = next(
        i for i, t in enumerate(path.read_text("utf-8").splitlines(), 1) if t.startswith("partiel")
    )
    assert f"linje {line}" in caught.value.message


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--config", str(tmp_path / "nope.toml"), "funding", "2022"])
    assert result.exit_code == 2
    assert "findes ikke" in result.output
    assert "Traceback" not in result.output


def test_no_config_found_explains_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["funding", "2022"])
    assert result.exit_code == 2
    assert "klyngerapport init" in result.output


def test_an_office_needs_someone_to_share_the_rest(tmp_path: Path) -> None:
    """Only the lead takes part: the other half cannot be split, a config error (not a crash)."""
    others = [m.name for m in config.municipalities().municipalities if m.name != "Næstved"]
    path = write(
        tmp_path,
        f"""
[cofinancing]
non_participating = {others!r}

[[office]]
id = "we-build-denmark"
lead = "Næstved"
years = [2021, 2024]
""".replace("'", '"'),
    )
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    assert "office[0].lead: ingen andre kommuner end leadkommunen Næstved" in caught.value.message
