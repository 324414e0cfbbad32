"""A notice as e-mail: who receives it (subscribers, each with the time zone their instants are written in) and the
message composed from its template, with the unsubscribe link (or, for an organization's invoice address, without).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.notifications import NotificationKind
from opsportal.models import User
from opsportal.models.plans import OrgSupportProfile, SupportRegion
from opsportal.services import mailer
from opsportal.services.portal_urls import portal_url
from opsportal.services.subscriptions import (
    notifications_page_url,
    one_click_unsubscribe_url,
    subscribers_where,
    unsubscribe_page_url,
    unsubscribe_token,
    with_choice,
)


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    full_name: str
    role: str
    organization_id: int
    # The zone every instant in their e-mail is written in (services.auth.user_time_zone's rule).
    time_zone: str = formats.DEFAULT_TIME_ZONE

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def instant(self, at: datetime) -> str:
        """``3 Dec 2026, 09:05 EST``: an instant as this recipient reads it, the zone named."""
        return formats.instant(at, self.time_zone)


def home_zones(session: Session, organization_ids: Iterable[int]) -> dict[int, str]:
    """Each organization's home region's zone, in one query (the zone of its users who chose none)."""
    ids = sorted(set(organization_ids))
    if not ids:
        return {}
    rows = session.exec(select(OrgSupportProfile.organization_id, SupportRegion.time_zone)
                        .join(SupportRegion, SupportRegion.code == OrgSupportProfile.home_region_code)
                        .where(OrgSupportProfile.organization_id.in_(ids))).all()
    return {org_id: zone for org_id, zone in rows if zone}


def recipients(session: Session, kind: NotificationKind, organization_ids: Iterable[int] | None = None
               ) -> dict[int, list[Recipient]]:
    """Subscribers of ``kind`` per organization (every organization, or the ones given), in id order."""
    stmt = with_choice(select(User.id, User.email, User.full_name, User.role, User.organization_id,
                              User.time_zone), kind).where(User.organization_id.is_not(None), subscribers_where(kind))
    if organization_ids is not None:
        stmt = stmt.where(User.organization_id.in_(list(organization_ids)))
    rows = session.exec(stmt.order_by(User.organization_id, User.id)).all()
    # Users who chose no zone read their organization's home region's: one query for every organization at once.
    homes = home_zones(session, {org_id for *_, org_id, own in rows if not own})
    out: dict[int, list[Recipient]] = {}
    for uid, email, name, role, org_id, own in rows:
        zone = own or homes.get(org_id) or formats.DEFAULT_TIME_ZONE
        out.setdefault(org_id, []).append(Recipient(uid, email, name, role, org_id, zone))
    return out


def invoice_address_notice(kind: NotificationKind, address: str, org_name: str, template: str, *, subject: str,
                           heading: str, preheader: str, **context) -> mailer.Mail:
    """The copy of an invoice notice for the organization's invoice address: no one's subscription, so no
    unsubscribe link; the footer says where the address is changed."""
    organization_id = context.pop("organization_id")
    footer = {"invoice_address": True, "organization": org_name,
              "manage_url": portal_url(routes.organization(organization_id))}
    text, html = mailer.render(template, subject=subject, heading=heading, preheader=preheader,
                               recipient_name=org_name, footer=footer, **context)
    return mailer.Mail(to_address=address, to_name=org_name, subject=subject, text=text, html=html,
                       headers={"X-OpsPortal-Notification": kind.value}, kind=kind.value,
                       organization_id=organization_id)


def notice(kind: NotificationKind, r: Recipient, org_name: str, template: str, *, subject: str,
           heading: str, preheader: str, **context) -> mailer.Mail:
    """A subscriber's notice: the footer names the notification and links to unsubscribe (and one-click)."""
    token = unsubscribe_token(r.id, kind)
    footer = {"label": kind.label, "organization": org_name, "unsubscribe_url": unsubscribe_page_url(token),
              "manage_url": notifications_page_url()}
    text, html = mailer.render(template, subject=subject, heading=heading, preheader=preheader,
                               recipient_name=r.display_name, footer=footer, **context)
    return mailer.Mail(to_address=r.email, to_name=r.full_name, subject=subject, text=text, html=html,
                       unsubscribe_url=one_click_unsubscribe_url(token),
                       headers={"X-OpsPortal-Notification": kind.value}, kind=kind.value,
                       organization_id=r.organization_id or None)
