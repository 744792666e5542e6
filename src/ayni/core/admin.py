from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin

from ayni.core.models import ImportBatch, Job, JobFile, WorkflowEvent
from ayni.core.permissions import is_active_superuser


class AuditedAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    """Admin for a domain model: adds the record's audit history (who, when, old → new)."""

    show_auditlog_history_link = True


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["kind", "file_name", "status", "dry_run", "created_by", "started_at"]
    list_filter = ["kind", "status", "dry_run"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class JobFileInline(admin.TabularInline):
    model = JobFile
    fields = ("role", "key", "name", "size", "content_type", "created_at")
    readonly_fields = ("role", "key", "name", "size", "content_type", "created_at")
    extra = 0
    can_delete = False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Every job of every user, read-only (pages and the API show a job to its starter)."""

    list_display = ["pk", "kind", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Job._meta.fields]
    inlines = [JobFileInline]


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(admin.ModelAdmin):
    list_display = ["workflow", "object_id", "transition", "from_state", "to_state"]
    list_display += ["effective_date", "actor", "recorded_at"]
    list_filter = ["workflow", "transition"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in WorkflowEvent._meta.fields]

    # Events are the workflows' own record: read here, written only by ``Workflow.take``.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


def _superusers_only(request: object) -> bool:
    return is_active_superuser(getattr(request, "user", None))


# The Django admin sees every country office at once, so it is for system administrators
# (superusers) only; office administrators work in Ayni's own pages, where scoping applies.
admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
