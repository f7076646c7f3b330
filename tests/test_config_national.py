"""[national_targets.<office>]: the cluster's own contract with UFS (PRODUCT.md §3, §10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from klyngerapport import config
from klyngerapport.errors import ConfigError

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "klyngerapport.toml"
NATIONAL = """
[national_targets.we-build-denmark]
2022 = { VIRK = 900, SMV = 700, PROJ = 40 }
"""


def write(tmp_path: Path, extra: str) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    # Drop the sample's own national targets so each test states exactly what it checks.
    cut = text.find("[national_targets.")
    if cut >= 0:
        text = text[:cut]
    path = tmp_path / "klyngerapport.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_national_targets_are_read_in_catalogue_order(tmp_path: Path) -> None:
    cfg = config.parse_file(write(tmp_path, NATIONAL))
    assert [(i.id, t) for i, t in cfg.national_contract("we-build-denmark", 2022)] == [
        ("VIRK", 900.0),
        ("SMV", 700.0),
        ("PROJ", 40.0),
    ]
    assert cfg.national_contract("we-build-denmark", 2023) == []
    assert cfg.national_contract("bio-solutions", 2022) == []
    # The regional contract is untouched.
    assert {i.id: t for i, t in cfg.contract("we-build-denmark", 2022)}["VIRK"] == 100.0


def test_without_national_targets_there_are_none(tmp_path: Path) -> None:
    cfg = config.parse_file(write(tmp_path, ""))
    assert cfg.national_targets == {}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "[national_targets.we-build-denmrk]\n2022 = { VIRK = 900 }\n",
            'national_targets.we-build-denmrk: klyngekontoret "we-build-denmrk" er ikke '
            'defineret i [[office]]. Mente du "we-build-denmark"?',
        ),
        (
            "[national_targets.we-build-denmark]\n2022 = { VIRKK = 900 }\n",
            'national_targets.we-build-denmark.2022.VIRKK: indikatoren "VIRKK" er ikke defineret',
        ),
        (
            "[national_targets.bio-solutions]\n2021 = { VIRK = 900 }\n",
            "national_targets.bio-solutions.2021: bio-solutions er kun aktivt 2022–2024",
        ),
        (
            "[national_targets.we-build-denmark]\n2022 = { VIRK = -1 }\n",
            "national_targets.we-build-denmark.2022.VIRK: målet må ikke være negativt",
        ),
        (
            "[national_targets.we-build-denmark]\n2022 = { VIRK = nan }\n",
            "national_targets.we-build-denmark.2022.VIRK: målet skal være et endeligt tal",
        ),
        (
            "[national_targets.we-build-denmark]\n2022 = { VIRK = inf }\n",
            "national_targets.we-build-denmark.2022.VIRK: målet skal være et endeligt tal",
        ),
        (
            '[national_targets.we-build-denmark]\n2022 = { VIRK = "900" }\n',
            "national_targets.we-build-denmark.2022.VIRK: målet skal være et tal",
        ),
    ],
)
def test_national_target_mistakes_name_the_key_and_line(
    tmp_path: Path, extra: str, expected: str
) -> None:
    path = write(tmp_path, extra)
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    assert expected in caught.value.message


def test_a_national_target_mistake_names_its_own_line(tmp_path: Path) -> None:
    """The line is the national entry's, not the regional [targets] entry of the same key."""
    path = write(tmp_path, "[national_targets.we-build-denmark]\n2022 = { VIRK = -1 }\n")
    with pytest.raises(ConfigError) as caught:
        config.parse_file(path)
    line = path.read_text("utf-8").splitlines().index("2022 = { VIRK = -1 }") + 1
    assert f"linje {line}:" in caught.value.message
