"""All configuration, read once from OPSPORTAL_* environment variables.

Development defaults are safe to run on a laptop; production refuses to start with
a development secret or without an explicit list of allowed origins.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opsportal.domain.origins import is_wildcard, origin_of, origin_problem, with_loopback_twins
from opsportal.domain.secret_strength import secret_weakness

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789abcdef"
# The local Stripe sandbox (`opsportal sandbox stripe`) accepts any sk_test_ key; these are its defaults.
SANDBOX_STRIPE_SECRET_KEY = "sk_test_opsportal_sandbox"
SANDBOX_STRIPE_WEBHOOK_SECRET = "whsec_opsportal_sandbox"
SANDBOX_STRIPE_API_BASE = "http://127.0.0.1:12111"


class Environment(StrEnum):
    development = "development"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPSPORTAL_", extra="ignore")

    env: Environment = Environment.development
    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    # Comma separated, e.g. "https://portal.example.com". Required in production.
    allowed_origins: str = ""
    # Public URL the portal is served on (links in e-mails, redirects).
    public_url: str = "http://localhost:3000"

    # Stripe: production talks to Stripe itself with the account's keys (STRIPE_SECRET_KEY and
    # STRIPE_WEBHOOK_SECRET are read too); development, the demo and tests talk to the local sandbox.
    stripe_secret_key: str = Field(default=SANDBOX_STRIPE_SECRET_KEY, validation_alias=AliasChoices(
        "OPSPORTAL_STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY"))
    stripe_webhook_secret: str = Field(default=SANDBOX_STRIPE_WEBHOOK_SECRET, validation_alias=AliasChoices(
        "OPSPORTAL_STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET"))
    # Empty: Stripe itself. Unset: Stripe in production, the sandbox otherwise.
    stripe_api_base: str | None = None
    stripe_timeout_seconds: int = Field(default=20, ge=1, le=120)

    # Who issues the invoices: the letterhead of the invoice PDF. Address lines are separated by
    # newlines or semicolons; the tax id line is left out when empty.
    vendor_name: str = "OpsPortal Support Services"
    vendor_address: str = "200 Harbour Street, Suite 400\nSeattle, WA 98101\nUnited States"
    vendor_tax_id: str = ""
    # Payment instructions for "or bank transfer", printed on invoices (lines separated like the address);
    # when empty, invoices offer online payment only.
    vendor_bank_details: str = "Bank: First Harbour Bank; Account name: OpsPortal Support Services;" \
        " Account number: 0012 3456 7890; Routing (ABA): 125000024; SWIFT/BIC: FHBKUS6S"

    # Outgoing e-mail (notifications, password resets, invitations) over SMTP; the mailer records every
    # message in the outbox (staff Mail). The defaults reach the local sink (`opsportal sandbox smtp`, a
    # development tool), which saves every message under mail_dir (default data/mail).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_starttls: bool = False  # upgrade a plain connection with STARTTLS (typically port 587)
    smtp_ssl: bool = False  # TLS from the first byte (typically port 465)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: int = Field(default=20, ge=1, le=120)
    mail_from: str = "OpsPortal <no-reply@opsportal.example>"
    mail_dir: Path | None = None
    # How long the outbox keeps a message the mail server took / refused (days; 0 keeps them for ever). The
    # scheduler's retention job deletes older ones. A refused message is what someone investigates later, and there
    # are few of them, so failures are kept longer by default.
    outbox_retention_days: int = Field(default=180, ge=0, le=36500)
    outbox_failed_retention_days: int = Field(default=365, ge=0, le=36500)
    # The in-process scheduler that runs the notification jobs while the portal's backend runs
    # (OPSPORTAL_SCHEDULER=off: leave them to cron, `opsportal notify ...`; the end-to-end tests do).
    scheduler: bool = True

    jwt_audience: str = "opsportal"
    session_ttl_minutes: int = Field(default=8 * 60, ge=5)
    # How long a worker trusts a session it checked before asking the database again. Signing out or
    # changing the password ends the session at once on the worker that did it, and on every other
    # worker within this many seconds.
    session_recheck_seconds: int = Field(default=30, ge=0, le=300)
    # How many reverse proxies (HAProxy in the multi-host setup) stand in front of the portal and append to
    # X-Forwarded-For. 0: the address of a sign-in is the socket's peer and X-Forwarded-For is ignored (a client
    # could write anything there). Also handed to Reflex (rxconfig.trusted_proxy_hops) for the socket's address.
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    # Threads per backend worker that run event handlers' database and network work off the event loop.
    worker_threads: int = Field(default=8, ge=1, le=64)
    # How often each backend process asks the change feed what other processes committed (its own commits
    # wake its pages at once).
    change_poll_ms: int = Field(default=1000, ge=50, le=60_000)

    # Failed sign-ins for one account: the first few are free, then each attempt must
    # wait longer, and past the lock threshold the account is refused for a while.
    login_free_failures: int = Field(default=3, ge=1)
    login_lock_failures: int = Field(default=6, ge=2)
    login_lock_minutes: int = Field(default=15, ge=1)
    # Failed sign-ins from one client address (any accounts, known or not): past this many within the window the
    # address is refused until the window ends. Keep it a few times login_lock_failures, so one address cannot
    # lock many accounts; high enough for an office behind one NAT address.
    login_address_max_failures: int = Field(default=20, ge=1)
    login_address_window_minutes: int = Field(default=15, ge=1)

    # Tests only (refused in production): fixes the clock support coverage, plans and pay-per-incident
    # requests read (opsportal.clock), e.g. "2026-11-21T03:00:00+00:00".
    clock_override: datetime | None = None

    # In-portal notifications (the bell in the header): read lines are deleted this many days after they were
    # read, by the hourly scheduler (a bounded batch a run); unread lines stay.
    portal_notification_retention_days: int = Field(default=90, ge=1, le=36500)
    # Customers acting on their tickets (domain.ticket_actions): a solved or closed ticket may be reopened, and its
    # satisfaction rating changed, within this many days of being solved; after that, a follow-up ticket.
    reopen_window_days: int = Field(default=7, ge=1, le=365)
    # Ticket conversation by e-mail (issue 15): ticket e-mails are answered at support_address+t<id>-<signature>
    # (signed with secret_key); mail to support_address itself opens a ticket. The MTA (or, in development and
    # tests, the SMTP sink) hands each received message to POST /api/mail/inbound with the bearer token
    # inbound_mail_token (empty: derived from secret_key), or pipes it to `opsportal mail receive`.
    support_address: str = "support@support.opsportal.example"
    inbound_mail_token: str = ""
    inbound_mail_max_bytes: int = Field(default=2 * 1024 * 1024, ge=10_000, le=50 * 1024 * 1024)
    # The authserv-id the receiving mail server writes in its Authentication-Results headers (domain.mail_auth):
    # when set, a received message counts only if that server authenticated its From domain (DMARC, or aligned
    # DKIM or SPF). Empty: the From address is trusted in development; production refuses all received mail.
    inbound_mail_authserv_id: str = Field(default="", max_length=255)
    # Ticket e-mails go out from a background thread as soon as the update commits (False: only the scheduler's
    # tick and `opsportal mail send-pending` send them).
    ticket_mail_send_at_once: bool = True
    # Time sign-off (issue 15): the customer approves or disputes a month's time until this many days after the
    # month; what is not disputed by then is approved automatically (domain.time_signoff).
    signoff_days: int = Field(default=5, ge=0, le=60)
    # --- Attachments and stored files (issue 15) -------------------------------------------------------------
    # Where uploaded files are kept: "database" (default; chunks in the portal's database, so every host sees
    # them) or "s3" (any S3-compatible object storage, through boto3).
    storage: str = Field(default="database", pattern="^(database|s3)$")
    storage_s3_bucket: str = ""
    storage_s3_endpoint_url: str = ""  # empty: AWS itself; e.g. http://127.0.0.1:9000 for MinIO
    storage_s3_region: str = "us-east-1"
    storage_s3_access_key_id: str = ""  # empty: boto3's own credential chain (environment, instance role)
    storage_s3_secret_access_key: str = ""
    storage_s3_prefix: str = "opsportal/"
    # Files on tickets and comments: per-file size, files per message, accepted extensions.
    attachment_max_bytes: int = Field(default=10_000_000, ge=1, le=2_000_000_000)
    attachment_max_files: int = Field(default=5, ge=1, le=50)
    attachment_types: str = "png,jpg,jpeg,gif,webp,pdf,txt,log,csv,json,zip,docx,xlsx,pptx,odt,ods,doc,xls,ppt"
    # Software downloads (services.software_catalog): the largest release file staff may upload.
    release_max_bytes: int = Field(default=500_000_000, ge=1, le=20_000_000_000)

    @model_validator(mode="after")
    def _defaults_and_production_guard(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'opsportal.db'}"
        if any(is_wildcard(origin) for origin in self.origins):
            # Reflex answers CORS with credentials: a wildcard would let any site act as the signed-in user.
            raise ValueError("OPSPORTAL_ALLOWED_ORIGINS must list exact origins, not a wildcard ('*')")
        if self.env is Environment.production:
            problems = self._production_problems()
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        if self.clock_override is not None and self.clock_override.tzinfo is None:
            raise ValueError("OPSPORTAL_CLOCK_OVERRIDE must be an instant with a time zone")
        if self.login_lock_failures <= self.login_free_failures:
            raise ValueError("OPSPORTAL_LOGIN_LOCK_FAILURES must exceed OPSPORTAL_LOGIN_FREE_FAILURES")
        return self

    def _production_problems(self) -> list[str]:
        problems = []
        if self.secret_key == DEV_SECRET_KEY:
            problems.append("OPSPORTAL_SECRET_KEY must be set to a random value of 32+ characters")
        elif weakness := secret_weakness(self.secret_key, min_length=32):
            problems.append(f"OPSPORTAL_SECRET_KEY is too weak: the value {weakness}")
        if self.stripe_secret_key == SANDBOX_STRIPE_SECRET_KEY:
            problems.append("STRIPE_SECRET_KEY must be set to the Stripe account's secret key")
        elif weakness := secret_weakness(self.stripe_secret_key, min_length=24):
            problems.append(f"STRIPE_SECRET_KEY is too weak: the value {weakness}")
        if self.stripe_webhook_secret == SANDBOX_STRIPE_WEBHOOK_SECRET:
            problems.append("STRIPE_WEBHOOK_SECRET must be set to the webhook endpoint's signing secret")
        elif weakness := secret_weakness(self.stripe_webhook_secret, min_length=24):
            problems.append(f"STRIPE_WEBHOOK_SECRET is too weak: the value {weakness}")
        if not self.origins:
            problems.append("OPSPORTAL_ALLOWED_ORIGINS must list the portal's origins")
        problems.extend(f"OPSPORTAL_ALLOWED_ORIGINS: {problem}" for origin in self.origins
                        if (problem := origin_problem(origin)) and not is_wildcard(origin))
        public_origin = origin_of(self.public_url)
        if public_origin is None:
            problems.append(f"OPSPORTAL_PUBLIC_URL {self.public_url!r} is not an http(s) URL")
        elif self.origins and public_origin not in {origin_of(o) for o in self.origins}:
            problems.append(f"OPSPORTAL_PUBLIC_URL's origin {public_origin} is not in OPSPORTAL_ALLOWED_ORIGINS")
        if self.clock_override is not None:
            problems.append("OPSPORTAL_CLOCK_OVERRIDE is for tests only")
        if self.storage == "s3" and not self.storage_s3_bucket:
            problems.append("OPSPORTAL_STORAGE_S3_BUCKET must name the bucket when OPSPORTAL_STORAGE=s3")
        return problems

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def cors_origins(self) -> list[str]:
        """The origins that may call the portal from a browser with credentials (Reflex's CORS and socket.io).

        OPSPORTAL_ALLOWED_ORIGINS when set; otherwise (development) the public URL's origin and its
        localhost/127.0.0.1 twin. Never a wildcard, and never empty (socket.io checks no origin at all when
        given an empty list).
        """
        if self.origins:
            return [origin_of(o) or o for o in self.origins]
        return with_loopback_twins([origin_of(self.public_url) or "http://localhost:3000"])

    @property
    def stripe_base(self) -> str | None:
        """The Stripe API base URL, or None for Stripe itself."""
        if self.stripe_api_base is None:
            return None if self.is_production else SANDBOX_STRIPE_API_BASE
        return self.stripe_api_base.rstrip("/") or None

    @property
    def is_production(self) -> bool:
        return self.env is Environment.production

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def vendor_address_lines(self) -> list[str]:
        return [line.strip() for line in self.vendor_address.replace(";", "\n").splitlines() if line.strip()]

    @property
    def vendor_bank_lines(self) -> list[str]:
        return [line.strip() for line in self.vendor_bank_details.replace(";", "\n").splitlines() if line.strip()]

    @property
    def inbound_token(self) -> str:
        """The bearer token of POST /api/mail/inbound: the configured one, else one derived from the secret key."""
        if self.inbound_mail_token:
            return self.inbound_mail_token
        import hashlib
        import hmac

        return hmac.new(self.secret_key.encode(), b"opsportal-inbound-mail", hashlib.sha256).hexdigest()

    @property
    def mail_directory(self) -> Path:
        """Where the local SMTP sink (a development tool) saves the messages it catches."""
        return self.mail_dir or self.data_dir / "mail"


@lru_cache
def get_settings() -> Settings:
    return Settings()
