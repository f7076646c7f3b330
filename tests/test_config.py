"""Configuration: discovery, typing and every mistake named with key and file (exit 2)."""

from __future__ import annotations

import datetime as dt
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
    assert len(cfg.participating(2022)) == 16
    assert {g.amount for g in cfg.grants} == {80_000_000, 2_500_000, 8_000_000, 20_000_000}
    assert sum(1 for i in cfg.indicators if i.derived) >= 3
    assert sum(1 for i in cfg.indicators if not i.derived) >= 5
    assert any(i.unit == "kr." for i in cfg.indicators)
    for year in range(2021, 2025):
        for office in cfg.active_offices(year):
            assert cfg.contract(office.id, year), (office.id, year)


PACKAGED = Path(config.__file__).parent / "data" / "klyngerapport.toml"


def _leaves(value: object, key: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        return {
            k: v for name, item in value.items() for k, v in _leaves(item, f"{key}.{name}").items()
        }
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return {
            k: v for i, item in enumerate(value) for k, v in _leaves(item, f"{key}[{i}]").items()
        }
    return {key: value}


def test_init_config_holds_the_samples_facts_and_placeholders_for_the_rest() -> None:
    """`init` writes the seed's facts as the samples hold them; every other value is a visible
    placeholder where the sample has an illustrative one, so the two cannot drift apart."""
    import tomllib

    init = _leaves(tomllib.loads(PACKAGED.read_text("utf-8")))
    sample = _leaves(tomllib.loads(SAMPLE.read_text("utf-8")))
    placeholders = {k for k, v in init.items() if config.PLACEHOLDER in str(v)}
    assert placeholders == {
        ".cofinancing.non_participating",
        ".submission.deadline",
        ".submission.recipient",
        ".submission.email",
        ".submission.contact",
        ".office[1].lead",
        ".office[2].lead",
        ".office[3].lead",
        *(f".targets.we-build-denmark.{y}" for y in range(2021, 2025)),
        *(
            f".targets.{o}.{y}"
            for o in ("bio-solutions", "foedevarer", "miljoeteknologi")
            for y in range(2022, 2025)
        ),
    }
    facts = {
        k: v for k, v in init.items() if k not in placeholders and not k.startswith(".population")
    }
    assert facts == {k: sample[k] for k in facts}
    # The sample's targets are tables where init has one placeholder per office and year.
    # (and the sample's national targets are an illustration that init leaves as a comment).
    assert all(k.startswith((".targets.", ".national_targets.")) for k in set(sample) - set(init))
    assert init[".population.reference"] == "previous-year"
    assert init[".population.source"] == ["befolkning", "builtin:folk1a-2023K1"]
    assert init[".office[0].lead"] == "Næstved"


def test_sample_config_is_complete_and_says_what_is_illustrative() -> None:
    """The samples' config has no placeholder; its invented values are marked ILLUSTRATIVE."""
    text = SAMPLE.read_text("utf-8")
    assert config.placeholders(text) == []
    for line in ('lead = "Roskilde"', 'non_participating = ["Greve"]', "[submission]"):
        number = next(i for i, t in enumerate(text.splitlines()) if t.startswith(line))
        nearby = "\n".join(text.splitlines()[number : number + 2])
        assert "ILLUSTRATIVE" in nearby, line


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
    from klyngerapport.population import load_population

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
            "linje 8: ",
        ),
        (
            "partial = 0.8",
            "partial = 0.8\npartiel = 0.5",
            'thresholds.partiel: ukendt nøgle. Mente du "partial"?',
        ),
        (
            "amount_per_office = 1_000_000",
            'amount_per_office = "en million"',
            'cofinancing.amount_per_office: skal være et helt tal, men er en tekst ("en million")',
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


def test_grants_have_a_scope_that_keeps_national_grants_apart(tmp_path: Path) -> None:
    """The two national 80 mio. kr. grants go to all 14 clusters: scope "national", shown as
    context and never summed with Region Sjælland's grant to the work in the region."""
    cfg = config.parse_file(write(tmp_path, SAMPLE.read_text("utf-8")))
    national = {g.source for g in cfg.grants if g.scope == "national"}
    assert national == {
        "Danmarks Erhvervsfremmebestyrelse",
        "Uddannelses- og Forskningsministeriet",
    }
    assert {g.scope for g in cfg.grants} == {"national", "regional"}
    wrong = sample_with('scope = "national"', 'scope = "nationalt"')
    with pytest.raises(ConfigError) as caught:
        config.parse_file(write(tmp_path, wrong))
    assert "grant[0].scope" in str(caught.value) and '"national"' in str(caught.value)


# --- issue #10 / #9: placeholders, syntax hints, edge values ------------------------------------


def test_every_command_but_init_and_population_stops_at_each_placeholder(tmp_path: Path) -> None:
    """A config straight from `init` names every placeholder with key and line, exit 2."""
    result = runner.invoke(app, ["init", str(tmp_path / "ny")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "ny" / "klyngerapport.toml"
    lines = path.read_text("utf-8").splitlines()
    expected = [(n, t) for n, t in enumerate(lines, 1) if '"UDFYLD' in t and not t.startswith("#")]
    for command in (["funding", "2022"], ["template", "2022"], ["validate", "--year", "2022"]):
        result = runner.invoke(app, ["--config", str(path), *command])
        assert result.exit_code == 2, command
        assert f"{len(expected)} pladsholdere" in result.output
        for number, _ in expected:
            assert f"linje {number}:" in result.output
    message = config.placeholders(path.read_text("utf-8"))
    assert (lines.index('lead = "UDFYLD: lead municipality"') + 1, "office[1].lead") in message
    assert any(key == "targets.miljoeteknologi.2024" for _, key in message)
    assert any(key == "submission.contact" for _, key in message)


def test_a_filled_in_init_config_works(tmp_path: Path) -> None:
    """Replacing the placeholders with real values gives a working config."""
    runner.invoke(app, ["init", str(tmp_path)])
    path = tmp_path / "klyngerapport.toml"
    text = path.read_text("utf-8")
    sample = SAMPLE.read_text("utf-8")
    import re

    targets = dict(re.findall(r"^\[targets\.([a-z-]+)\]\n((?:\d{4} = .*\n)+)", sample, re.M))
    for office, block in targets.items():
        text = re.sub(
            rf"(\[targets\.{office}\]\n)(?:\d{{4}} = .*\n)+",
            lambda m, b=block: m.group(1) + b,
            text,
        )
    for lead in ("Roskilde", "Holbæk", "Kalundborg"):
        text = text.replace('"UDFYLD: lead municipality"', f'"{lead}"', 1)
    text = re.sub(r'non_participating = \["UDFYLD[^"]*"\]', 'non_participating = ["Greve"]', text)
    text = re.sub(r'deadline = "UDFYLD[^"]*"', 'deadline = "31-01"', text)
    text = re.sub(r'email = "UDFYLD[^"]*"', 'email = "a@b.dk"', text)
    text = re.sub(r'(recipient|contact) = "UDFYLD[^"]*"', r'\1 = "Sekretariatet"', text)
    path.write_text(text, "utf-8")
    cfg = config.parse_file(path)
    assert cfg.population_reference == "previous-year"
    assert cfg.quarter_for(2024) == "2023K1"
    assert cfg.submission.deadline_for(2022) == dt.date(2023, 1, 31)


@pytest.mark.parametrize(
    ("old", "new", "message", "hint"),
    [
        (
            "amount_per_office = 1_000_000",
            "amount_per_office = 1.000.000",
            "syntaksfejl",
            "skriv 1_000_000",
        ),
        (
            "2022 = { VIRK = 100,",
            "2022 = { GRØN = 3, VIRK = 100,",
            "syntaksfejl – der mangler et '=' efter en nøgle",
            'skriv "GRØN" = ...',
        ),
        (
            'reports = "rapporter"',
            'reports = "C:\\Users\\anna\\rapporter"',
            "syntaksfejl",
            "Windows-sti skal skrives med /",
        ),
        ("partial = 0.8", "partial = 0,8", "syntaksfejl", "0.8, ikke 0,8"),
    ],
)
def test_toml_slips_are_explained_in_danish(
    tmp_path: Path, old: str, new: str, message: str, hint: str
) -> None:
    path = write(tmp_path, sample_with(old, new))
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    assert message in caught.value.message
    line = next(n for n, t in enumerate(path.read_text("utf-8").splitlines(), 1) if new in t)
    assert f"linje {line}: syntaksfejl" in caught.value.message
    assert hint in caught.value.hint
    assert "Expected" not in caught.value.message + caught.value.hint


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "2022 = { VIRK = 100,",
            "2022 = { VIRK = nan,",
            "targets.we-build-denmark.2022.VIRK: målet skal være et endeligt tal",
        ),
        (
            "2022 = { VIRK = 100,",
            "2022 = { VIRK = inf,",
            "targets.we-build-denmark.2022.VIRK: målet skal være et endeligt tal",
        ),
        (
            "2024 = { VIRK = 90, SMV = 65, KOM = 16,",
            "2024 = { VIRK = 90, SMV = 65, KOM = 17,",
            "targets.miljoeteknologi.2024.KOM: målet 17 er større end de 16 kommuner, "
            "der deltager i 2024",
        ),
        (
            'non_participating = ["Greve"]',
            'non_participating = ["Greve", "Holbæk"]',
            "office[2].lead: leadkommunen Holbæk deltager ikke i 2022",
        ),
        (
            'non_participating = ["Greve"]',
            'non_participating = { 2021 = ["Greve"], 2024 = ["Greve", "Roskilde"] }',
            "office[1].lead: leadkommunen Roskilde deltager ikke i 2024",
        ),
        (
            "2023 = { VIRK = 80, SMV = 60, KOM = 14, PROJ = 5, VIDEN = 8, MIDLER = 2_000_000 }\n",
            "",
            "bio-solutions) er aktivt i 2023, men har ingen mål for det år",
        ),
        (
            'source = "builtin:folk1a-2023K1"',
            'source = "builtin:folk1a-2024K1"',
            'population.source: det indbyggede kvartal "builtin:folk1a-2024K1" findes ikke; '
            "indbygget er builtin:folk1a-2023K1",
        ),
        (
            'source = "builtin:folk1a-2023K1"',
            'source = ["befolkning", 7]',
            "population.source[1]: skal være en sti",
        ),
        ('deadline = "31-01"', 'deadline = "31-13"', 'submission.deadline: "31-13" er ikke'),
        ('deadline = "31-01"', 'deadline = "29-02"', 'submission.deadline: "29-02" er ikke'),
        ('email = "klynger@example.dk"', 'email = "klynger"', "submission.email"),
        (
            'non_participating = ["Greve"]',
            'non_participating = { tjuetyve = ["Greve"] }',
            'cofinancing.non_participating.tjuetyve: "tjuetyve" er ikke et årstal',
        ),
        (
            'non_participating = ["Greve"]',
            "non_participating = 5",
            "cofinancing.non_participating: skal være en liste",
        ),
    ],
)
def test_config_edge_values_are_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, sample_with(old, new))
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    assert expected in caught.value.message
    result = runner.invoke(app, ["--config", str(path), "funding", "2022"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "Uventet" not in result.output


def test_wrong_type_reads_as_a_danish_sentence(tmp_path: Path) -> None:
    """Not "skal være liste, ikke helt tal": an article and the value as written."""
    path = write(tmp_path, sample_with("years = [2021, 2024]\n", "years = 2021\n"))
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    assert "office[0].years: skal være en liste, men er et helt tal (2021)" in caught.value.message


def test_non_participating_by_year_is_in_force_until_the_next_key(tmp_path: Path) -> None:
    """A municipality leaving in 2024 changes nothing for 2023."""
    path = write(
        tmp_path,
        sample_with(
            'non_participating = ["Greve"]',
            'non_participating = { 2021 = ["Greve"], 2024 = ["Greve", "Stevns"] }',
        ).replace("KOM = 16,", "KOM = 15,"),
    )
    cfg = config.parse_file(path)
    assert [m.name for m in cfg.non_participating(2021)] == ["Greve"]
    assert [m.name for m in cfg.non_participating(2023)] == ["Greve"]
    assert [m.name for m in cfg.non_participating(2024)] == ["Greve", "Stevns"]
    assert len(cfg.participating(2023)) == 16 and len(cfg.participating(2024)) == 15
    assert [m.name for m in cfg.non_participating(2020)] == []


def test_indicator_description_and_submission_are_read() -> None:
    cfg = config.parse_file(SAMPLE)
    described = cfg.indicator("MIDLER")
    assert described is not None and described.description.startswith("Eksterne projektmidler")
    assert all(i.description for i in cfg.indicators)
    assert cfg.submission.recipient == "KKR Sjælland-sekretariatet"
    assert cfg.submission.email == "klynger@example.dk"
    assert cfg.submission.deadline_for(2022) == dt.date(2023, 1, 31)


def test_config_option_accepts_a_folder_with_the_config(tmp_path: Path) -> None:
    path = write(tmp_path, SAMPLE.read_text("utf-8"))
    assert config.discover(tmp_path) == path
    with pytest.raises(ConfigError) as caught:
        config.discover(tmp_path / "tom" if (tmp_path / "tom").mkdir() is None else tmp_path)
    assert "indeholder ingen klyngerapport.toml" in caught.value.message
    assert "findes ikke" not in caught.value.message
