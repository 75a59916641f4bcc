from django.core.management.base import BaseCommand

from lib import images
from sites.models import Photo


class Command(BaseCommand):
    help = (
        "Make the WebP and JPEG renditions of every photo that lacks them or was made with "
        "other widths (after an import, or after lib.images.WIDTHS changed)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Remake every photo's renditions.")

    def handle(self, *args, **options) -> None:
        made = failed = 0
        for photo in Photo.objects.exclude(image="").iterator():
            record = photo.renditions
            current = record.get("source") == photo.image.name and record.get(
                "widths"
            ) == images.widths_for(record.get("width", 0))
            if current and not options["all"]:
                continue
            try:
                photo.refresh_renditions()
            except OSError as exc:  # the original file is missing from storage
                self.stderr.write(f"photo {photo.pk}: {exc}")
                failed += 1
                continue
            made += 1
        self.stdout.write(f"Photos given renditions: {made}. Files missing: {failed}.")
