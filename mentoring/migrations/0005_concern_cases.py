# Concerns as cases: risk level, status 新报告 → 处理中 → 已转介 → 已结案, a person responsible, follow-up
# actions and referrals. Existing rows: open → 新报告 (处理中 when someone is assigned), closed → 已结案;
# 心理危机 and 疑似受侵害 become 紧急.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

URGENT_CATEGORIES = ("crisis", "abuse", "self_harm")


def open_to_case_statuses(apps, schema_editor):
    Concern = apps.get_model("mentoring", "Concern")
    Concern.objects.filter(status="open", assigned_to__isnull=True).update(status="new")
    Concern.objects.filter(status="open", assigned_to__isnull=False).update(status="in_progress")
    Concern.objects.filter(category__in=URGENT_CATEGORIES).update(risk="urgent")


def case_statuses_to_open(apps, schema_editor):
    Concern = apps.get_model("mentoring", "Concern")
    Concern.objects.exclude(status="closed").update(status="open")


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0004_pairing_end_reason"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="concern",
            name="closed_concern_has_action",
        ),
        migrations.AlterField(
            model_name="concern",
            name="status",
            field=models.CharField(
                choices=[("new", "新报告"), ("in_progress", "处理中"), ("referred", "已转介"), ("closed", "已结案")],
                default="new",
                max_length=20,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="concern",
            name="category",
            field=models.CharField(
                choices=[
                    ("psychological", "心理问题"),
                    ("crisis", "心理危机"),
                    ("self_harm", "自伤"),
                    ("safety", "安全隐患"),
                    ("academic", "学业下滑"),
                    ("abuse", "疑似受侵害"),
                    ("other", "其他"),
                ],
                max_length=20,
                verbose_name="类别",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="risk",
            field=models.CharField(
                choices=[("urgent", "紧急"), ("high", "较高"), ("normal", "一般")],
                default="normal",
                max_length=10,
                verbose_name="风险等级",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assigned_concerns",
                to=settings.AUTH_USER_MODEL,
                verbose_name="负责人",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="reopen_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="重新打开的原因"),
        ),
        migrations.AddField(
            model_name="concern",
            name="reopened_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="重新打开时间"),
        ),
        migrations.AlterField(
            model_name="concern",
            name="action_taken",
            field=models.TextField(blank=True, verbose_name="结案情况"),
        ),
        migrations.AlterField(
            model_name="concern",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="结案时间"),
        ),
        migrations.AlterField(
            model_name="concern",
            name="closed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="结案人",
            ),
        ),
        migrations.RunPython(open_to_case_statuses, case_statuses_to_open),
        migrations.AddConstraint(
            model_name="concern",
            constraint=models.CheckConstraint(
                condition=~models.Q(status="closed")
                | (models.Q(closed_at__isnull=False) & ~models.Q(action_taken="")),
                name="closed_concern_has_action",
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(fields=["assigned_to", "status"], name="concern_assignee_status"),
        ),
        migrations.CreateModel(
            name="CaseAction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("what", models.CharField(max_length=200, verbose_name="跟进事项")),
                ("due_on", models.DateField(verbose_name="完成期限")),
                ("done_on", models.DateField(blank=True, null=True, verbose_name="完成日期")),
                ("note", models.TextField(blank=True, verbose_name="备注")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="添加时间")),
                (
                    "concern",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="actions",
                        to="mentoring.concern",
                        verbose_name="关注事项",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="添加人",
                    ),
                ),
                (
                    "who",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="case_actions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="执行人",
                    ),
                ),
            ],
            options={
                "verbose_name": "跟进事项",
                "verbose_name_plural": "跟进事项",
                "ordering": ["due_on", "pk"],
                "indexes": [models.Index(fields=["who", "done_on", "due_on"], name="caseaction_who_open")],
            },
        ),
        migrations.CreateModel(
            name="Referral",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "agency",
                    models.CharField(
                        choices=[
                            ("child_director", "村/社区儿童主任"),
                            ("child_supervisor", "乡镇儿童督导员/民政"),
                            ("womens_federation", "妇联"),
                            ("police", "派出所"),
                            ("health", "卫生院或心理咨询机构"),
                            ("judicial", "司法机关"),
                            ("other", "其他"),
                        ],
                        max_length=20,
                        verbose_name="转介机构",
                    ),
                ),
                ("referred_on", models.DateField(verbose_name="转介日期")),
                ("contact_person", models.CharField(blank=True, max_length=50, verbose_name="对接人")),
                (
                    "outcome",
                    models.CharField(
                        choices=[("pending", "等待回复"), ("accepted", "已接收"), ("declined", "未接收")],
                        default="pending",
                        max_length=10,
                        verbose_name="转介结果",
                    ),
                ),
                ("outcome_note", models.TextField(blank=True, verbose_name="结果说明")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="录入时间")),
                (
                    "concern",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="referrals",
                        to="mentoring.concern",
                        verbose_name="关注事项",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="转介人",
                    ),
                ),
            ],
            options={
                "verbose_name": "转介",
                "verbose_name_plural": "转介",
                "ordering": ["referred_on", "pk"],
            },
        ),
    ]
