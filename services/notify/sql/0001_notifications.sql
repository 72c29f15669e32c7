-- Notify's records (docs/contract.md §SMS out). A notice is written, with its text, in the same transaction as the
-- consumer's tracking row of the event it is about (the intent), before the provider is ever called;
-- one per (event, recipient), so a redelivered event adds nothing. No phone number is kept here: the
-- sender looks the citizen up in the vault (and the unit in the units file) when it sends.
CREATE TABLE notifications (
    id                  bigserial   PRIMARY KEY,
    about_event_id      uuid        NOT NULL,
    about_type          text        NOT NULL,
    case_id             uuid        NOT NULL,
    correlation_id      uuid,
    recipient           text        NOT NULL,  -- 'citizen' or 'unit:<unit id>'
    citizen_id          uuid,
    language            text        NOT NULL,
    template            text        NOT NULL,
    body                text        NOT NULL,
    encoding            text        NOT NULL,
    segments            integer     NOT NULL,
    -- waiting: an earlier notice to the same recipient about the same case is still open; pending: to
    -- send (at next_attempt_at); sending: claimed by a sender until next_attempt_at (its lease); sent: the
    -- provider took it; failed: refused, or out of attempts or time; skipped: never to be sent.
    status              text        NOT NULL
        CHECK (status IN ('waiting', 'pending', 'sending', 'sent', 'failed', 'skipped')),
    reason              text,
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    provider_message_id text,
    CONSTRAINT notifications_once UNIQUE (about_event_id, recipient)
);
-- Claims follow this index, so a claim costs the same however long the queue.
CREATE INDEX notifications_due ON notifications (next_attempt_at, id) WHERE status IN ('pending', 'sending');
CREATE INDEX notifications_case ON notifications (case_id);
-- A recipient hears about a case in the order of its events: the first open notice of a (case,
-- recipient) is released when the one before it is done.
CREATE INDEX notifications_open_by_case ON notifications (case_id, recipient, id)
    WHERE status IN ('pending', 'sending', 'waiting');
CREATE INDEX notifications_waiting ON notifications (case_id) WHERE status = 'waiting';
CREATE INDEX notifications_message ON notifications (provider_message_id) WHERE provider_message_id IS NOT NULL;

-- Delivery receipts by provider message id, kept apart from the notices because a receipt may arrive
-- before the sender has recorded the provider's answer. A status only ever moves forward.
CREATE TABLE sms_receipts (
    provider_message_id text        PRIMARY KEY,
    status              text        NOT NULL,
    error_code          text,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Each notice with what its receipts said last, for operators: SELECT * FROM notification_deliveries
-- WHERE case_id = '...' ORDER BY id.
CREATE VIEW notification_deliveries AS
SELECT n.id, n.case_id, n.about_event_id, n.about_type, n.recipient, n.language, n.template, n.segments,
       n.status, n.reason, n.attempts, n.created_at, n.updated_at, n.provider_message_id,
       r.status AS delivery_status, r.error_code AS delivery_error_code, r.updated_at AS delivery_updated_at
FROM notifications n LEFT JOIN sms_receipts r USING (provider_message_id);

-- Numbers that must not be texted (the provider's 21610 answer; STOP by SMS once SMS-in exists), kept as
-- the hex SHA-256 of the E.164 number so that the table shows no number.
CREATE TABLE sms_opt_outs (
    phone_sha256 text        PRIMARY KEY,
    source       text        NOT NULL,
    opted_out_at timestamptz NOT NULL DEFAULT now()
);
