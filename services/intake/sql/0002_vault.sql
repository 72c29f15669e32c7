-- The personal-data vault: the only place names, phone numbers and Messenger ids are kept. Events carry
-- citizen_id; erasing a citizen deletes this row and leaves the log as it is. Intake owns it (it files,
-- and so writes, every citizen); notify reads it. Databases made before intake owned it have it already.
CREATE TABLE IF NOT EXISTS citizens (
    citizen_id    uuid PRIMARY KEY,
    name          text,
    phone         text,
    facebook_psid text,
    language      text NOT NULL DEFAULT 'km',
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Filings look citizens up by phone and by Messenger id.
CREATE INDEX IF NOT EXISTS citizens_phone ON citizens (phone) WHERE phone IS NOT NULL;
CREATE INDEX IF NOT EXISTS citizens_facebook_psid ON citizens (facebook_psid) WHERE facebook_psid IS NOT NULL;
