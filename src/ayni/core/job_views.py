"""The pages of background jobs: my jobs, a job's page, its download and its retry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, ListView

from ayni.core import jobs, liveness, selectors, services
from ayni.core.models import Job
from ayni.core.permissions import Action, has_perm
from ayni.core.policies import RETRY
from ayni.core.views import ScopedView


class JobListView(ScopedView, ListView):
    """My jobs: what I started (imports, exports), newest first, with their state."""

    model = Job
    paginate_by = 50
    template_name = "core/job_list.html"
    context_object_name = "jobs"

    def get_queryset(self) -> QuerySet[Job]:
        liveness.sweep_if_due()
        return selectors.jobs_started_by(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            {
                "job": jobs.live(job),
                "title": jobs.kind_of(job).title,
                "what": " · ".join(value for _label, value in selectors.job_parameters(job)[:2]),
                "url": selectors.job_url(job),
            }
            for job in context["jobs"]
        ]
        return context


class JobDetailView(ScopedView, DetailView):
    """A job: state and progress (refreshed by htmx while it runs), who started it, when, with
    which parameters, its result, the file it produced and, when it failed, a retry. A job
    whose process died shows as failed. Kinds with a page of their own are sent there."""

    model = Job
    template_name = "core/job_detail.html"
    context_object_name = "job"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["core/_job_status.html"]
        return [self.template_name]

    def get_queryset(self) -> QuerySet[Job]:
        return selectors.jobs_started_by(self.request.user).select_related("created_by", "retry_of")

    def get_object(self, queryset: QuerySet[Job] | None = None) -> Job:
        return jobs.live(liveness.refresh_if_dead(super().get_object(queryset)))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        url = selectors.job_url(self.object)
        if url != request.path:
            return HttpResponseRedirect(url)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(selectors.job_page(self.object, self.request.user))
        return context


class JobDownloadView(ScopedView, View):
    """The file a job produced, streamed from storage; only for its starter, and only while
    they may still read what it holds. Anything else answers 404."""

    model = Job

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        stored = selectors.job_download(request.user, kwargs["pk"])
        return FileResponse(
            stored.file.open("rb"),
            as_attachment=True,
            filename=stored.name,
            content_type=stored.content_type or "application/octet-stream",
        )


class JobRetryView(ScopedView, View):
    """POST: run a failed job again (its starter only); then its page."""

    model = Job
    permission_action = Action.ADD
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = get_object_or_404(selectors.jobs_started_by(request.user), pk=kwargs["pk"])
        if not has_perm(request.user, RETRY, job):
            raise PermissionDenied
        try:
            retry = services.job_retry(job=job, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(selectors.job_url(job))
        return HttpResponseRedirect(selectors.job_url(retry))
