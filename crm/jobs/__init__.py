"""Background jobs: a jobs table, a worker process, and the job kinds features register.

The worker imports no feature: features register their kinds with
:func:`crm.jobs.registry.job_kind` when the app is created, and the worker
runs whatever is registered.
"""
