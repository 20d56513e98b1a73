from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caretrack.backup import BackupError, backup_database, default_backup_dir


class Command(BaseCommand):
    help = (
        "备份整个数据库到带时间戳的文件（应用运行时也可执行）。SQLite 使用在线备份接口；PostgreSQL 使用 pg_dump -Fc。"
        "备份文件只有其所有者可读（0600）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output-dir", type=Path, default=None, help=f"备份目录（默认 {default_backup_dir()}）"
        )
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")
        parser.add_argument("--no-media", action="store_true", help="不备份上传的文件（活动照片等）")

    def handle(self, *args, output_dir, database, no_media, **options):
        try:
            result = backup_database(out_dir=output_dir, using=database, media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"已备份：{result.path}（{result.size / 1024 / 1024:.1f} MB）"))
        if result.media_path:
            self.stdout.write(f"上传的文件：{result.media_path}")
        # The last line is the bare path, for scripts.
        self.stdout.write(str(result.path))
