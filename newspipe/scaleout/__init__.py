"""Several ``scrapy crawl seeds`` workers on several machines sharing one Redis, exactly once.

With ``NEWSPIPE_STATE=redis://...`` the seeds spider does not walk the seed roots by itself: it
takes *units of work* (input files) from a queue in Redis shared by every worker of the namespace.

The design
==========

Units and batches
    A unit is one input file, named ``<root number>:<path relative to the root>``, listed in the
    order a single run reads them (roots in the order given, files sorted). The list identifies the
    *batch* (a hash of the names): workers started on the same inputs join the same batch, and the
    first one to arrive seeds its queue (one Lua script; later arrivals find it seeded), leaving
    out the inputs an earlier batch committed at the same size and mtime (the namespace's
    ``ingested`` hash, written with each unit's completion; a file that could not be read is not
    recorded): the batch of one new file among many reads that file only. A worker
    started again on the same inputs after the batch is done finds nothing to take. A worker takes
    runs of consecutive units (half of ``NEWSPIPE_WORKER_LOOKAHEAD``), so that the turn (below)
    passes between workers once a run rather than once a unit, and takes the next run only once
    a whole run's room is free: it then reads that run and prepares its documents (cleaning,
    language, the MinHash of the dedup stage) while another worker holds the turn, instead of
    between its own decisions.

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
    The rule is the one of a single run: of several documents with the same normalised text (or
    near-duplicates of each other), the one that comes first in the batch order (unit index, then
    position in the unit) is kept; the others are copies of it; of near-duplicate candidates of
    equal similarity, the first in that order wins. Timing plays no part, because decisions are
    made in unit order: documents are cleaned and language-tagged in parallel by all workers (and
    in each worker by its worker processes, as in a single run), but a gate just before the dedup
    stage lets a document of unit ``k`` through only once the decisions of every unit before
    ``k`` are published (the batch's *turn* counter has reached ``k``) or are this worker's own
    and made (every unit from the turn to ``k`` is this worker's, and all its documents have left
    the pipeline: what they kept is in the worker's open transaction, which lookups read first),
    and one document at a time. The dedup stage's MinHash is made before a document waits (by
    the worker processes, else by the gate), and when the gate lets a document through, it reads
    in one round trip what the documents of this worker's next consecutive units look up (those
    waiting, and those back from the worker processes on their way), so that the serial part
    holds no work that could be done before it. Once all documents of a run of units from the
    turn on have left the pipeline, and the run is half the lookahead long or the unit after it
    is not this worker's (another worker waits for the turn, or the batch ends), the worker
    publishes the run's decisions (what it kept: content hashes, MinHash signatures with their
    LSH band keys, passage prints) to the batch's keys and moves the turn past it, in one script
    that also checks it still holds the leases, unit after unit, stopping at the first it does not.
    Each kept document carries its place in the order
    (:func:`newspipe.state.redis.order_key`: batch epoch, unit, number), so candidates and passage
    holders come back in single-run order whoever published them. A worker waiting for the turn
    while the unit holding it has an expired lease takes that unit over (it keeps taking expired
    units even when it has as many units in hand as ``NEWSPIPE_WORKER_LOOKAHEAD`` allows).

    A unit is re-done by another worker when its first worker died after publishing its decisions
    but before its output file was complete. Its documents are the same (ids derive from path and
    bytes), and its decisions are made again against exactly what the first attempt saw: lookups
    ignore decisions of this unit and of later units, whether published to the batch or already
    committed to the namespace's index. So it keeps the same documents.

Exactly once in the output
    A document is in the output shards of the worker whose run *committed* its unit. The recorder
    holds a unit's records (kept and rejected) until the unit is decided, then writes them to the
    open shard: a shard holds whole decided units only. At a shard boundary
    (``NEWSPIPE_SHARD_DOCS``, checked after a whole unit) and at the end, the shard is committed
    as in one process (:mod:`newspipe.shards`): one script checks every lease, marks the shard's
    units done and adds what they kept to the namespace's index (entries of units not yet decided
    stay pending), then the shard files get their final names. A run killed before a commit
    leaves only hidden temporary files, and its uncommitted units are taken again.

Batch semantics
    A worker stops taking units when none is left untaken and none has an expired lease, waits
    until its own units are decided, then waits until every unit still leased by another worker
    has been renewed once since it started waiting (proof the holder is alive: a dead holder's
    lease expires instead, and the unit is taken over). Then it exits. Units of a worker that dies
    after every other worker has exited are done by the next worker started (cron).

Failures
    Any Redis error, or a lease found lost at commit, fails the run (exit 1, a manifest with
    ``status: failed``) with a message naming the store without its password; nothing more is
    committed, its open shards are deleted, and it gives its leases back when Redis still answers.
    Shards committed before the failure are complete and stay (their units are done); the other
    units are done by the next run.

Output dirs
    Workers may share an output dir (one machine, or shared storage): there is no lock on the
    folder, the queue keeps them apart. Each run holds a lock of its own
    (``.newspipe-RUN_ID.lock``): at start a worker finishes the renames of a *dead* run's
    committed shards (its pending list is ``pending_shards:RUN_ID`` in the namespace's meta) and
    deletes a dead run's temporary files, never those of a live one.

Input manifest
    With Redis state the input manifest (skipping unchanged inputs) is not used: units are skipped
    by the batch instead (a worker started again on the same inputs after the batch is done finds
    nothing to take; on changed inputs, a new batch reads those not committed at their current
    size and mtime, and dedup against the committed index rejects what a changed one kept before).
    A JSON Lines dump only appended to is read on past the lines an earlier batch read
    (:mod:`newspipe.scaleout.dumps`): its old documents do not come out again as duplicates.

Known limits
    A worker reads its units in the crawl process (its worker processes run the pure stages), and
    the dedup decisions, the gate and the output are one core's work. A unit's records wait in
    memory until it is
    decided (at most ``NEWSPIPE_WORKER_LOOKAHEAD`` units, plus takeovers). Batch keys are not
    deleted when a batch is done.

Keys: ``newspipe:<namespace>:current_batch``, and per batch
(``newspipe:<namespace>:batch:<id>:<name>``) ``units`` (list of names), ``info`` (size),
``next`` (first never-taken index), ``leases`` (zset unit -> expiry ms), ``owners`` (hash unit ->
run id), ``turn`` (units before it are decided), ``decided`` (hash content hash -> "doc_id run_id
unit"), ``near:docs``, ``near:bands`` and ``prints`` (the decided near-duplicate index, as the
namespace's below), ``done`` (set of committed units). The namespace's committed state
(:mod:`newspipe.state.redis`): ``kept`` (content hash -> "doc_id run_id order"), ``near:docs``
(doc id -> JSON [order, source, signature hex]), ``near:bands`` (band key -> "order/doc_id ..."),
``prints`` (print -> "order/doc_id ...", at most 21), ``inputs``, ``meta``, ``epoch`` (the last
batch number), ``ingested`` (unit name -> size and mtime committed) and ``ingested_lines`` (unit
name -> bytes read, their digest and documents, for a JSON Lines dump).
"""
