"""The SLA domain: business calendar, policy, deadline clocks. Pure: no I/O, time passed in."""
