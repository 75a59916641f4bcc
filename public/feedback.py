"""What visitors send from public pages, without an account: "report a problem" and community
suggestions (a correction or a photo). Each form lives on its own page, linked from the
record's page, so record pages stay free of CSRF cookies and cacheable.

A problem report goes to whoever handles it (`sites.services.route_problem_report`: by its kind
and commune, with a due date, by e-mail).

Spam is held off by a honeypot field and a per-client rate limit kept in the cache under a
salted hash of the client's address that expires with its window: no address is stored
(`lib.ratelimits`, which also keeps counting when the cache is down)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from lib import ratelimits
from lib.http import client_ip
from qrplates import codes
from qrplates.models import Plate
from qrplates.selectors import plate_landing
from sites.models import Person, Place, ProblemReport, Suggestion
from sites.services import route_problem_report

RATE_WINDOW_S = 3600


def over_rate_limit(request: HttpRequest, scope: str) -> bool:
    """Counts one submission for this client and says whether it is one too many."""
    sent = ratelimits.count(f"public-form:{scope}", client_ip(request), window=RATE_WINDOW_S)
    return sent > settings.PUBLIC_FORM_RATE_LIMIT


def honeypot() -> forms.CharField:
    # Hidden from people by the template; bots fill in every field they find.
    return forms.CharField(required=False, label=_("Leave this field empty"))


class ReportForm(forms.ModelForm):
    website = honeypot()

    class Meta:
        model = ProblemReport
        fields = ["kind", "plate", "message", "contact"]
        widgets = {
            "kind": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        labels = {
            "kind": _("What is wrong?"),
            "plate": _("Which plate? (optional)"),
            "message": _("Details (optional)"),
            "contact": _("Your phone or e-mail, if you want an answer (optional)"),
        }

    def __init__(
        self, *args, record: Place | Person | None = None, plate: Plate | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plate"]
        if plate is not None or record is None:
            # Reached from the plate itself: no need to ask.
            del self.fields["plate"]
            return
        owner = {"person": record} if isinstance(record, Person) else {"place": record}
        field.queryset = Plate.objects.filter(**owner).exclude(
            status__in=[Plate.Status.RETIRED, Plate.Status.REPLACED]
        )
        field.label_from_instance = lambda p: f"{p.label} ({p.code})" if p.label else p.code
        field.empty_label = _("I don't know")
        if not field.queryset.exists():
            del self.fields["plate"]


class SuggestionForm(forms.ModelForm):
    website = honeypot()

    class Meta:
        model = Suggestion
        fields = ["kind", "text", "photo", "credit", "contact"]
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        labels = {
            "kind": _("What would you like to send?"),
            "text": _("Your correction, or what the photo shows"),
            "photo": _("Photo (JPEG, PNG or WebP, at most 10 MB)"),
            "credit": _("Name to credit the photo to (optional)"),
            "contact": _("Your phone or e-mail, if you want an answer (optional)"),
        }

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == Suggestion.Kind.PHOTO and not data.get("photo"):
            self.add_error("photo", _("Choose the photo to send."))
        if data.get("kind") == Suggestion.Kind.CORRECTION and not data.get("text", "").strip():
            self.add_error("text", _("Write the correction."))
        return data


def record_id(key: str) -> int:
    """The id in a form's address: ASCII digits, or no record of ours ("abc", "1.5", "²" and a
    full-width "１" were 500s; an id past the largest one finds nothing, on every database)."""
    if not (key.isascii() and key.isdigit()):
        raise Http404
    return int(key)


def find_target(kind: str, key: str) -> tuple[Place | Person | None, Plate | None]:
    """The published record (and plate) a form is about; 404 for anything else."""
    if kind == "place":
        place = get_object_or_404(Place.objects.published(), pk=record_id(key))
        return place.specific, None
    if kind == "person":
        return get_object_or_404(Person.objects.published(), pk=record_id(key)), None
    if kind == "plate":
        try:
            plate, record = plate_landing(codes.normalize(key))
        except (codes.CodeError, Plate.DoesNotExist) as error:
            raise Http404 from error
        return record, plate
    raise Http404


def target_fields(record: Place | Person | None, plate: Plate | None) -> dict:
    fields: dict = {"plate": plate}
    if isinstance(record, Place):
        fields["place"] = record
    elif isinstance(record, Person):
        fields["person"] = record
    return fields


def submission_page(
    request: HttpRequest, kind: str, key: str, *, form_class: type, template: str, scope: str
) -> HttpResponse:
    record, plate = find_target(kind, key)
    shown = record if record is not None and record.is_published else None
    context = {"record": shown, "plate": plate, "sent": "sent" in request.GET}
    extra = {"record": record, "plate": plate} if form_class is ReportForm else {}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **extra)
        if request.POST.get("website"):
            # Answered as a success, so the bot learns nothing; nothing is kept.
            return HttpResponseRedirect(f"{request.path}?sent=1")
        if over_rate_limit(request, scope):
            context.update(form=form, limited=True)
            return render(request, template, context, status=429)
        if form.is_valid():
            submission = form.save(commit=False)
            for name, value in target_fields(record, plate).items():
                if value is not None:
                    setattr(submission, name, value)
            submission.language = translation.get_language()
            with transaction.atomic():
                submission.save()
                if isinstance(submission, ProblemReport):
                    route_problem_report(submission)
            return HttpResponseRedirect(f"{request.path}?sent=1")
    else:
        form = form_class(**extra)
    context["form"] = form
    return render(request, template, context)


@never_cache
def report_problem(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """`/<lang>/report/<place|person|plate>/<id or code>/`: "report a problem"."""
    return submission_page(
        request,
        kind,
        key,
        form_class=ReportForm,
        template="sites/report_form.html",
        scope="report",
    )


@never_cache
def suggest(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """`/<lang>/suggest/<place|person>/<id>/`: a correction or a photo for moderation."""
    if kind == "plate":
        raise Http404
    return submission_page(
        request,
        kind,
        key,
        form_class=SuggestionForm,
        template="sites/suggestion_form.html",
        scope="suggest",
    )
