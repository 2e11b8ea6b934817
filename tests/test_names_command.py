"""`uplift names`: the unmatched hospital names, their candidates, and --accept."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from uplift.cli import app


def _book(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _setup(folder: Path, *, master: bool) -> list[Path]:
    usage = _book(
        folder / "康源医药_202609.xlsx",
        [
            ["月份", "医院名称", "医生", "品名", "数量"],
            ["2026-09", "四川大学华西医院", "王伟", "心脉宁片", 100],
            ["2026-09", "四川大学华西医院(基药)", "王伟", "心脉宁片", 30],
            ["2026-09", "成都市第一人民医院", "李娜", "心脉宁片", 50],
            ["2026-09", "成都市第三人民医院", "张三", "心脉宁片", 20],
        ],
    )
    paths = [usage]
    if master:
        paths.append(
            _book(
                folder / "客户对照.xlsx",
                [
                    ["医院编码", "医院名称", "城市"],
                    ["H001", "四川大学华西医院", "成都"],
                    ["H002", "成都市第一人民医院", "成都"],
                    ["H003", "成都市第三人民医院", "成都"],
                ],
            )
        )
    return paths


def test_candidates_from_the_master_and_accept_sure(tmp_path: Path, workdir: Path) -> None:
    runner = CliRunner()
    loaded = runner.invoke(app, ["load", *map(str, _setup(tmp_path, master=True))])
    assert loaded.exit_code == 0, loaded.output
    listed = runner.invoke(app, ["names", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    first = rows[0]
    assert (first["number"], first["name"], first["candidate"], first["rank"]) == (
        1,
        "四川大学华西医院(基药)",
        "四川大学华西医院",
        1,
    )
    assert first["boxes"] == 30.0
    assert first["sure"] is True
    assert all(r["name"] == "四川大学华西医院(基药)" for r in rows)  # the only unknown name
    assert not any(r["sure"] for r in rows[1:])
    accepted = runner.invoke(app, ["names", "--accept-sure"])
    assert accepted.exit_code == 0, accepted.output
    written = tomllib.loads((workdir / "uplift.toml").read_text(encoding="utf-8"))
    assert written["hospital_aliases"] == {"四川大学华西医院(基药)": "四川大学华西医院"}
    # the alias applies to what is loaded, without loading again
    tiers = runner.invoke(app, ["tier", "--format", "json"])
    got = {r["hospital"]: r["boxes"] for r in json.loads(tiers.output)}
    assert got == {
        "四川大学华西医院": 130.0,
        "成都市第一人民医院": 50.0,
        "成都市第三人民医院": 20.0,
    }
    again = runner.invoke(app, ["names", "--format", "json"])
    assert json.loads(again.output) == []


def test_without_a_master_numbered_hospitals_are_never_duplicates(
    tmp_path: Path, workdir: Path
) -> None:
    runner = CliRunner()
    runner.invoke(app, ["load", *map(str, _setup(tmp_path, master=False))])
    rows = json.loads(runner.invoke(app, ["names", "--format", "json"]).output)
    pairs = {(r["name"], r["candidate"]) for r in rows}
    assert ("四川大学华西医院(基药)", "四川大学华西医院") in pairs  # fewer boxes: the variant
    assert not any(("第一" in a and "第三" in b) or ("第三" in a and "第一" in b) for a, b in pairs)


def test_accept_an_unknown_number_is_refused(tmp_path: Path, workdir: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["load", *map(str, _setup(tmp_path, master=True))])
    out = runner.invoke(app, ["names", "--accept", "99"])
    assert out.exit_code != 0
    assert "no suggestion numbered 99" in str(out.exception)
    assert not (workdir / "uplift.toml").exists()


def test_toml_comments_survive_an_accept(tmp_path: Path, workdir: Path) -> None:
    (workdir / "uplift.toml").write_text(
        '# our products\nours = ["心脉宁片"]\n\n[hospital_aliases]\n"华西" = "四川大学华西医院"\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    runner.invoke(app, ["load", *map(str, _setup(tmp_path, master=True))])
    assert runner.invoke(app, ["names", "--accept", "1"]).exit_code == 0
    text = (workdir / "uplift.toml").read_text(encoding="utf-8")
    assert text.startswith('# our products\nours = ["心脉宁片"]')
    assert tomllib.loads(text)["hospital_aliases"] == {
        "华西": "四川大学华西医院",
        "四川大学华西医院(基药)": "四川大学华西医院",
    }
