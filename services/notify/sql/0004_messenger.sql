-- Messenger out (docs/contract.md §Messenger out). messenger_since: when the citizen wrote the Messenger
-- message that filed the case (from its ComplaintFiled), so a receipt finds Meta's 24-hour window open
-- even before intake's webhook has recorded the message in the vault. channel: the channel a sent or
-- failed notice went on (sms or messenger).
ALTER TABLE notifications ADD COLUMN messenger_since timestamptz, ADD COLUMN channel text;
