"""Where a tenant's data comes from: a recorded snapshot, a redacted copy, live Microsoft Graph, a synthetic tenant."""
