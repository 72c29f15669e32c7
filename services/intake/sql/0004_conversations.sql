-- Conversations with citizens (docs/contract.md §HTTP webhooks, docs/conversation.md).

-- Which of a citizen's contacts a door proved: the From of an inbound SMS (the carrier's), a Messenger
-- PSID (Meta's), a trusted upstream channel on Kafka (both). Filings link to an existing citizen only by
-- a proven contact matching a proven contact: a phone typed into the web form makes a citizen of its own.
ALTER TABLE citizens ADD COLUMN IF NOT EXISTS phone_proven boolean NOT NULL DEFAULT false;
ALTER TABLE citizens ADD COLUMN IF NOT EXISTS psid_proven boolean NOT NULL DEFAULT false;
-- Before this, only Kafka's upstream channels could file as facebook, sms, commune_office or hotline: the
-- citizens they filed for were vouched for. Web and Open311 filings stay unproven.
UPDATE citizens c SET phone_proven = c.phone IS NOT NULL, psid_proven = c.facebook_psid IS NOT NULL
WHERE c.citizen_id IN (
    SELECT (e.data -> 'citizen' ->> 'citizen_id')::uuid FROM events e
    WHERE e.type = 'ComplaintFiled' AND e.data ->> 'channel' IN ('facebook', 'sms', 'commune_office', 'hotline')
      AND e.data -> 'citizen' ->> 'citizen_id' IS NOT NULL
);

-- Every inbound message (SMS MessageSid, Messenger mid) taken, recorded in the transaction that acts on it:
-- a delivery of a message already here changes nothing. `kind` is what it was read as; no text, no sender.
CREATE TABLE IF NOT EXISTS intake_inbound (
    channel     text        NOT NULL,
    message_id  text        NOT NULL,
    kind        text        NOT NULL,
    case_id     uuid,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (channel, message_id)
);

-- What a unit and a citizen said to each other on a case (questions and replies), for the inbox; part of
-- the case status projection, rebuilt with it.
CREATE TABLE IF NOT EXISTS intake_exchanges (
    case_id uuid        NOT NULL,
    version integer     NOT NULL,
    kind    text        NOT NULL CHECK (kind IN ('question', 'reply')),
    text    text        NOT NULL,
    channel text,
    at      timestamptz NOT NULL,
    PRIMARY KEY (case_id, version)
);

-- An inbound message looks up its sender's open cases.
CREATE INDEX IF NOT EXISTS intake_cases_citizen ON intake_cases (citizen_id, filed_at) WHERE citizen_id IS NOT NULL;
