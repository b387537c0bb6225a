"""Static checks of the addons: manifests, XML, 18.0 view syntax, engine purity."""

import ast
import csv
import re

import pytest
from conftest import ROOT
from lxml import etree

ADDONS = ["support_sla", "support_sla_escalation"]
LICENSES = {"AGPL-3", "LGPL-3", "GPL-3", "GPL-3 or any later version"}


def manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())


def addon_files(addon, suffix):
    return sorted((ROOT / addon).rglob(f"*{suffix}"))


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest(addon):
    data = manifest(addon)
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", data["version"]), data["version"]
    assert data["license"] in LICENSES
    assert data["installable"] is True
    assert "description" not in data  # readme/ fragments instead
    for key in ("name", "summary", "author", "depends", "category"):
        assert data.get(key), key
    for path in data.get("data", []) + data.get("demo", []):
        assert (ROOT / addon / path).is_file(), f"{addon}: {path} is listed but missing"


@pytest.mark.parametrize("addon", ADDONS)
def test_every_data_file_is_loaded(addon):
    data = manifest(addon)
    listed = set(data.get("data", []) + data.get("demo", []))
    for folder in ("data", "demo", "security", "views", "wizards", "report"):
        for path in sorted((ROOT / addon / folder).glob("*")):
            if path.suffix in (".xml", ".csv"):
                relative = str(path.relative_to(ROOT / addon))
                assert relative in listed, f"{addon}: {relative} is not in the manifest"


@pytest.mark.parametrize("addon", ADDONS)
def test_oca_layout(addon):
    folder = ROOT / addon
    assert (folder / "pyproject.toml").read_text().count("whool") >= 1
    assert (folder / "readme" / "DESCRIPTION.md").is_file()
    metapackage = (ROOT / "setup" / "_metapackage" / "pyproject.toml").read_text()
    assert f"odoo-addon-{addon}==18.0.*" in metapackage


@pytest.mark.parametrize("addon", ADDONS)
def test_xml_is_well_formed_and_uses_18_syntax(addon):
    for path in addon_files(addon, ".xml"):
        tree = etree.parse(str(path))  # raises on malformed XML
        assert not tree.xpath("//tree"), f"{path}: <tree> is <list> since 17.0"
        for attribute in ("attrs", "states"):
            found = tree.xpath(f"//*[@{attribute}]")
            assert not found, f"{path}: '{attribute}' was removed in 17.0, use invisible=..."


@pytest.mark.parametrize("addon", ADDONS)
def test_access_csv_is_consistent(addon):
    path = ROOT / addon / "security" / "ir.model.access.csv"
    if not path.exists():
        pytest.skip(f"{addon} defines no model yet")
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        assert row["model_id:id"].startswith("model_"), row


@pytest.mark.parametrize("addon", ADDONS)
def test_engine_never_imports_odoo(addon):
    for path in (ROOT / addon / "engine").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                # Beside itself, an engine may only import support_sla's.
                outside = node.level > 1 and (node.level, node.module) != (3, "support_sla.engine")
                assert not outside, f"{path}: the engine imports outside itself"
            for name in names:
                assert not name.startswith("odoo"), f"{path} imports {name}"


def test_python_compiles():
    for addon in ADDONS:
        for path in addon_files(addon, ".py"):
            compile(path.read_text(), str(path), "exec")


def po_entries(path):
    """``{(msgctxt, msgid): msgstr}`` of a .po/.pot file (enough of the format for Odoo's)."""
    entries = {}
    current = {}
    field = None

    def flush():
        if current.get("msgid"):
            entries[current.get("msgctxt", ""), current["msgid"]] = current.get("msgstr", "")

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            if field == "msgstr":
                flush()
                current, field = {}, None
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid", "msgstr"):
            if keyword in ("msgctxt", "msgid") and field == "msgstr":
                flush()
                current = {}
            field = keyword
            current[field] = ast.literal_eval(rest)
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
    flush()
    return entries


@pytest.mark.parametrize("addon", ADDONS)
@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_term_is_translated(addon, lang):
    folder = ROOT / addon / "i18n"
    template = po_entries(folder / f"{addon}.pot")
    translated = po_entries(folder / f"{lang}.po")
    assert len(template) > 100
    assert set(translated) == set(template), "the .po does not follow the .pot"
    empty = [msgid for key, msgid in ((k, k[1]) for k in template) if not translated[key]]
    assert not empty, f"{lang}: untranslated {empty[:5]}"
    placeholders = re.compile(r"%\(\w+\)s|%s")
    for key, text in translated.items():
        expected = sorted(placeholders.findall(key[1]))
        assert sorted(placeholders.findall(text)) == expected, (lang, key[1])
