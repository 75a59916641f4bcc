"""Who may write through the API at all: active staff accounts. Which records they may write is
the content's one rule (`sites.roles`), asked by the write service (`sites.services`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


def is_staff(request: Request) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class StaffCanWrite(BasePermission):
    """Reads for anyone; writes for active staff accounts (token or admin session), further
    limited per kind of record by the same model permissions as the admin."""

    message = _("Only staff accounts may change records.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or is_staff(request)
