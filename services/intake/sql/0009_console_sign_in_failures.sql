-- Failed sign-ins under names that are no account (or a disabled one), counted like an account's own
-- (console_accounts.failed_sign_ins, locked_until) so that such a name locks after as many failures and
-- for as long: a lock that only real accounts showed would tell who has one. The name is kept only as a
-- keyed digest (purpose `console-sign-in`): people type passwords into the name field.
CREATE TABLE console_sign_in_failures (
    name_digest     text        PRIMARY KEY,
    failed_sign_ins integer     NOT NULL DEFAULT 0,
    locked_until    timestamptz
);
