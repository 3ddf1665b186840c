"""The billing engine: pure functions from a site, periods, quantities, prices and rates to
invoice lines and totals. Nothing in this package touches the database."""
