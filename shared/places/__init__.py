"""Cambodia's places and the units that serve them: records, gazetteer, text search, units."""
