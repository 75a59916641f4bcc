"""The admin as the Department works in it, composed here and only here.

Each app's admin module defines its own pieces and registers nothing: the content's admins
(`sites.admin`) know nothing of plates or of the workflow, the plates' (`qrplates.admin`) nothing
of the workflow. This module, a floor above them all, gives each record's admin its plates inline
and the "mint plate" action, the spreadsheet import and export, and the review pages and
publishing actions, then puts every admin on the admin site."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from qrplates.admin import (
    FieldPositionMixin,
    MintPermissionMixin,
    PersonPlateInline,
    PlacePlateInline,
    PlateAdmin,
    PrintBatchAdmin,
    mint_plates,
)
from qrplates.models import Plate, PrintBatch
from sites import admin as content
from sites.models import (
    AdminUnit,
    Person,
    Place,
    ProblemReport,
    Relic,
    Route,
    ScenicSpot,
    Street,
    Suggestion,
)
from workflow.admin import (
    PlanAdmin,
    ProblemReportAdmin,
    ReviewAdminMixin,
    StreetinfoGroupAdmin,
    StreetinfoUserAdmin,
    SuggestionAdmin,
)
from workflow.imports import SpreadsheetAdminMixin
from workflow.models import Plan


class DepartmentRecordMixin(ReviewAdminMixin, SpreadsheetAdminMixin, MintPermissionMixin):
    """What the Department adds to a record's content admin: the review page and the publishing
    actions, the spreadsheet import and export, and minting plates from the list. (Each record
    admin below adds its kind's plates inline.)"""

    actions = [*ReviewAdminMixin.actions, mint_plates]


class StreetAdmin(DepartmentRecordMixin, FieldPositionMixin, content.StreetAdmin):
    inlines = [*content.StreetAdmin.inlines, PlacePlateInline]


class HeritageAdmin(DepartmentRecordMixin, FieldPositionMixin, content.HeritageAdmin):
    inlines = [*content.HeritageAdmin.inlines, PlacePlateInline]


class PersonAdmin(DepartmentRecordMixin, content.PersonAdmin):
    inlines = [*content.PersonAdmin.inlines, PersonPlateInline]


class PlaceAdmin(MintPermissionMixin, content.PlaceAdmin):
    """All places in one list: plates are minted from here too."""

    actions = [mint_plates]


admin.site.register(Street, StreetAdmin)
admin.site.register(Relic, HeritageAdmin)
admin.site.register(ScenicSpot, HeritageAdmin)
admin.site.register(Place, PlaceAdmin)
admin.site.register(Person, PersonAdmin)
admin.site.register(AdminUnit, content.AdminUnitAdmin)
admin.site.register(Route, content.RouteAdmin)
admin.site.register(Plate, PlateAdmin)
admin.site.register(PrintBatch, PrintBatchAdmin)
admin.site.register(ProblemReport, ProblemReportAdmin)
admin.site.register(Suggestion, SuggestionAdmin)
admin.site.register(Plan, PlanAdmin)

# Django's own user admin gives way to one that also lists an editor's communes and wards.
User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StreetinfoUserAdmin)
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, StreetinfoGroupAdmin)
