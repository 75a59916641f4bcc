"""The project's security plumbing: the admin's logout that clears the site's data, the login
throttle's backend and lock-out page, and the password length rule. (The client's address and
the Permissions-Policy header, which the apps use too, are in lib/http.py.)"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import password_validation
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

# --- signing out ---------------------------------------------------------------------------------


def logout_clearing_site_data(request: HttpRequest) -> HttpResponse:
    """The admin's own logout (served at its address), which also tells the browser to forget
    what it holds for the site: its cache and storage, the service worker and its copies
    included. Staff sign in on shared phones in the field (installers); once they have signed
    out, nothing they opened stays on the phone, whatever version of the service worker kept
    it. The language cookie stays."""
    from django.contrib import admin

    response = admin.site.admin_view(admin.site.logout)(request)
    if request.method == "POST" and response.status_code < 400:
        response["Clear-Site-Data"] = '"cache", "storage"'
    return response


# --- admin login throttle -----------------------------------------------------------------------


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins made over HTTP. Django's authenticate() without a
    request (the test client's login(), a script) is no attempt anyone can make from outside:
    it is passed on to the next backend instead of being refused."""

    def authenticate(self, request: HttpRequest | None, *args, **kwargs) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The admin's page for a locked-out login (AXES_LOCKOUT_CALLABLE), in the admin's
    language, saying for how long."""
    from django.contrib import admin
    from django.shortcuts import render

    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {
        **admin.site.each_context(request),
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "admin/lockout.html", context, status=429)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in our catalogue: Django 6 changed the message and its own
    Vietnamese catalogue does not have the new one yet, so staff would read it in English."""

    def get_error_message(self) -> str:
        return (
            ngettext(
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                self.min_length,
            )
            % self.min_length
        )
