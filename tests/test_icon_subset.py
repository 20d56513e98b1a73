"""The pages load a subset of Bootstrap Icons (static/icons-subset/, a few KB instead of 134 KB): every icon
a template, an app or a script names must be in it, or a teacher would see an empty box in its place.
When this fails, run `.venv/bin/python scripts/make_icon_subset.py` and commit static/icons-subset/."""

import importlib.util
import re

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont

SCRIPT = settings.BASE_DIR / "scripts" / "make_icon_subset.py"


@pytest.fixture(scope="module")
def icons():
    spec = importlib.util.spec_from_file_location("make_icon_subset", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_icon_the_pages_name_is_a_bootstrap_icon(icons):
    assert icons.icons_in_use() - icons.codepoints().keys() == set()


def test_every_icon_in_use_has_its_rule_and_its_glyph_in_the_subset(icons):
    in_use = icons.icons_in_use()
    full = icons.codepoints()
    rules = {name: int(code, 16) for name, code in icons.RULE.findall(icons.SUBSET_CSS.read_text())}
    glyphs = TTFont(icons.SUBSET_FONT).getBestCmap()
    assert sorted(in_use - rules.keys()) == []
    assert {name: rules[name] for name in in_use} == {name: full[name] for name in in_use}
    assert sorted(name for name in in_use if full[name] not in glyphs) == []


def test_icons_named_in_a_template_with_a_suffix_count_both_ways(icons):
    # base.html: bi-bell{% if unread_notifications %}-fill{% endif %}
    assert {"bi-bell", "bi-bell-fill"} <= icons.icons_in_use()


def test_the_pages_link_the_subset_and_not_the_full_icon_font():
    base = (settings.BASE_DIR / "templates" / "base.html").read_text()
    assert "icons-subset/bootstrap-icons.css" in base
    assert not re.search(r"bootstrap-icons\.min\.css", base)
