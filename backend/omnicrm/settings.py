"""Typed settings for OmniCRM: one object, embedded defaults, production via environment."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INSTANCE = REPO_ROOT / "instance"


class Settings(BaseSettings):
    """Every knob the app reads. Tests build one with arguments, never by mutating os.environ."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    env: Literal["embedded", "production", "test"] = "embedded"
    instance_path: Path = DEFAULT_INSTANCE
    secret_key: str = ""
    database_url: str = ""
    redis_url: str = ""
    log_json: bool = True
    log_level: str = "INFO"

    # JWT
    jwt_access_ttl_seconds: int = 15 * 60
    jwt_refresh_ttl_seconds: int = 14 * 24 * 3600
    jwt_audience: str = "omnicrm"
    jwt_issuer: str = "omnicrm"

    # passwords and login protection
    bcrypt_rounds: int = 12
    login_rate_limit: str = "30 per minute"
    login_delay_after_failures: int = 5
    login_max_delay_seconds: int = 300
    login_hard_lock_failures: int = 100
    login_hard_lock_seconds: int = 900
    # Wrong 2FA codes: per (account, client), then a much higher ceiling per account from
    # anywhere (NIST SP 800-63B: at most 100), each counted over its window.
    totp_max_failures: int = 5
    totp_failure_window_seconds: int = 300
    totp_account_max_failures: int = 100
    totp_account_failure_window_seconds: int = 3600
    default_rate_limit: str = ""

    # API behaviour
    max_page_size: int = 100
    # Seconds a cached read (customer list/detail) may live; writes invalidate at once. 0 = off.
    response_cache_ttl: int = 30
    # Cached responses each process also keeps in memory (a hit then needs no Redis read).
    response_cache_local_entries: int = 512
    # Answer a repeated cached read before Flask (same checks, same bytes): response_cache.replay
    response_cache_replay: bool = True
    max_content_length: int = 10 * 1024 * 1024
    cors_origins: list[str] = Field(default_factory=list)
    public_url: str = "http://localhost:5000"
    # Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For/Proto to trust, so
    # login throttling and the audit log see the real client address. 0 = none (direct).
    proxy_fix_hops: int = 0
    # Region used to read phone numbers typed without a country code (ISO 3166-1 alpha-2).
    default_phone_region: str = "US"
    # The operator's currency (ISO 4217): customers and products created without one get it.
    # A product is sold only to customers billed in its currency.
    default_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")

    # adapters (switch on when set)
    google_maps_api_key: str = ""
    google_maps_base_url: str = ""
    mail_from: str = "OmniCRM <no-reply@omnicrm.local>"

    # notifications (docs/notifications.md). MAIL_BACKEND "auto": Mailjet when its keys are set,
    # else SMTP when SMTP_HOST is, else .eml files under instance/outbox/ (nothing leaves).
    mail_backend: Literal["auto", "file", "smtp", "mailjet"] = "auto"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    mailjet_api_key: str = ""
    mailjet_api_secret: str = ""
    mailjet_api_url: str = "https://api.mailjet.com/"
    mailjet_sandbox: bool = False
    # Catalogued templates sent as Mailjet templates, e.g. {"invoice_issued": 4711}.
    mailjet_templates: dict[str, int] = Field(default_factory=dict)
    # The credentials of Mailjet's event webhook (put them in the URL given to Mailjet:
    # https://user:password@crm.example.com/crm/webhook/mailjet). Unset: the webhook is off.
    mailjet_webhook_user: str = ""
    mailjet_webhook_password: str = ""
    # Where an operator's templates override the built-in ones (default
    # instance/templates/notifications): same file names, e.g. invoice_issued.html.
    notification_template_dir: Path | None = None
    # Delivery attempts of one message (with backoff) before it is marked failed.
    notification_max_attempts: int = Field(default=6, ge=1, le=20)
    # A message still queued this long after its last attempt is handed to a worker again
    # (the broker lost it, a worker died): nothing stays queued for ever.
    notification_requeue_minutes: int = Field(default=15, ge=1)

    # workers
    worker_processes: int = 2
    worker_threads: int = 4
    embedded_worker_threads: int = 2

    # the scheduler (`omnicrm scheduler`; a thread of embedded `omnicrm run`): docs/scheduler.md
    embedded_scheduler: bool = True
    # Per-job schedule overrides, JSON in the environment, e.g.
    # {"inventory.release_quarantine": "every 1m", "provisioning.reap": "off"}.
    scheduler_schedules: dict[str, str] = Field(default_factory=dict)
    # Time zone of cron schedules ("cron 0 2 * * *" is 02:00 there).
    scheduler_timezone: str = "UTC"
    # A due time missed by up to this (a restart, a stall) still fires, once.
    scheduler_misfire_grace_seconds: int = 300
    scheduler_run_retention_days: int = 14

    # provisioning (Ansible plays in workers)
    ansible_dir: Path = REPO_ROOT / "ansible"
    # Where plays write the network side (HSS-like spool, device configs); default instance/network.
    network_spool_dir: Path | None = None
    # A running job's worker renews its lease every third of this; a lapsed lease means a dead
    # worker: the job is re-queued (retries left) or failed.
    provisioning_lease_seconds: int = 30
    provisioning_max_retries: int = 3
    provisioning_retry_backoff_seconds: float = 5.0  # doubled per retry
    provisioning_timeout_seconds: int = 600
    # Who hears about failed jobs (comma separated in the environment).
    provisioning_failure_emails: str = ""
    # Who keeps balances: "internal" (our own ledger) or "cgrates" (the plays talk to CGRateS).
    charging_backend: Literal["internal", "cgrates"] = "internal"
    cgrates_url: str = "http://127.0.0.1:2080/jsonrpc"
    cgrates_tenant: str = "cgrates.org"

    # billing (docs/billing.md)
    # Days from an invoice's issue date to its due date.
    billing_payment_terms_days: int = 14
    # Suspended services: "skip" (not charged while suspended; suspension credits the rest of
    # a billed period, resumption charges from that day) or "bill" (charged as if active).
    billing_suspended_policy: Literal["skip", "bill"] = "skip"
    # A billing run issues (numbers and mails) its invoices at once, or leaves them as drafts.
    billing_auto_issue: bool = True
    # Customers per unit of work in a billing run (each commits with the run's progress).
    billing_chunk_size: int = Field(default=2000, ge=1)
    # Dunning: steps by days past an invoice's due date (reminder, suspend, termination_request).
    dunning_steps: list[dict[str, Any]] = Field(
        default_factory=lambda: [
            {"days": 7, "action": "reminder"},
            {"days": 14, "action": "reminder"},
            {"days": 21, "action": "suspend"},
            {"days": 45, "action": "termination_request"},
        ]
    )
    # Stripe (docs/payments.md): card payments go through Stripe when a secret key is set.
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    # Where the Stripe library sends its calls (a proxy or a test double may stand in).
    stripe_api_base: str = "https://api.stripe.com"
    stripe_timeout_seconds: float = Field(default=30.0, gt=0)
    # Retries of a call whose answer was lost (each with the same idempotency key: no double).
    stripe_max_network_retries: int = Field(default=2, ge=0, le=5)
    # How old a webhook's signed timestamp may be (replays of older ones are refused).
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1)
    # Cards expiring within this many days are listed, and their owners reminded once.
    card_expiry_warning_days: int = Field(default=60, ge=1)
    # A gateway payment with no answer for this long, and no trace at the gateway, has failed.
    payment_unknown_grace_minutes: int = Field(default=15, ge=0)
    # Postpaid invoices due today are charged to the customer's default card (when Stripe is on).
    payment_autocharge: bool = True

    # Bulk imports (docs/imports.md): where uploads wait for their job (default instance/imports),
    # the largest file, rows per committed chunk, and how long a running import may go without
    # committing a chunk before imports.reap hands it to another worker.
    import_directory: Path | None = None
    import_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    import_chunk_size: int = Field(default=500, ge=1, le=10_000)
    import_stale_seconds: int = Field(default=300, ge=10)

    # Tickets: hours from opening to due, per priority (the SLA).
    ticket_sla_hours: dict[str, float] = Field(
        default_factory=lambda: {"urgent": 4.0, "high": 8.0, "normal": 24.0, "low": 72.0}
    )
    # The hours SLAs count in, e.g. {"days": [0,1,2,3,4], "start": "09:00", "end": "17:00",
    # "timezone": "Europe/Berlin"}; unset: around the clock.
    ticket_business_hours: dict[str, Any] | None = None

    # Ticket attachments: where they are stored (default instance/attachments) and how large.
    ticket_attachment_dir: Path | None = None
    ticket_attachment_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)

    # What an invoice PDF says about the operator (the template is instance/templates/
    # invoice.html when there is one, else the built-in one).
    company_name: str = "OmniCRM Operator"
    company_address: str = ""
    company_tax_id: str = ""
    # How customers reach the operator (printed on the contract PDF's letterhead).
    company_email: str = ""
    company_phone: str = ""
    company_bank_details: str = ""
    company_logo: Path | None = None
    invoice_footer: str = "Thank you for your business."

    frontend_dist: Path = REPO_ROOT / "frontend" / "dist"
    # /metrics: with a token, a scraper sends `Authorization: Bearer <token>`; without one, only
    # clients on this machine (loopback) get an answer.
    metrics_token: str = ""

    @property
    def failure_recipients(self) -> list[str]:
        return [a.strip() for a in self.provisioning_failure_emails.split(",") if a.strip()]

    @property
    def attachment_dir(self) -> Path:
        return self.ticket_attachment_dir or self.instance_path / "attachments"

    @property
    def import_dir(self) -> Path:
        return self.import_directory or self.instance_path / "imports"

    @property
    def template_dir(self) -> Path:
        return self.notification_template_dir or self.instance_path / "templates" / "notifications"

    @property
    def spool_dir(self) -> Path:
        return self.network_spool_dir or self.instance_path / "network"

    @field_validator("bcrypt_rounds")
    @classmethod
    def _bcrypt_bounds(cls, value: int) -> int:
        if not 4 <= value <= 16:
            raise ValueError("bcrypt_rounds must be between 4 and 16")
        return value

    @model_validator(mode="after")
    def _fill_embedded_defaults(self) -> Settings:
        if self.env == "production":
            if not self.secret_key or len(self.secret_key) < 32:
                raise ValueError("SECRET_KEY of at least 32 characters is required in production")
            if self.bcrypt_rounds < 12:
                raise ValueError("bcrypt_rounds must be >= 12 in production")
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_path / 'omnicrm.db'}"
        if not self.secret_key:
            self.secret_key = _instance_secret(self.instance_path)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_real_redis(self) -> bool:
        return bool(self.redis_url)


def _instance_secret(instance_path: Path) -> str:
    """Generate the embedded secret once and keep it under instance/, so tokens survive restarts."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value
