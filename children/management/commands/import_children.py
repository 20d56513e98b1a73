from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from caretrack.models import School
from children import importing as importers


class Command(BaseCommand):
    help = (
        "从 Excel 表格（.xlsx、.xls、.ods、WPS .et 或 .csv）导入学生档案（与网页导入相同的校验和报告）。"
        "先用 --dry-run 查看将新建、更新的学生和有错误的行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="表格文件路径（.xlsx、.xls、.ods、.et、.csv）")
        parser.add_argument("--school", type=int, required=True, help="学校 ID")
        parser.add_argument("--dry-run", action="store_true", help="只校验并打印报告，不写入数据库")
        parser.add_argument("--user", help="以该用户名记录导入人（审计和档案历史）")

    def handle(self, *args, file, school, dry_run, user, **options):
        try:
            school_obj = School.objects.get(pk=school)
        except School.DoesNotExist:
            raise CommandError(f"没有 ID 为 {school} 的学校。") from None
        acting_user = None
        if user:
            acting_user = get_user_model().objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"没有用户名为 {user} 的用户。")
        filename = file.rsplit("/", 1)[-1]
        try:
            with open(file, "rb") as fh:
                importers.check_upload(filename, fh.seek(0, 2))
            if dry_run:
                preview = importers.read_import(school=school_obj, source=file, filename=filename)
            else:
                outcome = importers.commit_import(
                    school=school_obj,
                    source=file,
                    filename=filename,
                    acting_user=acting_user,
                    sha256=importers.file_sha256(file),
                )
                preview = outcome.preview
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        except importers.ImportFileError as e:
            raise CommandError(str(e)) from None
        except importers.ImportRejected as e:
            self._report(e.preview)
            raise CommandError(e.message) from None
        self._report(preview)
        if dry_run:
            self.stdout.write("（试运行：没有写入数据库）")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已导入：新建 {outcome.created} 人，更新 {outcome.updated} 人，{outcome.unchanged} 人无变化。"
                )
            )

    def _report(self, preview):
        self.stdout.write(f"{preview.filename} 工作表“{preview.sheet}”，表头在第{preview.header_row}行")
        self.stdout.write(f"已识别的列：{'、'.join(preview.columns)}")
        if preview.ignored_columns:
            self.stdout.write(f"不导入的列：{'、'.join(preview.ignored_columns)}")
        self.stdout.write(
            f"新建 {preview.to_create}，更新 {preview.to_update}，无变化 {preview.unchanged}，"
            f"有错误 {len(preview.error_rows)}"
        )
        for row in preview.rows:
            if row.action == importers.Action.CREATE:
                self.stdout.write(f"  新建 {row.where} {row.name} {row.class_label}")
            elif row.action == importers.Action.UPDATE:
                self.stdout.write(f"  更新 {row.where} {row.name}：{'、'.join(row.changes)}")
        for error in preview.errors:
            self.stdout.write(f"  错误 {error}")
