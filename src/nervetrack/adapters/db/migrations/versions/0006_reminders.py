"""Check-in reminders (issue 13): patients' reminder preferences, one reminder row per patient and due date,
short-lived check-in links, emails to the clinic about urgent alerts, the SQLite sender lease, the clinic's
alert address and own schedule, and each patient's overdue day (filled in here from the schedule).

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("checkin_schedule", sa.String(length=400), nullable=True))
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overdue_from", sa.Date(), nullable=True))
    op.create_table(
        "reminder_preference",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("sms_number", sa.String(length=40), nullable=True),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("stopped_at", _tz(), nullable=True),
        sa.Column("stopped_by", sa.String(length=16), nullable=True),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name="fk_reminder_preference_patient_id_patient"),
        sa.PrimaryKeyConstraint("patient_id", name="pk_reminder_preference"),
    )
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("send_after", _tz(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("claimed_until", _tz(), nullable=True),
        sa.Column("sent_at", _tz(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name="fk_reminder_patient_id_patient"),
        sa.PrimaryKeyConstraint("id", name="pk_reminder"),
        sa.UniqueConstraint("patient_id", "due_date", name="uq_reminder_patient_id_due_date"),
    )
    op.create_index("ix_reminder_claim", "reminder", ["state", "send_after"])
    op.create_index("ix_reminder_provider_ref", "reminder", ["provider_ref"])
    op.create_table(
        "checkin_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("expires_at", _tz(), nullable=False),
        sa.Column("used_at", _tz(), nullable=True),
        sa.Column("revoked_at", _tz(), nullable=True),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name="fk_checkin_link_patient_id_patient"),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminder.id"], name="fk_checkin_link_reminder_id_reminder"),
        sa.PrimaryKeyConstraint("id", name="pk_checkin_link"),
    )
    op.create_index("ix_checkin_link_patient_id", "checkin_link", ["patient_id"])
    op.create_table(
        "alert_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("send_after", _tz(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("claimed_until", _tz(), nullable=True),
        sa.Column("sent_at", _tz(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name="fk_alert_notice_alert_id_alert"),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinic.id"], name="fk_alert_notice_clinic_id_clinic"),
        sa.PrimaryKeyConstraint("id", name="pk_alert_notice"),
        sa.UniqueConstraint("alert_id", name="uq_alert_notice_alert_id"),
    )
    op.create_index("ix_alert_notice_claim", "alert_notice", ["state", "send_after"])
    op.create_table(
        "sender_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("until", _tz(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sender_lease"),
    )
    _fill_overdue_from()


def _fill_overdue_from() -> None:
    """Every existing patient's overdue day, from the knowledge base's schedule (no clinic has its own yet)."""
    from nervetrack.domain.schedule import overdue_from
    from nervetrack.knowledge import load_knowledge

    schedule = load_knowledge().schedule
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT patient.id, surgery.date, patient.last_checkin_date FROM patient "
            "JOIN surgery ON surgery.patient_id = patient.id"
        )
    ).all()
    for patient_id, surgery, last in rows:
        surgery, last = _date(surgery), _date(last)
        day = overdue_from(schedule, surgery, last)
        connection.execute(
            sa.text("UPDATE patient SET overdue_from = :day WHERE id = :id"), {"day": day, "id": patient_id}
        )


def _date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def downgrade() -> None:
    op.drop_table("sender_lease")
    op.drop_index("ix_alert_notice_claim", table_name="alert_notice")
    op.drop_table("alert_notice")
    op.drop_index("ix_checkin_link_patient_id", table_name="checkin_link")
    op.drop_table("checkin_link")
    op.drop_index("ix_reminder_provider_ref", table_name="reminder")
    op.drop_index("ix_reminder_claim", table_name="reminder")
    op.drop_table("reminder")
    op.drop_table("reminder_preference")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("overdue_from")
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.drop_column("checkin_schedule")
        batch_op.drop_column("alert_email")
