"""The pre-filled import: the tender's listing (members, contacts, sites) read from Excel into a syndicate."""
