"""The credit ledger's rules: products, lots, the consumption order, holds, expiry, read models.

Nothing here touches a database: services load the lots that matter, ask these functions what
to do, and write the resulting entries.
"""
