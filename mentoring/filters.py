"""List filters of the coordinator's long lists: the 结对帮扶 board (by child, pinyin initials or mentor, class
and grade) and the 新建结对 child picker. The child-name rule is the archive's own (children.selectors.
search_children: a part of the name, or pinyin initials such as "zs" for 张三)."""

import django_filters
from django import forms
from django.db.models import Q

from caretrack.models import Grade, School
from children.models import Child
from children.selectors import search_children


def _school_grades(school: School) -> list[tuple[int, str]]:
    return [(grade, Grade(grade).label) for grade in school.grades]


def _style(filterset: django_filters.FilterSet, placeholder: str) -> None:
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select form-select-sm")
    filterset.form.fields["q"].widget = forms.TextInput(
        attrs={
            "class": "form-control form-control-sm",
            "placeholder": placeholder,
            "inputmode": "search",
            "type": "search",
            "autocomplete": "off",
        }
    )


class PairingFilter(django_filters.FilterSet):
    """结对帮扶: the pairings whose child (name or pinyin initials) or mentor (name) matches, of a class or
    a grade."""

    q = django_filters.CharFilter(label="学生/拼音首字母/帮扶人", method="filter_search")
    school_class = django_filters.ModelChoiceFilter(
        label="班级", field_name="child__school_class", queryset=None, empty_label="全部班级"
    )
    grade = django_filters.ChoiceFilter(
        label="年级", field_name="child__school_class__grade", choices=Grade.choices, empty_label="全部年级"
    )

    def __init__(self, *args, school: School, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.filters["school_class"].queryset = classes
        self.filters["grade"].extra["choices"] = _school_grades(school)
        _style(self, "姓名、拼音首字母（如 zs）或帮扶人")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        children = search_children(Child.objects.filter(school=self.school), value)
        return queryset.filter(
            Q(child__in=children.values("pk"))
            | Q(mentor__first_name__contains=value)
            | Q(mentor__last_name__contains=value)
            | Q(external_mentor__name__contains=value)
        )


class PairableChildFilter(django_filters.FilterSet):
    """新建结对's child picker: name or pinyin initials, class, grade; only children without a (first) mentor
    unless 含已结对 is ticked (to add a second mentor)."""

    q = django_filters.CharFilter(label="学生姓名/拼音首字母", method="filter_search")
    school_class = django_filters.ModelChoiceFilter(label="班级", queryset=None, empty_label="全部班级")
    grade = django_filters.ChoiceFilter(
        label="年级", field_name="school_class__grade", choices=Grade.choices, empty_label="全部年级"
    )
    paired = django_filters.BooleanFilter(
        label="含已结对的学生（安排第二帮扶人）", method="filter_paired", widget=forms.CheckboxInput
    )

    def __init__(self, *args, school: School, classes, unpaired, **kwargs):
        super().__init__(*args, **kwargs)
        self.unpaired = unpaired
        self.filters["school_class"].queryset = classes
        self.filters["grade"].extra["choices"] = _school_grades(school)
        _style(self, "输入姓名或拼音首字母（如 zs）")
        self.form.fields["paired"].widget.attrs["class"] = "form-check-input"

    def filter_queryset(self, queryset):
        # Children waiting for a mentor unless asked otherwise: the filter's default is the 待结对 list.
        if not self.form.cleaned_data.get("paired"):
            queryset = queryset.filter(pk__in=self.unpaired.values("pk"))
        return super().filter_queryset(queryset)

    def filter_search(self, queryset, name, value):
        return search_children(queryset, value)

    def filter_paired(self, queryset, name, value):
        return queryset  # handled in filter_queryset, which also applies it when the box is not sent
