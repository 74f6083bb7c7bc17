"""APScheduler's job store in our own database, read without locking the bot's writes."""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import Engine, delete, event, select
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import IntegrityError

from core.domain.model import apscheduler_jobs
from core.persistence.migrate import migration_url


def create_store_engine(url: str) -> Engine:
    """A synchronous, pooled engine on the application's database, for APScheduler's job store.

    Same URL conversion as the migrations (`sqlite`, `postgresql+psycopg`, `?schema=`); on SQLite
    the same WAL mode and busy timeout as the application's engine.
    """
    sync_url, schema = migration_url(url)
    if sync_url.get_backend_name() == "sqlite":
        engine = create_sync_engine(sync_url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

        return engine
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 2, "max_overflow": 2}
    if schema:
        kwargs["connect_args"] = {"options": f"-c search_path={schema}"}
    return create_sync_engine(sync_url, **kwargs)


def read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


class JobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store on our `apscheduler_jobs` table; the store writes
    nothing when a job fires.

    APScheduler deletes a one-off job from its store when it submits it. Here `remove_job` only
    hides the job from this process's reads: the row is deleted by the job itself, in the
    transaction that records its work in `job_runs` (core.scheduling.jobs). So the firing of a
    job costs the store no write (on SQLite, no wait for the lock held by running jobs), and a
    job killed before its commit is still in the store at start-up, where it fires again and
    finds its work done or not. A row of work that failed stays hidden until the sweep
    schedules it again.

    Deleting a job already gone is not an error either: during a handover two schedulers may
    both pick a due job for a moment, and the stock store's `JobLookupError` would break the
    scheduler's loop. Bulk insertion and a listing that unpickles nothing serve the sweep.

    Not thread-safe: every call comes from the scheduler's one worker thread.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine=engine)
        self.jobs_t = apscheduler_jobs  # the same columns, declared in our metadata
        self._fired: set[str] = set()

    def lookup_job(self, job_id: str) -> Job | None:
        return None if job_id in self._fired else super().lookup_job(job_id)

    def get_due_jobs(self, now: datetime) -> list[Job]:
        jobs, present = self._read(self.jobs_t.c.next_run_time <= now.timestamp())
        # Fired jobs are due until deleted: one missing here was deleted by its own transaction.
        self._fired.intersection_update(present)
        return jobs

    def _get_jobs(self, *conditions: Any) -> list[Job]:
        return self._read(*conditions)[0]

    def _read(self, *conditions: Any) -> tuple[list[Job], set[str]]:
        """The jobs not fired yet, in order (fired ones are not even unpickled), and every id."""
        query = select(self.jobs_t.c.id, self.jobs_t.c.job_state).order_by(
            self.jobs_t.c.next_run_time
        )
        if conditions:
            query = query.where(*conditions)
        jobs, present, broken = [], set(), []
        with self.engine.begin() as connection:
            for job_id, state in connection.execute(query):
                present.add(job_id)
                if job_id in self._fired:
                    continue
                try:
                    jobs.append(self._reconstitute_job(state))
                except Exception:
                    self._logger.exception('Unable to restore job "%s" -- removing it', job_id)
                    broken.append(job_id)
            if broken:
                connection.execute(delete(self.jobs_t).where(self.jobs_t.c.id.in_(broken)))
        return jobs, present

    def get_next_run_time(self) -> datetime | None:
        query = (
            select(self.jobs_t.c.next_run_time, self.jobs_t.c.id)
            .where(self.jobs_t.c.next_run_time.is_not(None))
            .order_by(self.jobs_t.c.next_run_time)
            .limit(len(self._fired) + 1)
        )
        with self.engine.begin() as connection:
            for next_run_time, job_id in connection.execute(query):
                if job_id not in self._fired:
                    return datetime.fromtimestamp(next_run_time, UTC)
        return None

    def add_job(self, job: Job) -> None:
        if job.id in self._fired:  # fired: its row may still be there, or just deleted
            self._fired.discard(job.id)
            try:
                super().update_job(job)
                return
            except JobLookupError:
                pass
        super().add_job(job)

    def remove_job(self, job_id: str) -> None:
        self._fired.add(job_id)

    def remove_all_jobs(self) -> None:
        self._fired.clear()
        super().remove_all_jobs()

    def add_jobs(self, batch: list[Job]) -> int:
        """Insert many jobs in one transaction (one by one, skipping conflicts, if one exists)."""
        for job in batch:
            if job.id in self._fired:
                self.add_job(job)
        fresh = [job for job in batch if job.id not in self._fired]
        rows = [
            {
                "id": job.id,
                "next_run_time": job.next_run_time.timestamp() if job.next_run_time else None,
                "job_state": pickle.dumps(job.__getstate__(), self.pickle_protocol),
            }
            for job in fresh
        ]
        if not rows:
            return 0
        try:
            with self.engine.begin() as connection:
                connection.execute(self.jobs_t.insert(), rows)
            return len(rows)
        except IntegrityError:
            added = 0
            for job in fresh:
                try:
                    super().add_job(job)
                    added += 1
                except ConflictingIdError:
                    pass
            return added

    def remove_jobs(self, ids: Iterable[str]) -> None:
        """Delete jobs now (the sweep's clean-up of work no longer wanted)."""
        ids = list(ids)
        with self.engine.begin() as connection:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                connection.execute(delete(self.jobs_t).where(self.jobs_t.c.id.in_(chunk)))
        self._fired.difference_update(ids)

    def scheduled(self) -> dict[str, float | None]:
        """Every job id with its next run time (a UTC timestamp), without unpickling anything."""
        return self.snapshot()[0]

    def snapshot(self) -> tuple[dict[str, float | None], set[str]]:
        """`scheduled()`, and the jobs fired by this process whose rows are not deleted yet."""
        with self.engine.begin() as connection:
            rows = connection.execute(select(self.jobs_t.c.id, self.jobs_t.c.next_run_time))
            scheduled = {row[0]: row[1] for row in rows if row[0] not in self._fired}
        return scheduled, set(self._fired)
