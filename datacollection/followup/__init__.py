"""Follow-up of a campaign: every member's state and progress, reminders, exports (back-office and coordinator)."""
