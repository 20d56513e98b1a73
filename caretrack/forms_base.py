"""The base of every CareTrack form: Django's stock messages and its "---------" empty choice replaced by the
app's own wording, addressing the user as 您. A message a form sets for a field itself is kept."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from caretrack.validation import impossible_date_message
from caretrack.widgets import MultipleFileInput

STOCK_EMPTY_LABEL = "---------"
MAX_LABEL_IN_PLACEHOLDER = 8

DATE_FORMAT_MESSAGE = "日期格式不正确，请按 2026-03-02 的格式填写。"
TIME_FORMAT_MESSAGE = "时间格式不正确，请按 14:30 的格式填写。"
NUMBER_MESSAGE = "请填写数字。"
CHOICE_MESSAGE = "请从列表中选择。"
FILL_IN_MESSAGE = "请填写此项。"
FILE_MISSING_MESSAGE = "文件没有传上来，请重新选择文件。"
FILE_EMPTY_MESSAGE = "文件是空的，请重新选择。"
NOT_AN_IMAGE_MESSAGE = "这个文件不是照片或已损坏，请选择 JPG、PNG 等图片。"
CHOOSE_MESSAGE = "请选择此项。"
LOGIN_MESSAGE = "用户名或密码不正确，请重新输入。"
INACTIVE_MESSAGE = "该账号已停用，请联系学校管理员。"


def empty_choice_label(label: object) -> str:
    """The placeholder of a select: 请选择班级 for a field labelled 班级, plain 请选择 for a long label."""
    text = str(label or "")
    return f"请选择{text}" if text and len(text) <= MAX_LABEL_IN_PLACEHOLDER else "请选择"


def _stock_messages(field: forms.Field) -> dict[str, str]:
    messages: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        messages.update({key: str(text) for key, text in getattr(cls, "default_error_messages", {}).items()})
    return messages


def _own_messages(field: forms.Field) -> dict[str, str]:
    choice = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
    own = {"required": CHOOSE_MESSAGE if choice or isinstance(field, forms.FileField) else FILL_IN_MESSAGE}
    if isinstance(field, forms.DateField | forms.DateTimeField):
        own["invalid"] = DATE_FORMAT_MESSAGE
    elif isinstance(field, forms.TimeField):
        own["invalid"] = TIME_FORMAT_MESSAGE
    elif isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        own["invalid"] = NUMBER_MESSAGE
    if choice:
        own["invalid_choice"] = CHOICE_MESSAGE
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        own["invalid_list"] = own["invalid_pk_value"] = CHOICE_MESSAGE
    if isinstance(field, forms.FileField):
        own["invalid"] = own["missing"] = FILE_MISSING_MESSAGE
        own["empty"] = FILE_EMPTY_MESSAGE
    if isinstance(field, forms.ImageField):
        own["invalid_image"] = NOT_AN_IMAGE_MESSAGE
    return own


def use_plain_chinese(field: forms.Field) -> None:
    """Replace, on this field object only, the stock messages still in place and the dashed empty choice."""
    stock = _stock_messages(field)
    for key, text in _own_messages(field).items():
        if key in field.error_messages and str(field.error_messages[key]) == stock.get(key):
            field.error_messages[key] = text
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == STOCK_EMPTY_LABEL:
            field.empty_label = empty_choice_label(field.label)
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if any(value == "" and label == STOCK_EMPTY_LABEL for value, label in choices):
            placeholder = empty_choice_label(field.label)
            field.choices = [
                (value, placeholder if value == "" and label == STOCK_EMPTY_LABEL else label)
                for value, label in choices
            ]


class PlainChineseMixin:
    """Applied to each field as it is shown or validated, so fields a form adds in its own __init__ are
    covered too. Each form instance has its own copy of its fields: nothing is shared between forms."""

    def __getitem__(self, name):
        if name in self.fields:
            use_plain_chinese(self.fields[name])
        return super().__getitem__(name)

    def full_clean(self):
        for field in self.fields.values():
            use_plain_chinese(field)
        super().full_clean()
        if self.is_bound and self._errors:
            self._name_impossible_dates()

    def _name_impossible_dates(self) -> None:
        """A date typed in the right shape on a day the calendar lacks (2015-02-30, 2015.13.1) is told that
        the day does not exist, not sent back to the format it already uses."""
        for name, field in self.fields.items():
            errors = self._errors.get(name)
            if not errors or not isinstance(field, forms.DateField):
                continue
            if not any(error.code == "invalid" for error in errors.as_data()):
                continue
            message = impossible_date_message(
                field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            )
            if message:
                errors.data = [ValidationError(message, code="invalid_date")]  # the list keeps its field id


class Form(PlainChineseMixin, forms.Form):
    pass


class ModelForm(PlainChineseMixin, forms.ModelForm):
    pass


class MultiplePhotoField(forms.FileField):
    """Several photos from one input; cleaned to a list (empty when none was chosen). Whether each is a photo
    is checked where it is shrunk (caretrack.uploads.shrink_photo), which names the file it refuses."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]
