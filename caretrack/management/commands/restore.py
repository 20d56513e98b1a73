from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caretrack.backup import BackupError, restore_database


class Command(BaseCommand):
    help = (
        "从 backup 命令生成的备份文件恢复整个数据库。数据库中已有数据时须加 --yes 确认覆盖。"
        "PostgreSQL 使用 pg_restore --clean。先检查备份确是本系统的数据库、上传文件的备份能完整读取，"
        "任何一项不通过都不改动现有数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="备份文件（.sqlite3 或 .dump）")
        parser.add_argument("--yes", action="store_true", help="确认覆盖数据库中的现有数据")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")
        parser.add_argument(
            "--no-media", action="store_true", help="不恢复上传的文件（默认：备份旁有 .media.tar.gz 时一并恢复）"
        )

    def handle(self, *args, file, yes, database, no_media, **options):
        try:
            safety = restore_database(path=file, using=database, overwrite=yes, media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if safety:
            self.stdout.write(f"恢复前的数据已另存为：{safety}")
        self.stdout.write(self.style.SUCCESS(f"已从 {file} 恢复数据库。"))
