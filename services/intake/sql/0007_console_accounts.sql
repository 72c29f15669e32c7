-- The console's accounts and sessions (docs/console.md). Accounts are made with `python -m cli users add`
-- and never deleted, only disabled: an account's id is the actor id of every event it caused, so it must
-- keep meaning the same person. Failed sign-ins are counted here, not in a process, so every replica
-- locks an account after the same number of failures.
CREATE TABLE console_accounts (
    account_id       text        PRIMARY KEY,
    role             text        NOT NULL CHECK (role IN ('unit', 'working_group', 'ops')),
    unit_id          text,
    password_hash    text        NOT NULL,
    failed_sign_ins  integer     NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    disabled_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'unit') = (unit_id IS NOT NULL))
);

-- One row per signed-in browser. The cookie holds a random token; only its SHA-256 is kept, so reading
-- this table does not let anyone sign in. Signing out, disabling an account or resetting its password
-- deletes its rows: the session ends on every replica at once.
CREATE TABLE console_sessions (
    token_sha256 bytea       PRIMARY KEY,
    account_id   text        NOT NULL REFERENCES console_accounts (account_id),
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_account ON console_sessions (account_id);
