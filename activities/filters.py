"""List filters: term, type and class. The term defaults to the current one (set by the view)."""

import django_filters

from activities.models import ActivityKind, AidKind, ExamKind
from activities.selectors import activities_touching_class


class TermFilterSet(django_filters.FilterSet):
    """A term chooser that filters on a date field (records carry a date, not a term)."""

    DATE_FIELD = "date"

    term = django_filters.ModelChoiceFilter(label="学期", queryset=None, method="filter_term", empty_label="全部学期")

    def __init__(self, *args, terms, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["term"].queryset = terms
        if "school_class" in self.filters:
            self.filters["school_class"].queryset = classes
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")

    def filter_term(self, queryset, name, value):
        return queryset.filter(**{f"{self.DATE_FIELD}__range": (value.start_date, value.end_date)})


class ActivityFilter(TermFilterSet):
    kind = django_filters.ChoiceFilter(label="活动类型", choices=ActivityKind.choices, empty_label="全部类型")
    school_class = django_filters.ModelChoiceFilter(
        label="班级", queryset=None, method="filter_class", empty_label="全部班级"
    )

    def filter_class(self, queryset, name, value):
        return activities_touching_class(queryset, value)


class ChildRecordFilter(TermFilterSet):
    school_class = django_filters.ModelChoiceFilter(
        label="班级", field_name="child__school_class", queryset=None, empty_label="全部班级"
    )


class AidFilter(ChildRecordFilter):
    kind = django_filters.ChoiceFilter(label="资助类型", choices=AidKind.choices, empty_label="全部类型")


class CareRoomFilter(TermFilterSet):
    pass


class ExamFilter(TermFilterSet):
    kind = django_filters.ChoiceFilter(label="考试类型", choices=ExamKind.choices, empty_label="全部类型")
