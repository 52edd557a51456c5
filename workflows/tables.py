"""The domain's tables (the engine's that it may read are in engine/readmodel.py).

Schema changes go through Alembic revisions in workflows/migrations/versions (branch
`workflows`, which depends on the engine's branch).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from engine.readmodel import NAMING_CONVENTION, Id, process_instance

metadata = MetaData(naming_convention=NAMING_CONVENTION)

fund_period = Table(
    "fund_period",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("ceiling_cents", BigInteger, nullable=False),
    Column("minimum_grant_cents", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

fund_entry = Table(
    "fund_entry",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("period_id", ForeignKey("fund_period.id"), nullable=False),
    Column("initiative_key", String(200), nullable=False),
    Column("volgnummer", Integer, nullable=False),
    Column("requested_cents", BigInteger, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),  # what the entry holds of the ceiling
    Column("paid_cents", BigInteger, nullable=False, server_default="0"),
    Column("state", String(20), nullable=False),  # reserved/committed/paid/released/refused
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
    UniqueConstraint("period_id", "volgnummer", name="uq_fund_entry_period_volgnummer"),
    Index("ix_fund_entry_key", "initiative_key"),
    Index("ix_fund_entry_period_state", "period_id", "state"),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False, unique=True),  # stored lower-case
    Column("display_name", String(200), nullable=False),
    Column("email", String(254)),
    Column("phone", String(40)),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    # raised by a logout, "log out everywhere" and disabling: every earlier session ends
    Column("session_generation", Integer, nullable=False, server_default="0"),
    Column("last_login_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Failed logins per typed username, whether or not such a user exists (see accounts.py).
login_attempt = Table(
    "login_attempt",
    metadata,
    Column("username", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

user_role = Table(
    "user_role",
    metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(40), primary_key=True),
)

# The teams a user belongs to: a task with a candidate group (e.g. an aspect's team) goes to them.
user_team = Table(
    "user_team",
    metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("team", String(200), primary_key=True),
)

# The read model of an initiative, kept in the engine's transaction by read_model.on_saved.
initiative = Table(
    "initiative",
    metadata,
    Column(
        "instance_id",
        ForeignKey(process_instance.c.id, ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("zaaknummer", String(200)),
    Column("process_id", String(200), nullable=False),
    Column("title", String(300), nullable=False, server_default=""),
    Column("wijk", String(100)),
    Column("gebied", String(100)),
    Column("category", String(60)),
    Column("requested_cents", BigInteger),
    Column("casist", String(200)),
    Column("phase", String(40)),
    Column("phase_at", DateTime(timezone=True)),
    Column("outcome", String(60)),  # how a finished case ended (its data's `outcome`)
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_initiative_zaaknummer", "zaaknummer"),
    Index("ix_initiative_started", "started_at"),
    Index("ix_initiative_phase", "phase", "started_at"),
    Index("ix_initiative_outcome", "outcome"),
    Index("ix_initiative_gebied", "gebied"),  # the dashboard's filter choices (loose index scan)
    Index("ix_initiative_wijk", "wijk"),
)

note = Table(
    "note",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("instance_id", ForeignKey(process_instance.c.id, ondelete="CASCADE"), nullable=False),
    Column("author", String(80), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_note_instance", "instance_id", "id"),
)

document = Table(
    "document",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("instance_id", ForeignKey(process_instance.c.id, ondelete="CASCADE"), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(80), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Index("ix_document_instance", "instance_id", "id"),
)

task_draft = Table(
    "task_draft",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("saved_by", String(80), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
)

# ---------------------------------------------------------------- reports (workflows/reports)
# The fund's journal: one row per movement of money, written by workflows/fund.py in the same
# transaction as the ledger change (primary data, like the engine's event table: never rebuilt).
fund_movement = Table(
    "fund_movement",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("period_id", ForeignKey("fund_period.id"), nullable=False),
    Column("entry_id", ForeignKey("fund_entry.id"), nullable=False),
    Column("initiative_key", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # reserved/refused/committed/paid/released
    Column("amount_cents", BigInteger, nullable=False),  # the amount this movement is about
    Column("held_delta_cents", BigInteger, nullable=False),  # change of what the fund holds
    Column("at", DateTime(timezone=True), nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM in Dordrecht
    Index("ix_fund_movement_period_at", "period_id", "at"),
)

# Rollups kept by workflows.reports.rollups.on_saved in the engine's transaction, and
# recomputed from the events by `wegwijs reports rebuild`: the dashboard reads these, never
# the whole history. Months are YYYY-MM in Dordrecht's time zone.
report_case = Table(  # one row per case that ended (completed or cancelled)
    "report_case",
    metadata,
    Column(
        "instance_id",
        ForeignKey(process_instance.c.id, ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("process_id", String(200), nullable=False),
    Column("process_version_id", Id, nullable=False),
    Column("end_status", String(20), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=False),
    Column("ended_month", String(7), nullable=False),
    Column("lead_seconds", Float, nullable=False),
    Column("initiator_seconds", Float, nullable=False),  # waiting on the initiator
    Column("net_seconds", Float, nullable=False),
    Index("ix_report_case_month", "ended_month", "process_id"),
)

report_task = Table(  # one row per user task that closed (completed or cancelled)
    "report_task",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("instance_id", ForeignKey(process_instance.c.id, ondelete="CASCADE"), nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("process_version_id", Id, nullable=False),
    Column("bpmn_id", String(200), nullable=False),
    Column("title", String(300), nullable=False),
    Column("lane", String(200)),
    Column("team", String(200)),  # the candidate group (an aspect's team), if any
    Column("state", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),  # who held it last took it then
    Column("closed_at", DateTime(timezone=True), nullable=False),
    Column("closed_month", String(7), nullable=False),
    Column("closed_by", String(200)),
    Column("norm", String(100)),
    Column("due_at", DateTime(timezone=True)),  # the norm's end, net of initiator waiting
    Column("within_norm", Boolean),  # NULL: no norm, or not completed
    Column("waiting_seconds", Float, nullable=False),  # created → claimed
    Column("working_seconds", Float, nullable=False),  # claimed → closed
    Column("initiator_seconds", Float, nullable=False),
    Index("ix_report_task_month", "closed_month", "process_id"),
    Index("ix_report_task_instance", "instance_id"),
    Index("ix_report_task_team", "team"),  # the dashboard's filter choices (loose index scan)
    Index("ix_report_task_lane", "lane"),
)

report_phase = Table(  # one row per phase a case left (the phase it is in now: initiative)
    "report_phase",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("instance_id", ForeignKey(process_instance.c.id, ondelete="CASCADE"), nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("process_version_id", Id, nullable=False),
    Column("phase", String(40), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True), nullable=False),
    Column("left_month", String(7), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("net_seconds", Float, nullable=False),
    Index("ix_report_phase_month", "left_month", "process_id"),
    Index("ix_report_phase_instance", "instance_id"),
)

#: a process owner's work on a process definition, before it is deployed (saved on the
#: server on every change, so a browser crash loses nothing)
process_draft = Table(
    "process_draft",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("process_id", String(200), nullable=False),
    Column("title", String(300), nullable=False),
    Column("base_version_id", Id),  # the version it started from (None: imported)
    Column("origin", String(300), nullable=False),  # "versie 3" or "import: file.bpmn"
    Column("files", JSON, nullable=False),  # {file name: text}
    Column("revision", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # open / deployed / discarded
    Column("deployed_version", Integer),
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(80), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_process_draft_status", "status", "updated_at"),
)

#: who changed what in a draft, one row per save
process_draft_change = Table(
    "process_draft_change",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("draft_id", ForeignKey("process_draft.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("summary", JSON, nullable=False),  # what changed, in words
    Index("ix_process_draft_change_draft", "draft_id", "id"),
)

#: the initiator's private status link: only the hash of the token is kept (the token itself is
#: derived from the server's secret, so a mail can carry it again); a new generation revokes it
status_link = Table(
    "status_link",
    metadata,
    Column(
        "instance_id",
        ForeignKey(process_instance.c.id, ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("generation", Integer, nullable=False, server_default="0"),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("token_hash", name="uq_status_link_token_hash"),
)

#: the daily task overview sent to a colleague, once per person per day
digest_sent = Table(
    "digest_sent",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("day", String(10), primary_key=True),  # ISO date in Europe/Amsterdam
    Column("outbox_id", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: a finished case whose personal data were removed after the retention period (once per case)
case_anonymised = Table(
    "case_anonymised",
    metadata,
    Column(
        "instance_id",
        ForeignKey(process_instance.c.id, ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("anonymised_at", DateTime(timezone=True), nullable=False),
    Column("values_replaced", Integer, nullable=False),
    Column("documents_removed", Integer, nullable=False),
)

#: cases that belong together: a case handed over to a new case of another process (the
#: complex route's triage to wijkwens or green, the fund's referral to wijkwens)
case_link = Table(
    "case_link",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "from_instance_id", ForeignKey(process_instance.c.id, ondelete="CASCADE"), nullable=False
    ),
    Column("to_instance_id", ForeignKey(process_instance.c.id, ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),  # handover
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("from_instance_id", "kind", name="uq_case_link_from_kind"),
    Index("ix_case_link_to", "to_instance_id"),
)

#: a task looked at once its norm passed: whom it was signalled to (NULL: the diagram watches
#: that norm itself), and when its escalation is due and was sent (`norm_watch` module)
norm_watch = Table(
    "norm_watch",
    metadata,
    Column("task_id", String(36), primary_key=True),  # human_task.task_id
    Column("instance_id", ForeignKey(process_instance.c.id, ondelete="CASCADE"), nullable=False),
    Column("bpmn_id", String(200), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("signalled_to", String(320)),
    Column("signalled_at", DateTime(timezone=True), nullable=False),
    Column("escalate_at", DateTime(timezone=True)),
    Column("escalated_to", String(320)),
    Column("escalated_at", DateTime(timezone=True)),
    Index("ix_norm_watch_escalate", "escalate_at"),
    Index("ix_norm_watch_instance", "instance_id", "bpmn_id"),
)
