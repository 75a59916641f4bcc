"""An example plan over the demo records, so that a fresh install shows the dashboard at work.
It is marked as an example and carries no decision: no source gives one. Its target dates are
placed around the day the demo is loaded."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from sites.models import AdminUnit, Place
from workflow.models import Plan

EXAMPLE_TITLE = "Kế hoạch mẫu: gắn biển có mã QR cho đường phố, di tích và danh lam thắng cảnh"


def load_demo_plan(today: datetime.date | None = None) -> Plan:
    """Creates the example plan once (a second run changes nothing) and returns it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        plan, created = Plan.objects.get_or_create(
            title=EXAMPLE_TITLE,
            is_example=True,
            defaults={
                "notes": (
                    "Ví dụ cho dữ liệu mẫu, không phải kế hoạch đã được ban hành: "
                    "không có số, ngày quyết định."
                )
            },
        )
        if not created:
            return plan
        streets = Place.objects.filter(external_id__startswith="demo:", kind=Place.Kind.STREET)
        first = plan.phases.create(
            name="Giai đoạn 1: đường phố các phường trung tâm",
            kinds=[Place.Kind.STREET],
            starts_on=today - datetime.timedelta(days=60),
            gather_by=today - datetime.timedelta(days=20),
            print_by=today + datetime.timedelta(days=20),
            attach_by=today + datetime.timedelta(days=50),
        )
        first.units.set(AdminUnit.objects.filter(places__in=streets).distinct())
        plan.phases.create(
            name="Giai đoạn 2: di tích và danh lam thắng cảnh",
            kinds=[Place.Kind.RELIC, Place.Kind.SCENIC],
            starts_on=today + datetime.timedelta(days=51),
            gather_by=today + datetime.timedelta(days=110),
            print_by=today + datetime.timedelta(days=140),
            attach_by=today + datetime.timedelta(days=180),
        )
    return plan
