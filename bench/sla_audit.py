"""What bench/servers.py records in the database, without touching the addons.

PostgreSQL triggers of the harness write an audit row for each ticket taken off the
re-timing queue and for each change of a ticket's ``sla_*`` columns: the ticket, the
session's ``application_name`` (its server and worker) and its transaction. Rows of a
transaction rolled back vanish with it; two sequences, which are not transactional,
count every dequeue and keep the last session that dequeued, also before its commit.
"""

AUDIT_SQL = """
CREATE TABLE bench_servers_audit (
    id bigserial PRIMARY KEY,
    at timestamp NOT NULL DEFAULT clock_timestamp(),
    kind text NOT NULL,
    ticket_id integer NOT NULL,
    app text NOT NULL DEFAULT current_setting('application_name'),
    txid bigint NOT NULL DEFAULT txid_current(),
    changes jsonb
);
CREATE SEQUENCE bench_servers_dequeues;
CREATE SEQUENCE bench_servers_dequeuer;
CREATE SEQUENCE bench_servers_dequeuer_xid;
CREATE FUNCTION bench_servers_dequeued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('bench_servers_dequeues');
    PERFORM setval('bench_servers_dequeuer', pg_backend_pid());
    -- The 32-bit id that pg_stat_activity.backend_xid shows while it is open.
    PERFORM setval('bench_servers_dequeuer_xid', txid_current() % 4294967296);
    INSERT INTO bench_servers_audit (kind, ticket_id) VALUES ('dequeue', OLD.ticket_id);
    RETURN OLD;
END $$;
CREATE TRIGGER bench_servers_dequeued AFTER DELETE ON support_sla_retime_queue
    FOR EACH ROW EXECUTE FUNCTION bench_servers_dequeued();
CREATE FUNCTION bench_servers_sla_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old jsonb := to_jsonb(OLD);
    changed jsonb;
BEGIN
    SELECT jsonb_object_agg(n.key, n.value) INTO changed
      FROM jsonb_each(to_jsonb(NEW)) n
     WHERE n.key LIKE 'sla\\_%' AND n.value IS DISTINCT FROM old -> n.key;
    IF changed IS NOT NULL THEN
        INSERT INTO bench_servers_audit (kind, ticket_id, changes)
        VALUES ('sla', NEW.id, changed);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bench_servers_sla_written AFTER UPDATE ON helpdesk_ticket
    FOR EACH ROW EXECUTE FUNCTION bench_servers_sla_written();
"""
# The first ``%s`` live response clocks overdue (as bench/retime.py section 3), every
# other live clock a month away: what is due does not depend on the minute of the run.
DEQUEUED = "SELECT ticket_id, count(*) FROM bench_servers_audit WHERE kind = 'dequeue' GROUP BY 1"
SLA_WRITES = "SELECT ticket_id, count(*) FROM bench_servers_audit WHERE kind = 'sla' GROUP BY 1"
MARKED = """(changes->>'sla_response_status' = 'breached'
             OR changes->>'sla_resolve_status' = 'breached')"""
# The last session that took tickets off the queue (sequences are not transactional:
# seen before its commit), while it is still in the transaction that took them (once that
# batch is committed, the worker's next transaction has another id), and its server.
IN_BATCH = """
SELECT (SELECT last_value FROM bench_servers_dequeues), a.pid, a.application_name
  FROM pg_stat_activity a
 WHERE a.pid = (SELECT last_value FROM bench_servers_dequeuer)
   AND a.state IN ('active', 'idle in transaction') AND a.application_name LIKE 'srv%%'
   AND a.backend_xid::text::bigint = (SELECT last_value FROM bench_servers_dequeuer_xid)
"""


def breach_outcome(db, marks):
    """Per record: breaches marked, chatter messages and activities since ``marks``."""
    audit, message, activity, _progress = marks
    marked = db.rows(
        f"SELECT ticket_id, count(*) FROM bench_servers_audit WHERE id > %s AND kind = 'sla'"
        f" AND {MARKED} GROUP BY 1",
        (audit,),
    )
    messages = db.rows(
        "SELECT model, res_id, count(*) FROM mail_message WHERE id > %s GROUP BY 1, 2", (message,)
    )
    activities = db.rows(
        "SELECT res_model, res_id, count(*) FROM mail_activity WHERE id > %s GROUP BY 1, 2",
        (activity,),
    )
    return {
        "breaches marked": dict(marked),
        "messages": {(model, res_id): n for model, res_id, n in messages},
        "activities": {(model, res_id): n for model, res_id, n in activities},
    }


def sla_columns(db):
    """``{ticket id: its sla_* columns}`` and the columns' names."""
    names = [
        name
        for (name,) in db.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name ="
            " 'helpdesk_ticket' AND column_name LIKE 'sla\\_%%' ORDER BY 1"
        )
    ]
    rows = db.rows(f"SELECT id, {', '.join(names)} FROM helpdesk_ticket ORDER BY id")
    return names, {row[0]: row[1:] for row in rows}


def share(db, kind, since=0, where="TRUE"):
    """Audit rows per server, and in how many transactions."""
    rows = db.rows(
        "SELECT split_part(app, '-', 1), count(*), count(DISTINCT txid) FROM bench_servers_audit"
        f" WHERE kind = %s AND id > %s AND {where} GROUP BY 1 ORDER BY 1",
        (kind, since),
    )
    return ", ".join(f"{app[3:]} {n:,} in {tx} transactions" for app, n, tx in rows)
