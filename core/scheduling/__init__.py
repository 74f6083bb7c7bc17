"""The scheduler: reminders, escalation, expiry, follow-ups, poll deadlines, weekly digests and
recurring requests, each done exactly once, whatever restarts or crashes happen.

Design
------
**The database is the source of truth; APScheduler is the alarm clock.** What is due follows
from the data alone (`plan.py`): an accepted task at 10:00 implies reminders at 10:00 the day
before and at 09:00; an open request implies three escalation steps and an expiry; an open poll a
reminder and a closing. Nothing depends on a job having been registered at the right moment by
the code that changed the data: a request accepted in another process, a deadline moved, a job
lost in a crash are all found again.

- **Sweep.** A periodic APScheduler job (every `scheduler_sweep_seconds`, and once at start-up)
  reads the plan for the next `scheduler_horizon_minutes` and brings APScheduler's job store in
  line with it: one `date` job per piece of work not done yet (added, moved when its time
  changed, removed when no longer wanted). Work already overdue gets a job due now.
- **Jobs.** APScheduler 3's `AsyncIOScheduler` fires them on time in the channels' event loop,
  from a persistent `SQLAlchemyJobStore` in our own database (the `apscheduler_jobs` table,
  created by the migrations; a synchronous driver, `sqlite` or `postgresql+psycopg`, derived
  from the application URL as the migrations do). A job is a reference such as
  `core.scheduling.jobs:reminder` and ids only (request 12, assignment 5, 24 hours).
- **Exactly once.** A job asks the plan whether its work is still wanted now, then runs the
  core service (core/services/timed.py) in one unit of work that also inserts the `job_runs`
  row named after the effect ("reminder-24h:request:12:assignment:5"). A second run finds the
  row; a crash before the commit leaves nothing, and the sweep (or the job still in the store)
  runs it again; two concurrent runs collide on the row's primary key and one of them backs off.
  APScheduler deletes a one-off job from its store when it *starts* it, so a crash during the
  work would lose it if the store were the only record: the sweep is what makes that safe.
- **Missed jobs run once at start-up.** `misfire_grace_time=None`: a job whose time passed while
  the process was down runs as soon as the scheduler starts, however late; whether late work
  is still worth doing is the plan's business (a reminder whose task has begun, or whose next
  reminder is already due, is dropped; a poll is closed even a week late). `coalesce=True`: the
  periodic sweep, having missed N runs, runs once.
- **One active scheduler** (`leader.py`): on PostgreSQL an advisory lock on a dedicated
  connection elects one `entraide run` process; standbys retry every few seconds and take over
  within seconds when the active process dies. On SQLite (one process on one machine) there is
  no lock.
- **The event loop stays free**: the job store's synchronous reads and writes run in one worker
  thread (`scheduler.ThreadedStoreScheduler`), the jobs themselves on the loop, at most
  `jobs.CONCURRENCY` at once.
- **Time zones.** Each territory has one. A reminder "24 h before" comes at the same local time
  the day before, also across a daylight-saving change; a recurring request at 10:00 is at
  10:00 local time in summer and winter; the digest goes out on `digest_weekday` at
  `digest_hour` local time. Messages carry instants; rendering shows them in the reader's zone.
"""

from core.scheduling.jobs import execute, run_due
from core.scheduling.leader import SchedulerService
from core.scheduling.plan import KINDS, Work, current, planned
from core.scheduling.scheduler import Scheduler

__all__ = [
    "KINDS",
    "Scheduler",
    "SchedulerService",
    "Work",
    "current",
    "execute",
    "planned",
    "run_due",
]
