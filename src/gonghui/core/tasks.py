"""Tasks of core, run by the django-tasks worker (`gonghui db_worker`, started by `gonghui serve`)."""

from __future__ import annotations

from django_tasks import task

__all__ = ["run_job"]


@task()
def run_job(job_id: int) -> str:
    """Run one import or export job; its progress and outcome are on the Job row."""
    from .jobs import job_execute

    return job_execute(job_id).status
