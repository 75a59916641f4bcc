from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from qrplates.demo import mint_demo_plates
from sites.demo import load_demo
from workflow.demo import load_demo_plan

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-streetinfo"


class Command(BaseCommand):
    help = (
        "Load the demo dataset of real Lạng Sơn streets, relics, scenic spots and people, "
        "mint a plate for each place and add an example plan (idempotent: a second run changes "
        "nothing)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-user",
            action="store_true",
            help="Do not create the demo admin account (it is never created with DEBUG off).",
        )

    def handle(self, *args, **options) -> None:
        report = load_demo()
        self.stdout.write(
            f"Demo data: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )
        for problem in report.skipped:
            self.stderr.write(f"skipped: {problem}")
        plates = mint_demo_plates()
        self.stdout.write(f"Demo plates: {len(plates)} minted.")
        plan = load_demo_plan()
        self.stdout.write(f"Example plan: {plan} ({plan.phases.count()} phases).")
        if settings.DEBUG and not options["no_user"]:
            self.ensure_demo_user()

    def ensure_demo_user(self) -> None:
        users = get_user_model()
        if users.objects.filter(username=DEMO_USER).exists():
            return
        users.objects.create_superuser(DEMO_USER, "", DEMO_PASSWORD)
        self.stdout.write(f"Admin account for the demo: {DEMO_USER} / {DEMO_PASSWORD}")
