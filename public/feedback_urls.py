"""Public addresses of the Department's workflow, inside the language prefixes: the visitors'
forms and the installers' page (each on its own page, off the cacheable record pages).

They live with the visitor site, the floor above both views (the forms are the visitor site's,
the installers' page is the plates'); the namespace stays `workflow`, the name templates and
links have always used."""

from django.urls import path

from public import feedback
from qrplates.install import confirm_installation

app_name = "workflow"
urlpatterns = [
    path("report/<str:kind>/<str:key>/", feedback.report_problem, name="report"),
    path("suggest/<str:kind>/<str:key>/", feedback.suggest, name="suggest"),
    path("install/<str:code>/", confirm_installation, name="install"),
]
