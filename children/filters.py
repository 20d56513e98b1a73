import django_filters
from django import forms

from caretrack.models import Grade, School
from children.completeness import complete_q
from children.models import EnrolmentStatus, HardshipType, LeftBehindType

IN_CARE = "in_care"
ALL_LEFT_BEHIND = "left_behind"
ALL_STATUSES = "all"
UNSUPPORTED = "unsupported"
ANY_HARDSHIP = "any"
UNGUARDED = "unguarded"


class ChildFilter(django_filters.FilterSet):
    """The list shows the children in our care (留守, 困境, 事实无人抚养) unless the user asks for everyone, and
    the children at school (在读, 休学) unless the user asks for those who left (毕业, 转出): their archives
    stay readable. 留守 counts the child's age on the list's day (a 16th birthday ends it at once)."""

    q = django_filters.CharFilter(label="姓名/拼音首字母", method="filter_search")
    school_class = django_filters.ModelChoiceFilter(label="班级", queryset=None, empty_label="全部班级")
    grade = django_filters.ChoiceFilter(
        label="年级", field_name="school_class__grade", choices=Grade.choices, empty_label="全部年级"
    )
    left_behind_type = django_filters.ChoiceFilter(
        label="关爱对象",
        choices=[
            (IN_CARE, "全部关爱对象"),
            (ALL_LEFT_BEHIND, "全部留守儿童"),
            *LeftBehindType.choices,
            (UNSUPPORTED, "事实无人抚养"),
            (UNGUARDED, "无人监护（紧急）"),
        ],
        empty_label="全部学生",
        method="filter_type",
    )
    archived = django_filters.ChoiceFilter(
        label="建档状态",
        choices=[("yes", "已建档"), ("no", "未完成")],
        method="filter_archived",
        empty_label="全部建档状态",
    )
    hardship = django_filters.ChoiceFilter(
        label="困境类型",
        choices=[(ANY_HARDSHIP, "全部困境儿童"), *HardshipType.choices],
        method="filter_hardship",
        empty_label="困境类型",
    )
    status = django_filters.ChoiceFilter(
        label="在校状态",
        choices=[
            (EnrolmentStatus.GRADUATED.value, "已毕业"),
            (EnrolmentStatus.TRANSFERRED.value, "已转出"),
            (ALL_STATUSES, "全部（含毕业、转出）"),
        ],
        empty_label="在校学生",
        method="filter_status",
    )

    def __init__(self, *args, classes, on, school: School | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school_class"].queryset = classes
        if school is not None:  # only the grades the school teaches: a primary school offers no 七/八/九年级
            self.filters["grade"].extra["choices"] = [(grade, Grade(grade).label) for grade in school.grades]
        self.on = on
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["q"].widget = forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "如：张三 或 zs", "inputmode": "search"}
        )

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.enrolled()
        return super().filter_queryset(queryset)

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL_STATUSES else queryset.filter(status=value)

    def filter_type(self, queryset, name, value):
        from children.selectors import left_behind_on, unguarded_q

        if value == IN_CARE:
            return queryset.in_care_on(self.on)
        if value == UNSUPPORTED:
            return queryset.unsupported_on(self.on)
        if value == UNGUARDED:
            return queryset.filter(unguarded_q())
        if value == LeftBehindType.NOT_LEFT_BEHIND:
            return queryset.exclude(pk__in=left_behind_on(queryset, self.on).values("pk"))
        return left_behind_on(queryset, self.on, kind=None if value == ALL_LEFT_BEHIND else value)

    def filter_search(self, queryset, name, value):
        from children.selectors import search_children

        return search_children(queryset, value)

    def filter_archived(self, queryset, name, value):
        done = complete_q(on=self.on)
        return queryset.filter(done) if value == "yes" else queryset.exclude(done)

    def filter_hardship(self, queryset, name, value):
        return queryset.in_hardship_on(self.on, kind=None if value == ANY_HARDSHIP else value)
