"""Tools for development, the demo and tests; production code never imports this package.

The Stripe sandbox's defaults live here so the CLI can show them without importing the
sandbox itself (its web stack costs a quarter of a second at every ``opsportal`` call).
"""

STRIPE_SANDBOX_PORT = 12111
# The same as opsportal.settings.SANDBOX_STRIPE_WEBHOOK_SECRET: the app verifies what the sandbox signs.
STRIPE_SANDBOX_WEBHOOK_SECRET = "whsec_opsportal_sandbox"
