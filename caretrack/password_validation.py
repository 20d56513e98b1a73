"""Password rules with the app's Chinese messages: Django's zh_Hans catalogue lacks some and says 你 in others."""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    # Django 5.2 reworded this message and its zh_Hans translation is missing: teachers would read English.
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "密码与您的%(verbose_name)s太相似，请换一个。"

    def get_help_text(self):
        return "密码不能与您的用户名或姓名太相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "这个密码太常见，请换一个。"

    def get_help_text(self):
        return "不能使用常见密码（如 12345678、password）。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全是数字，请加入字母。"

    def get_help_text(self):
        return "密码不能全是数字。"
