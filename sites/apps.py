from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = _("Content")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from qrplates import static_mode
        from qrplates.models import Plate
        from sites import models
        from streetinfo import pagecache

        # Everything a public page or a scan shows: a change to any of it makes the cached pages
        # stale (the page of a place lists its people, photos, sources, plates and neighbours).
        shown = (
            models.AdminUnit,
            models.Person,
            models.Place,
            models.PersonLink,
            models.FormerName,
            models.RecordAttachment,
            models.OldSlug,
            Plate,
        )

        def changed(sender, instance, **kwargs) -> None:
            if issubclass(sender, shown):
                pagecache.invalidate(instance)

        post_save.connect(changed, dispatch_uid="pagecache-save")
        post_delete.connect(changed, dispatch_uid="pagecache-delete")
        # Static mode's files (STATIC_MODE_DIR) follow the same changes.
        pagecache.on_invalidate(static_mode.refresh_for)
