"""Notify's domain: who hears about which case event, in which words, and when a failed send is retried.

Pure: no I/O beyond reading the template files; time and randomness are passed in.
"""
