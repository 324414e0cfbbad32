"""Demo K2 Community: four categories and a few threads between Northwind, Fabrikam and the support team, one
with an accepted answer, one with a staff pick.

Idempotent: a category whose address exists, or a question whose title exists, is left as it is. Demo users who
are missing (the organizations' demo was not loaded) leave their threads out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.identity import email_key
from opsportal.models import ForumAnswer, ForumCategory, ForumFollower, ForumQuestion, User
from opsportal.services.authz import Actor, require_staff_admin

CATEGORIES = (
    ("getting-started", "Getting started", "Your first K2 server, licences and the portal."),
    ("servers-installation", "Servers & installation", "Installing, configuring and running K2 servers."),
    ("workflows-forms", "Workflows & forms", "Designing workflows, SmartForms and integrations."),
    ("upgrades-hotfixes", "Upgrades & hotfixes", "Moving between versions and applying hotfixes."),
)
MARK, FIONA, OLIVIA, ALEX = ("mark.osei@northwind.example", "fiona.walsh@fabrikam.example",
                             "olivia.hart@northwind.example", "alex.kim@opsportal.example")
# (category, asker, title, body, days ago, [(author, body, accepted, staff pick)])
THREADS = (
    ("servers-installation", MARK, "K2 server stops responding after the nightly backup",
     "Every morning around 02:30 our K2 server stops answering until we restart the service. The backup job "
     "runs at 02:00 and snapshots the SQL database.\n\nWhat should we look at first?", 9,
     [(ALEX, "This is usually the backup holding a lock on the K2 database. Check that the job uses "
             "**copy-only** snapshots, and look in the host log for errors between 02:00 and 02:30:\n\n"
             "1. Open the K2 host server log.\n2. Search for `timeout` around the backup window.\n"
             "3. If you see lock timeouts, move the backup or switch it to copy-only.", True, False),
      (FIONA, "We had the same problem: moving our backup to 04:00, after the nightly workflows, fixed it.",
       False, False)]),
    ("workflows-forms", FIONA, "How do you version SmartForms between test and production?",
     "We keep breaking forms when we deploy from test to production. How do other teams package and version "
     "their SmartForms?", 6,
     [(OLIVIA, "We package each release with the Package and Deployment tool and keep the packages in source "
               "control, one folder per version. Deploying the same package to test first catches most problems.",
       False, True),
      (ALEX, "Worth adding: see [Package and Deployment](https://help.k2.example/package-deployment) for the "
             "options that keep existing data when you redeploy.", False, False)]),
    ("upgrades-hotfixes", OLIVIA, "Is the latest cumulative hotfix safe to apply mid-quarter?",
     "Has anyone applied the latest cumulative hotfix yet? Any surprises with existing workflows?", 3, []),
    ("getting-started", MARK, "Where do I find our licence keys?",
     "A colleague left and we need our licence keys for a new test server. Where are they kept?", 1,
     [(ALEX, "Your organization's owners can see them under Support plan in this portal; if they are not "
             "there, submit a ticket and we will send them to an owner.", False, False)]),
)


def _user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email_key == email_key(email))).first()


# Answers their authors edited an hour after posting (thread title -> answer number): the demo shows "edited".
EDITED_ANSWERS = {"K2 server stops responding after the nightly backup": 2}


def load_demo_forum(actor: Actor, *, now: datetime | None = None) -> int:
    """Adds what is missing of the demo community; returns how many questions it added."""
    require_staff_admin(actor)
    now = now or clock.now()
    added = 0
    with unit_of_work() as session:
        categories = {c.slug: c for c in session.exec(select(ForumCategory)).all()}
        for position, (slug, name, description) in enumerate(CATEGORIES):
            if slug not in categories:
                row = ForumCategory(slug=slug, name=name, description=description, position=position,
                                    created_at=now - timedelta(days=30))
                session.add(row)
                session.flush()
                categories[slug] = row
        titles = set(session.exec(select(ForumQuestion.title)).all())
        for slug, asker_email, title, body, days, answers in THREADS:
            asker = _user(session, asker_email)
            if title in titles or asker is None:
                continue
            asked = now - timedelta(days=days)
            question = ForumQuestion(category_id=categories[slug].id, author_user_id=asker.id,
                                     organization_id=asker.organization_id, title=title, body_md=body,
                                     created_at=asked, last_activity_at=asked)
            session.add(question)
            session.flush()
            session.add(ForumFollower(question_id=question.id, user_id=asker.id, created_at=asked))
            for n, (author_email, text, accepted, pick) in enumerate(answers, start=1):
                author = _user(session, author_email)
                if author is None:
                    continue
                at = asked + timedelta(hours=3 * n)
                answer = ForumAnswer(question_id=question.id, author_user_id=author.id,
                                     organization_id=author.organization_id, from_staff=author.role in (
                                         "agent", "staff_admin"), body_md=text, staff_mark="staff_pick" if pick else "",
                                     created_at=at,
                                     edited_at=at + timedelta(hours=1) if EDITED_ANSWERS.get(title) == n else None)
                session.add(answer)
                session.flush()
                question.answer_count += 1
                question.last_activity_at = at
                if accepted:
                    question.accepted_answer_id = answer.id
            session.add(question)
            added += 1
    return added
