-- When the citizen last wrote to the page on Messenger (Meta's timestamp of the message). Meta lets the page
-- write back freely only within 24 hours of it, so notify reads it to choose Messenger or SMS
-- (docs/contract.md §Messenger out). Written by the Messenger webhook for every message it accepts; erased
-- with the row.
ALTER TABLE citizens ADD COLUMN IF NOT EXISTS messenger_last_message_at timestamptz;
