"""Pages of a list: `page` and `page_size`, validated (a malformed number is a 400 that says what
is expected, never a silent first page), with the limits of settings.API_*PAGE_SIZE."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from sites.selectors import RowsPaginator


class PagePagination(PageNumberPagination):
    # A page of a search reads its keys first: see `PublishableQuerySet.rows`.
    django_paginator_class = RowsPaginator
    page_size_query_param = "page_size"
    invalid_page_message = _("This page number is past the last page.")
    page_query_description = "Page number, from 1."
    page_size_query_description = "Results per page."

    def get_page_size(self, request: Request) -> int:
        return self.number_param(
            request, self.page_size_query_param, settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE
        )

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return self.number_param(request, self.page_query_param, 1, None)

    def check_parameters(self, request: Request) -> None:
        self.get_page_size(request)
        self.get_page_number(request, None)

    def number_param(self, request: Request, name: str, default: int, maximum: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0
        if number < 1 or (maximum is not None and number > maximum):
            message = (
                _("Give a whole number from 1 to %(maximum)s.") % {"maximum": maximum}
                if maximum
                else _("Give a whole number from 1.")
            )
            raise exceptions.ValidationError({name: message})
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = settings.API_MAX_PAGE_SIZE
                parameter["schema"]["default"] = settings.API_PAGE_SIZE
        return parameters
