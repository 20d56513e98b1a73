"""LongSelect writes the same <select> as Django's Select, option for option, only faster: a case picker of the
工作总结 reads the same to the browser and posts the same value."""

import html
import re

import pytest
from django import forms

from caretrack.widgets import LongSelect

CHOICES = [("", "——不选——"), (1, "王小花（三年级1班）"), (2, 'A&B <"学生">'), (30, "李 小'明")]
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>(.*?)</option>')


def _options(markup: str) -> list[tuple[str, bool, str]]:
    return [(value, bool(selected), label) for value, selected, label in OPTION.findall(markup)]


def _attrs(markup: str) -> set[str]:
    return set(re.match(r"<select([^>]*)>", markup).group(1).split())


@pytest.mark.parametrize("value", [None, "", 2, "30"])
def test_long_select_renders_the_options_and_choice_django_s_select_renders(value):
    attrs = {"class": "form-select", "id": "id_c-0-child"}
    plain = forms.Select(attrs=attrs, choices=CHOICES).render("c-0-child", value)
    fast = LongSelect(attrs=attrs, choices=CHOICES).render("c-0-child", value)
    assert _options(fast) == _options(plain)
    assert len(_options(fast)) == len(CHOICES)
    assert _attrs(fast) == _attrs(plain)
    if value not in (None, ""):
        chosen = [html.unescape(label) for _, selected, label in _options(fast) if selected]
        assert chosen == [dict(CHOICES)[int(value)]]


def test_a_label_is_escaped_so_a_name_cannot_break_the_page():
    markup = LongSelect(choices=[(1, "<script>x</script>")]).render("child", None)
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_option_groups_are_refused_rather_than_drawn_wrong():
    with pytest.raises(ValueError):
        LongSelect(choices=[("组", [(1, "甲")])]).render("child", None)
