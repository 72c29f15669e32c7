"""SMS mechanics for notify, the dev SMS gateway and intake's SMS door: segments, request signatures."""
