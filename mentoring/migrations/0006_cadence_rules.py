# Cadence rules in general form: one row per school and log kind, N per week, month or term, replacing
# the fixed Cadence fields. Each saved Cadence becomes four rules of the same meaning:
#   talks_per_week k            → 谈心 k per week
#   visits_per_term 1           → 家访 1 per term (one part: the whole term)
#   visits_per_term 3 (期初/期中/期末) → 家访 3 per term, paced over three equal parts: the same windows and
#                                   the same overdue rule as before
#   guardian_contacts_per_month → 监护人沟通 m per month
#   family_contacts_per_month   → 亲情联系 m per month
# Schools without a Cadence row keep the defaults, which are the same as before. The reverse step writes
# back what the old fields can hold (a rule they cannot express falls back to the old default).

import django.db.models.deletion
from django.db import migrations, models


def cadence_to_rules(apps, schema_editor):
    Cadence = apps.get_model("mentoring", "Cadence")
    CadenceRule = apps.get_model("mentoring", "CadenceRule")
    rules = []
    for c in Cadence.objects.all():
        for kind, times, per in (
            ("talk", c.talks_per_week, "week"),
            ("visit", c.visits_per_term, "term"),
            ("guardian", c.guardian_contacts_per_month, "month"),
            ("family", c.family_contacts_per_month, "month"),
        ):
            rules.append(CadenceRule(school_id=c.school_id, kind=kind, times=times, per=per))
    CadenceRule.objects.bulk_create(rules)


def rules_to_cadence(apps, schema_editor):
    Cadence = apps.get_model("mentoring", "Cadence")
    CadenceRule = apps.get_model("mentoring", "CadenceRule")
    fields = {
        "talk": ("talks_per_week", "week", (1, 2, 3, 4, 5)),
        "visit": ("visits_per_term", "term", (1, 3)),
        "guardian": ("guardian_contacts_per_month", "month", range(1, 11)),
        "family": ("family_contacts_per_month", "month", range(1, 11)),
    }
    cadences = {}
    for rule in CadenceRule.objects.all():
        cadence = cadences.setdefault(rule.school_id, Cadence(school_id=rule.school_id))
        field, per, allowed = fields[rule.kind]
        if rule.per == per and rule.times in allowed:
            setattr(cadence, field, rule.times)
    Cadence.objects.bulk_create(cadences.values())


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0005_concern_cases"),
    ]

    operations = [
        migrations.CreateModel(
            name="CadenceRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("talk", "谈心"),
                            ("visit", "家访"),
                            ("family", "亲情联系"),
                            ("guardian", "监护人沟通"),
                        ],
                        max_length=10,
                        verbose_name="工作",
                    ),
                ),
                ("times", models.PositiveSmallIntegerField(verbose_name="次数")),
                (
                    "per",
                    models.CharField(
                        choices=[("week", "周"), ("month", "月"), ("term", "学期")], max_length=10, verbose_name="周期"
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cadence_rules",
                        to="caretrack.school",
                        verbose_name="学校",
                    ),
                ),
            ],
            options={
                "verbose_name": "帮扶工作频次",
                "verbose_name_plural": "帮扶工作频次",
                "ordering": ["school", "kind"],
            },
        ),
        migrations.AddConstraint(
            model_name="cadencerule",
            constraint=models.UniqueConstraint(fields=("school", "kind"), name="one_cadence_rule_per_kind"),
        ),
        migrations.AddConstraint(
            model_name="cadencerule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("times__gte", 1),
                    models.Q(
                        models.Q(("per", "week"), ("times__lte", 7)),
                        models.Q(("per", "month"), ("times__lte", 10)),
                        models.Q(("per", "term"), ("times__lte", 6)),
                        _connector="OR",
                    ),
                ),
                name="cadence_rule_times_in_range",
            ),
        ),
        migrations.RunPython(cadence_to_rules, rules_to_cadence),
        migrations.DeleteModel(name="Cadence"),
    ]
