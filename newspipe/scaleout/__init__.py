"""Several ``scrapy crawl seeds`` workers on several machines sharing one Redis, exactly once.

With ``NEWSPIPE_STATE=redis://...`` the seeds spider does not walk the seed roots by itself: it
takes *units of work* (input files) from a queue in Redis shared by every worker of the namespace.

The design
==========

Units and batches
    A unit is one input file, named ``<root number>:<path relative to the root>``, listed in the
    order a single run reads them (roots in the order given, files sorted). The list identifies the
    *batch* (a hash of the names): workers started on the same inputs join the same batch, and the
    first one to arrive seeds its queue (one Lua script; later arrivals find it seeded). A worker
    started again on the same inputs after the batch is done finds nothing to take. A worker takes
    runs of consecutive units (half of ``NEWSPIPE_WORKER_LOOKAHEAD``), so that the turn (below)
    passes between workers once a run rather than once a unit.

One batch at a time in a namespace
    The namespace remembers its current batch. A worker started on other inputs while the current
    batch is unfinished and has live leases exits with status 75 (like a run that finds the lock
    taken) and does nothing: two batches deciding at once could each keep one copy of the same
    text. A finished batch, or one whose workers all died (no live lease), gives the namespace to
    the next one. Copies across batches are caught through the committed dedup index.

Leases
    Taking a unit leases it for ``NEWSPIPE_LEASE_SECONDS`` by Redis's clock; a thread of the worker
    renews the leases of its units until the run commits. A worker that dies stops renewing; once
    its lease has expired any worker takes the unit again (expired units first, smallest index
    first). A worker that lost a lease (it was presumed dead, e.g. stopped for longer than the
    lease) fails: its commit checks every lease and applies nothing if one went elsewhere.

Which copy is kept: the single-run order
    The rule is the one of a single run: of several documents with the same normalised text, the
    one that comes first in the batch order (unit index, then position in the unit) is kept; the
    others are duplicates of it. Timing plays no part, because decisions are made in unit order:
    documents are cleaned and language-tagged in parallel by all workers, but a gate just before
    the dedup stage lets a document of unit ``k`` through only once the decisions of every unit
    before ``k`` are published (the batch's *turn* counter has reached ``k``), and one document at a
    time. When all documents of unit ``k`` have left the pipeline, the worker publishes the unit's
    decisions (the content hashes it kept) to the batch and moves the turn to ``k + 1``, in one
    script that also checks it still holds the lease. A worker waiting for the turn while the
    unit holding it has an expired lease takes that unit over (it keeps taking expired units even
    when it has as many units in hand as ``NEWSPIPE_WORKER_LOOKAHEAD`` allows).

    A unit is re-done by another worker when its first worker died after publishing its decisions
    but before its output file was complete. Its documents are the same (ids derive from path and
    bytes), and its decisions are made again against exactly what the first attempt saw: lookups
    ignore decisions of this unit and of later units. So it keeps the same documents.

Exactly once in the output
    A document is in the kept file of the worker whose run *committed* its unit. The run commits
    (marks its units done, adds what it kept to the namespace's dedup index, in one script that
    checks the leases) only after its kept and rejects files are complete under their final names;
    a run killed before that leaves only hidden temporary files, and its units are taken again.

Batch semantics
    A worker stops taking units when none is left untaken and none has an expired lease, waits
    until its own units are decided, then waits until every unit still leased by another worker
    has been renewed once since it started waiting (proof the holder is alive: a dead holder's
    lease expires instead, and the unit is taken over). Then it exits. Units of a worker that dies
    after every other worker has exited are done by the next worker started (cron).

Failures
    Any Redis error fails the run (exit 1) with a message naming the store without its password;
    the run commits nothing and gives its leases back when Redis still answers; the units are done
    by the next run.

Known limits
    The kept file is renamed to its final name just before the state commit (the recorder's
    order): a worker killed in that instant (milliseconds) leaves a complete file whose units are
    not marked done, and they are done again by another worker. A failed run (exit 1) still
    leaves its partial kept file under its final name with ``status: failed`` in its manifest;
    readers must take only files of completed runs. Both close with the crash-safe recorder
    (pending shards) of issue 7. In a worker the pipeline runs on one core (the pool that runs
    pure stages ahead is not used with Redis state): start one worker per core.

Keys: ``newspipe:<namespace>:current_batch``, and per batch
(``newspipe:<namespace>:batch:<id>:<name>``) ``units`` (list of names), ``info`` (size),
``next`` (first never-taken index), ``leases`` (zset unit -> expiry ms), ``owners`` (hash unit ->
run id), ``turn`` (units before it are decided), ``decided`` (hash content hash -> "doc_id run_id
unit"), ``done`` (set of committed units).
"""
