-- Opt-outs move to the shared, keyed table `opt_outs` (shared/privacy/sql/0002_opt_outs.sql): a plain SHA-256
-- of a phone number is reversed by trying every number. The key is not the database's to know, so the old
-- rows are set aside here and re-keyed by notify as it starts (services/notify/opt_outs.py), which then
-- drops them.
ALTER TABLE IF EXISTS sms_opt_outs RENAME TO sms_opt_outs_unkeyed;
