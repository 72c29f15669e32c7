"""Cambodia's places and the units that serve them: place records, the gazetteer, the unit registry."""
