"""Community CLI: the demo seeder."""
