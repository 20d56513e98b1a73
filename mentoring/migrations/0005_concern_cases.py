# Concerns as cases: risk level, status, responsible person, follow-up actions and referrals.
# (Operations added with the case models.)

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0004_pairing_end_reason"),
    ]

    operations = []
