"""Notify's channels: SMS through the ``SmsProvider`` port (``services/notify/provider.py``, Twilio's API in
``services/notify/twilio.py``) and Messenger through the Send API (``messenger.py``). Which one a notice
takes is decided in ``services/notify/domain/channel.py``."""
