"""Installation in the field. An installer scans the new plate with a phone; the scanned page
offers "confirm installation", whose page records the date and time, the phone's position
(browser geolocation, or coordinates typed in when the phone has no GPS or no JavaScript) and
an optional photo, and moves the plate to "installed" through the plates' services.

A position farther than INSTALL_MAX_DISTANCE_M from the record's coordinates asks the installer
to confirm, and flags the plate for a reviewer to check."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from lib import geo
from lib.http import permissions_policy
from lib.uploads import PhotoFormField
from qrplates import codes, services
from qrplates.models import Plate, PlateEvent
from qrplates.selectors import plate_landing
from sites import roles
from sites.models import Place


class FarFromRecord(Exception):
    """The position is far from the record's coordinates and was not confirmed."""

    def __init__(self, distance_m: float) -> None:
        super().__init__(f"{distance_m:.0f} m from the record")
        self.distance_m = distance_m


def distance_from_record(plate: Plate, lat: float, lon: float) -> float | None:
    """Metres between the position and the coordinates of the place the plate leads to (None
    when that record has none, e.g. a person)."""
    record = plate.landing()
    if not isinstance(record, Place) or not record.has_coordinates:
        return None
    return geo.distance_m(lat, lon, record.lat, record.lon)


def plate_install(
    *,
    plate: Plate,
    lat: float,
    lon: float,
    by: AbstractBaseUser,
    photo: UploadedFile | None = None,
    notes: str = "",
    confirm_far: bool = False,
) -> PlateEvent:
    """Records that `plate` is on its pole at (lat, lon), today, by `by` (an installer), with an
    optional photo, and moves it to "installed". Raises PermissionDenied for anyone else,
    ValidationError when the step is not possible (see services.check_step), and FarFromRecord
    when the position is farther than INSTALL_MAX_DISTANCE_M from the record's coordinates and
    `confirm_far` is not set; with it set, the plate is installed and flagged for review."""
    if not roles.can(by, "plate.install", plate):
        raise PermissionDenied(gettext("Only an installer can confirm an installation."))
    distance = distance_from_record(plate, lat, lon)
    far = distance is not None and distance > settings.INSTALL_MAX_DISTANCE_M
    if far and not confirm_far:
        raise FarFromRecord(distance)
    with transaction.atomic():
        event = services.plate_transition(
            plate=plate,
            status=Plate.Status.INSTALLED,
            by=by,
            done_by=by.get_full_name() or by.get_username(),
            lat=lat,
            lon=lon,
            photo=photo,
            notes=notes,
        )
        if far:
            plate.needs_review = True
            # Data, in the default language like the plate's other notes.
            plate.review_note = (
                f"Lắp cách tọa độ của bản ghi {distance:.0f} m (giới hạn "
                f"{settings.INSTALL_MAX_DISTANCE_M} m): kiểm tra vị trí."
            )
            plate.save(update_fields=["needs_review", "review_note"])
    return event


class InstallForm(forms.Form):
    lat = forms.FloatField(
        label=_("latitude"),
        min_value=-90,
        max_value=90,
        help_text=_("Filled in by the phone's GPS; or type it, e.g. 21.851727."),
    )
    lon = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)
    photo = PhotoFormField(
        label=_("Photo of the plate on its pole (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    notes = forms.CharField(
        label=_("Notes (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm_far = forms.BooleanField(
        label=_("Yes, the plate is installed here"), required=False, widget=forms.HiddenInput
    )


@never_cache
# The only page that reads the phone's position (the installer's, to place the plate).
@permissions_policy(geolocation="self")
def confirm_installation(request: HttpRequest, code: str) -> HttpResponse:
    """`/<lang>/install/<code>/`: the installer's page for one plate."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not roles.can_install(request.user):
        raise PermissionDenied
    # An installer meets plates in the field (roles.plates_for): a planned plate's record may
    # be a draft, which this page would name.
    try:
        plate, record = plate_landing(codes.normalize(code), roles.plates_for(request.user))
    except (codes.CodeError, Plate.DoesNotExist) as error:
        raise Http404 from error
    context = {
        "plate": plate,
        "record": record,
        "max_distance": settings.INSTALL_MAX_DISTANCE_M,
        "installable": Plate.Status.INSTALLED in plate.allowed_next(),
        "done": "done" in request.GET,
    }
    form = InstallForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and context["installable"] and form.is_valid():
        data = form.cleaned_data
        try:
            plate_install(
                plate=plate,
                lat=data["lat"],
                lon=data["lon"],
                by=request.user,
                photo=data.get("photo"),
                notes=data.get("notes", ""),
                confirm_far=data.get("confirm_far", False),
            )
        except FarFromRecord as far:
            context["far_m"] = round(far.distance_m)
            # Asked again, with the box now shown: the photo must be chosen again (a browser
            # never re-sends a file), the rest is kept.
            form = InstallForm(initial={**data, "confirm_far": False, "photo": None})
            form.fields["confirm_far"].widget = forms.CheckboxInput()
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            return HttpResponseRedirect(f"{request.path}?done=1")
    context["form"] = form
    return render(request, "qrplates/install.html", context)
