from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The Department's workflow: review, visitors' reports and suggestions, spreadsheet
    imports, the dashboard."""

    name = "workflow"
    verbose_name = _("Workflow")
