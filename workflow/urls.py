"""Public addresses of the Department's workflow, inside the language prefixes: the visitors'
forms and the installers' page (each on its own page, off the cacheable record pages)."""

from django.urls import path

from qrplates.install import confirm_installation
from sites import public_forms

app_name = "workflow"
urlpatterns = [
    path("report/<str:kind>/<str:key>/", public_forms.report_problem, name="report"),
    path("suggest/<str:kind>/<str:key>/", public_forms.suggest, name="suggest"),
    path("install/<str:code>/", confirm_installation, name="install"),
]
