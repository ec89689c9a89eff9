"""Plain records and match keys that every stage passes along (users, contact points, mirrored streams); no I/O."""
