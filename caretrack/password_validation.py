"""Password rules with Chinese messages where Django's zh_Hans catalogue has none yet."""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    # Django 5.2 reworded this message and its zh_Hans translation is missing: teachers would read English.
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
