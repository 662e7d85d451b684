"""Services shared by every edge: the ceremony steps over a run store, and receipts from verified bundles."""
