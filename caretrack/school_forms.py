"""Input of the 学校设置 pages: explicit fields, Chinese messages. Nothing here saves; the views hand the
cleaned data to caretrack.services.school, which checks the rules that need the database."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from caretrack.forms_base import Form
from caretrack.models import Grade, GradeSpan, LeadingGroupPosition, School, Semester
from caretrack.selectors import active_staff
from caretrack.widgets import DateInput


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


def _staff_users(school: School, *, teachers_only: bool = False):
    profiles = active_staff(school)
    if teachers_only:
        profiles = profiles.filter(is_teacher=True)
    return User.objects.filter(pk__in=profiles.values("user_id")).order_by("first_name", "pk")


class SchoolSettingsForm(Form):
    grade_span = forms.ChoiceField(label="学段", choices=GradeSpan.choices)
    enrolled_students = forms.IntegerField(
        label="在校学生数",
        min_value=0,
        max_value=100000,
        help_text="用于计算留守比例，即使并非每名学生都已录入系统。",
        error_messages={"required": "请填写在校学生数。", "min_value": "在校学生数不能为负数。"},
    )
    counts_one_parent_away = forms.BooleanField(
        label="将“一方外出”计为留守",
        required=False,
        help_text="国发〔2016〕13号的口径不含此类；按本校口径将父母一方外出的学生也纳入关爱时勾选。",
    )
    max_children_per_mentor = forms.IntegerField(
        label="每名帮扶教师结对上限",
        min_value=1,
        max_value=20,
        error_messages={
            "required": "请填写结对上限。",
            "min_value": "结对上限至少为 1 名。",
            "max_value": "结对上限最多为 20 名。",
        },
    )

    def __init__(self, *args, classes_total: int | None = None, **kwargs):
        """classes_total: the sum of the classes' figures when classes carry their own (the field is then shown
        read-only with that figure)."""
        super().__init__(*args, **kwargs)
        if classes_total is not None:
            field = self.fields["enrolled_students"]
            field.disabled = True
            field.required = False
            self.initial["enrolled_students"] = classes_total
            field.help_text = (
                f"已有班级填写了各自的在校学生数，全校在校学生数按各班合计（{classes_total} 人），请到“班级”中修改。"
            )


class ClassCreateForm(Form):
    grade = forms.TypedChoiceField(
        label="年级",
        coerce=int,
        error_messages={"required": "请选择年级。", "invalid_choice": "本校学段没有该年级，请重新选择。"},
    )
    count = forms.IntegerField(
        label="新建班级数",
        min_value=1,
        max_value=20,
        initial=1,
        error_messages={
            "required": "请填写新建几个班。",
            "min_value": "至少新建 1 个班。",
            "max_value": "一次最多新建 20 个班。",
        },
    )
    first_number = forms.IntegerField(
        label="起始班号",
        required=False,
        min_value=1,
        help_text="留空则接着该年级现有的班号编号。",
        error_messages={"min_value": "班号须从 1 开始。"},
    )
    # The class list as the page showed it: a second identical submit (double tap) is refused.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, school: School, state: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state
        self.fields["grade"].choices = [("", "请选择年级")] + [(g, Grade(g).label) for g in school.grades]
        self.initial["seen"] = state

    def clean(self):
        data = super().clean()
        if data.get("seen") != self.state:
            raise forms.ValidationError("班级列表已有变化（可能是重复提交），没有新建班级。请核对班级列表后重新提交。")
        return data


class HeadTeacherForm(Form):
    teacher = StaffChoiceField(
        label="班主任", queryset=User.objects.none(), required=False, empty_label="（不设班主任）"
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = _staff_users(school, teachers_only=True)
        self.fields["teacher"].error_messages["invalid_choice"] = "请选择本校在职的教师。"


class ClassEnrolmentForm(Form):
    enrolled_students = forms.IntegerField(
        label="在校学生数",
        required=False,
        min_value=0,
        max_value=1000,
        help_text="留空表示该班不单独填写。",
        error_messages={"min_value": "在校学生数不能为负数。", "max_value": "一个班的在校学生数不超过 1000 人。"},
    )


class TermDatesForm(Form):
    start_date = forms.DateField(
        label="开始日期",
        widget=DateInput,
        error_messages={"required": "请填写开始日期。", "invalid": "请填写正确的日期。"},
    )
    end_date = forms.DateField(
        label="结束日期",
        widget=DateInput,
        error_messages={"required": "请填写结束日期。", "invalid": "请填写正确的日期。"},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "结束日期须晚于开始日期。")
        return data


class TermCreateForm(TermDatesForm):
    start_year = forms.IntegerField(
        label="学年起始年份",
        min_value=2000,
        max_value=2100,
        help_text="2026 表示 2026-2027学年。",
        error_messages={
            "required": "请填写学年起始年份。",
            "min_value": "请填写正确的年份。",
            "max_value": "请填写正确的年份。",
        },
    )
    semester = forms.TypedChoiceField(
        label="学期", choices=Semester.choices, coerce=int, error_messages={"required": "请选择学期。"}
    )
    field_order = ["start_year", "semester", "start_date", "end_date"]


class LeadingGroupMemberForm(Form):
    user = StaffChoiceField(label="成员", queryset=User.objects.none(), empty_label="请选择本校教职工")
    position = forms.ChoiceField(
        label="小组职务", choices=LeadingGroupPosition.choices, initial=LeadingGroupPosition.MEMBER
    )
    title = forms.CharField(label="校内职务", max_length=50, required=False, help_text="如：校长、德育主任、教导主任")
    responsibility = forms.CharField(
        label="分工职责", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.IntegerField(label="排序", min_value=0, max_value=999, initial=0, help_text="数字小的排在前面。")

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _staff_users(school)
        self.fields["user"].error_messages.update(required="请选择成员。", invalid_choice="请选择本校在职的教职工。")
        self.fields["order"].error_messages.update(required="请填写排序。", min_value="排序不能为负数。")
