from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class BackofficeConfig(AppConfig):
    """The admin as the Department works in it, composed from the other apps' pieces, and the
    `load_demo` command, which loads each app's demo (content, then its plates)."""

    name = "backoffice"
    verbose_name = _("Administration")


class TaskQueueConfig(TasksAppConfig):
    """django-tasks-db's queue, named in the staff's language in the admin (its own name,
    "Tasks Database Backend", is not translatable)."""

    default = False
    verbose_name = _("Background tasks")
