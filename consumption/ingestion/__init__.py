"""Ingestion of the distributors' meter-data files (formats: consumption/samples/README.md)."""
