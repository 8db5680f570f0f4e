"""Initial schema: clinics, clinicians, patients, surgeries, check-ins, alerts, links, audit.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("actor_kind", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinic.id"], name=op.f("fk_audit_event_clinic_id_clinic")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_entity", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "clinician",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinic.id"], name=op.f("fk_clinician_clinic_id_clinic")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinician")),
        sa.UniqueConstraint("email", name=op.f("uq_clinician_email")),
    )
    with op.batch_alter_table("clinician", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clinician_clinic_id"), ["clinic_id"], unique=False)

    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("diabetes", sa.Boolean(), nullable=False),
        sa.Column("peripheral_neuropathy", sa.Boolean(), nullable=False),
        sa.Column("smoker", sa.Boolean(), nullable=False),
        sa.Column("baseline", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_level", sa.String(length=16), nullable=True),
        sa.Column("open_alert_rank", sa.Integer(), nullable=False),
        sa.Column("last_checkin_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinic.id"], name=op.f("fk_patient_clinic_id_clinic")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("clinic_id", "ref", name=op.f("uq_patient_clinic_id_ref")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_dashboard", ["clinic_id", "open_alert_rank", "last_checkin_date"], unique=False
        )

    op.create_table(
        "checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("leg_pain", sa.Integer(), nullable=True),
        sa.Column("back_pain", sa.Integer(), nullable=True),
        sa.Column("numbness", sa.Integer(), nullable=True),
        sa.Column("tingling", sa.Integer(), nullable=True),
        sa.Column("weakness", sa.Integer(), nullable=True),
        sa.Column("walking_minutes", sa.Float(), nullable=True),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("chills", sa.Boolean(), nullable=True),
        sa.Column("bladder_problem", sa.Boolean(), nullable=True),
        sa.Column("bowel_problem", sa.Boolean(), nullable=True),
        sa.Column("saddle_numbness", sa.Boolean(), nullable=True),
        sa.Column("sudden_weakness", sa.Boolean(), nullable=True),
        sa.Column("wound_redness", sa.Boolean(), nullable=True),
        sa.Column("wound_drainage", sa.Boolean(), nullable=True),
        sa.Column("calf_pain_swelling", sa.Boolean(), nullable=True),
        sa.Column("chest_pain_or_breathlessness", sa.Boolean(), nullable=True),
        sa.Column("headache_when_upright", sa.Boolean(), nullable=True),
        sa.Column("odi", sa.JSON(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("triage_level", sa.String(length=16), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_checkin_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin")),
        sa.UniqueConstraint("patient_id", "idempotency_key", name=op.f("uq_checkin_patient_id_idempotency_key")),
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkin_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patient_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_patient_link_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_patient_link_token_hash")),
    )
    with op.batch_alter_table("patient_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_link_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "surgery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("procedure", sa.String(length=32), nullable=False),
        sa.Column("approach", sa.String(length=32), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("symptom_duration_weeks", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_surgery_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surgery")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_surgery_patient_id")),
    )
    with op.batch_alter_table("surgery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surgery_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_surgery_procedure"), ["procedure"], unique=False)

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_by_name", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["clinician.id"], name=op.f("fk_alert_acknowledged_by_clinician")),
        sa.ForeignKeyConstraint(["checkin_id"], ["checkin.id"], name=op.f("fk_alert_checkin_id_checkin")),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_alert_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index("ix_alert_open", ["patient_id", "acknowledged_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_open")

    op.drop_table("alert")
    with op.batch_alter_table("surgery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surgery_procedure"))
        batch_op.drop_index(batch_op.f("ix_surgery_date"))

    op.drop_table("surgery")
    with op.batch_alter_table("patient_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_link_patient_id"))

    op.drop_table("patient_link")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_patient_id"))

    op.drop_table("checkin")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_dashboard")

    op.drop_table("patient")
    with op.batch_alter_table("clinician", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinician_clinic_id"))

    op.drop_table("clinician")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")

    op.drop_table("audit_event")
    op.drop_table("clinic")
