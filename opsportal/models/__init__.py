"""SQLModel tables; importing this package registers every table on SQLModel.metadata."""

from opsportal.models.audit import AuditEvent
from opsportal.models.billing import (
    HourBlock,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
    PaymentAttempt,
    StripeEvent,
)
from opsportal.models.changes import ChangeEvent
from opsportal.models.files import StoredBlob, StoredBlobChunk, TicketAttachment
from opsportal.models.forum import ForumAnswer, ForumCategory, ForumFollower, ForumQuestion, ForumVote
from opsportal.models.jobs import Job
from opsportal.models.kb import KbArticle
from opsportal.models.ledger import CreditHold, CreditLot, LedgerEntry, ProductRow, Ticket
from opsportal.models.login_session import LoginSession
from opsportal.models.mfa import MfaRecoveryCode, UserMfa
from opsportal.models.notifications import NotificationDelivery, NotificationSubscription, OneTimeToken
from opsportal.models.organization import Organization
from opsportal.models.outbox import OutboxMessage, OutboxRecipient
from opsportal.models.plans import (
    IncidentRequest,
    OrgExtraRegion,
    OrgSupportProfile,
    PlanAudit,
    PlanBundle,
    PlanEntitlement,
    PlanOffering,
    PlanOrder,
    SupportRegion,
)
from opsportal.models.services_catalog import CatalogService, ServiceRequest
from opsportal.models.sign_in_failures import SignInFailures
from opsportal.models.software import (
    ProductLicence,
    ProductRelease,
    ProductVersion,
    ReleaseDownload,
    SoftwareProduct,
)
from opsportal.models.support_contacts import SupportPhone, SupportTermsAcceptance, SupportTermsVersion
from opsportal.models.tasks import (
    ServiceSubscription,
    SubscriptionGrant,
    TicketComment,
    TimeEntry,
    TimeEntryRevision,
)
from opsportal.models.ticket_mail import InboundMail, TicketMailUpdate
from opsportal.models.ticket_people import PortalNotification, TicketFollower
from opsportal.models.ticket_ratings import TicketRating
from opsportal.models.time_signoff import TimeReview
from opsportal.models.user import User

__all__ = [
    "AuditEvent", "ChangeEvent", "MfaRecoveryCode", "UserMfa",
    "CreditHold", "CreditLot", "LedgerEntry", "LoginSession", "Organization", "ProductRow", "ServiceSubscription",
    "SubscriptionGrant", "Ticket", "TicketComment", "TimeEntry", "TimeEntryRevision", "User",
    "KbArticle", "HourBlock", "Invoice", "InvoiceCounter", "InvoiceLine", "Payment", "PaymentAttempt", "StripeEvent",
    "Job", "NotificationDelivery", "NotificationSubscription", "OneTimeToken", "OutboxMessage", "OutboxRecipient",
    "IncidentRequest", "OrgExtraRegion", "OrgSupportProfile", "PlanAudit", "PlanBundle", "PlanEntitlement",
    "PlanOffering", "PlanOrder", "SupportRegion", "SignInFailures", "PortalNotification", "TicketFollower",
    "TicketRating",
    "InboundMail", "TicketMailUpdate",
    "TimeReview",
    "StoredBlob", "StoredBlobChunk", "TicketAttachment",
    "ForumAnswer", "ForumCategory", "ForumFollower", "ForumQuestion", "ForumVote",
    "SupportPhone", "SupportTermsAcceptance", "SupportTermsVersion",
    "ProductLicence", "ProductRelease", "ProductVersion", "ReleaseDownload", "SoftwareProduct",
    "CatalogService", "ServiceRequest",
]
