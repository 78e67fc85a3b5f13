"""The app's plumbing, shared by every audience: settings, the database models and schema, logs,
rate limits, security headers, errors, counts and the receipts they go by."""
