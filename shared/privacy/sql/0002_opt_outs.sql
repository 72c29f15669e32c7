-- Channel addresses (an E.164 phone, a Messenger PSID) that must not be texted or messaged
-- (shared/privacy/opt_outs.py). Kept as a keyed digest (purpose "opt-out"), never the address: a plain
-- SHA-256 of a phone number is reversed by trying every number. Intake writes STOP and START; notify
-- writes the provider's 21610 answer, and reads this before every text on every channel.
CREATE TABLE IF NOT EXISTS opt_outs (
    address_digest text        PRIMARY KEY,
    source         text        NOT NULL,
    opted_out_at   timestamptz NOT NULL DEFAULT now()
);
