"""The demo knowledge base: (slug, title, category, published, Markdown body).

Written as a support vendor would publish them; headings start at level 2 because the page's
title is the level-1 heading.
"""

from __future__ import annotations

VPN = """\
If the VPN will not connect, or connects and then drops every few minutes, work through these
steps in order. Most problems are fixed by step 3.

## 1. Check the network you are on
- Open a website. If nothing loads, the problem is your internet connection, not the VPN: see
  *Wi-Fi drops out or is slow*.
- Hotel, airport and guest Wi-Fi often need you to accept terms in a browser first. Open any
  website, accept, then connect the VPN again.
- Some guest and mobile networks block VPN traffic. Try a phone hotspot to find out.

## 2. Sign in again
VPN sign-ins expire. Disconnect, quit the VPN client completely (also from the system tray or
menu bar), start it again and sign in. If you are asked for an MFA code and it is refused, see
*Reset your password or move MFA to a new phone*.

## 3. Stop the VPN from dropping every few minutes
Regular disconnects (every 2, 5 or 10 minutes) usually come from one of these:
- **Power saving** turns the network adapter off. On Windows: Device Manager → Network
  adapters → your Wi-Fi adapter → Power Management → untick *Allow the computer to turn off this
  device to save power*.
- **Two VPN clients** installed side by side fight over the tunnel. Uninstall the one your
  company does not use.
- **Weak Wi-Fi**: move closer to the access point or use a cable and watch whether it still drops.
- **Out-of-date client**: install the version your IT team publishes in the software centre.

## 4. Restart, then tell us
Restart the computer and try once more. If it still fails, submit a ticket with:
- the exact error message (a screenshot is best) and the time it happened;
- the network you were on (home, office, hotel, mobile hotspot);
- whether colleagues on the same network are affected.

Several people losing the VPN at once is treated as an outage: mark the ticket **urgent**.
"""

PASSWORD = """\
## Forgotten password, or you cannot log in
1. On the sign-in page choose **Can't access your account?** or **Forgot password**.
2. Confirm with your MFA method (authenticator app, text message or phone call).
3. Choose a new password: at least 12 characters; a short sentence is easier to remember
   than symbols. Do not reuse an old password.
4. Sign in again on your phone and any other device that uses the old password (mail apps
   keep asking until you do).

If self-service reset is not enabled for your company, submit a ticket from another person's
account or call the service desk. For your security we never ask for your password and never
send a new one by e-mail.

## Account locked
After several wrong passwords the account locks for a short time. Wait 15 minutes before you
try again; more attempts extend the lock. If it stays locked, submit a ticket.

## New phone: moving MFA
Before you wipe or hand in the old phone, open your account's security page and add the new
phone as a second method, then remove the old one.

Lost the old phone already? Submit a ticket with the subject "MFA reset". An agent confirms
who you are (a call back to your number on record, or your manager's approval) before
removing the old method. This protects you from someone pretending to be you.

## Codes are refused
Authenticator codes depend on the phone's clock. Turn on *Set time automatically* in the
phone's settings and try a fresh code.
"""

PRINTER = """\
When documents wait in the queue and nothing comes out, or the printer shows *offline*:

## Quick checks
- Is the printer on, with paper, toner and no error on its display? Clear any paper jam and
  close every tray and door.
- Print a test page from the printer's own menu. If that fails too, the printer needs
  service: submit a ticket with the error shown on its display.

## Clear a stuck queue (Windows)
1. Open **Settings → Bluetooth & devices → Printers & scanners**, choose the printer and
   **Open print queue**.
2. Cancel every document (right-click → Cancel). A document stuck on *Deleting* needs step 3.
3. Restart the **Print Spooler** service: press Windows+R, type `services.msc`, find *Print
   Spooler*, right-click → Restart.
4. Print again.

## Clear a stuck queue (Mac)
Open **System Settings → Printers & Scanners**, choose the printer, **Printer Queue**, and
delete the waiting jobs. If the printer shows *paused*, choose **Resume**.

## Printing to the wrong printer or a missing printer
Office printers are installed for you when you sign in on the office network or VPN. Sign
out and back in while connected. Still missing? Submit a ticket with the printer's name,
usually on a label on the front.

## When to submit a ticket
- The whole floor cannot print (mark it **high**).
- The same job gets stuck again after a spooler restart.
- The printer asks for a PIN or card you do not have.
"""

OUTLOOK = """\
## Outlook keeps asking for a password
1. Make sure you can sign in to webmail in a browser. If you cannot, your password has
   expired: see *Reset your password or move MFA to a new phone*.
2. Close Outlook, open **Credential Manager** (Windows), remove the entries that mention
   *Outlook*, *Office* or *MicrosoftOffice16*, and start Outlook again.
3. Make sure Office is up to date: **File → Office Account → Update Options → Update Now**.

## Mail does not arrive or send
- Check the bottom bar: *Working offline* means the **Send/Receive → Work Offline** button is
  on. Click it again.
- Messages stuck in the Outbox are often too large. Attachments over 25 MB must be shared as
  a link instead.
- Look in **Junk Email**; mark a message *Not junk* to teach the filter.

## Mailbox full
When the mailbox is nearly full you stop receiving mail.
- Empty **Deleted Items** and **Junk Email**.
- Sort by size (search `size:>10MB`) and delete or save large attachments.
- If your company has an archive mailbox, turn on auto-archive for old mail.

If you need more space, submit a ticket; larger mailboxes may change your licence cost and
your organization's administrator has to approve it.

## Shared mailbox or calendar missing
Shared mailboxes appear automatically after access is granted, but can take up to an hour.
Ask the owner of the mailbox to approve access in a ticket, then restart Outlook.

## Slow or freezing Outlook
Start Outlook in safe mode (hold Ctrl while opening it). If it is fast there, an add-in is
the cause: **File → Options → Add-ins** and disable them one at a time.
"""

WIFI = """\
Wi-Fi (wireless, WiFi) problems usually come from distance, interference or a stale
connection.

## Drops out or keeps reconnecting
1. Turn Wi-Fi off and on, or restart the laptop.
2. **Forget** the network and join it again with the current password.
3. Move closer to the access point: walls, lifts and kitchens weaken the signal.
4. Turn off the adapter's power saving (see *VPN disconnects or will not connect*, step 3).

## Slow
- Run a speed test at your desk and write down the result and the time.
- Prefer the 5 GHz network if your office has one: it is faster and less crowded than
  2.4 GHz.
- Video calls suffer first; a cable is always more reliable for important meetings.

## Only you, or everyone?
- **Only you**: update the Wi-Fi driver from the software centre, or try another device.
- **Everyone in an area or a store**: that is an access point or internet fault. Submit a
  ticket marked **high** (or **urgent** if card terminals or tills are affected), with the
  location and when it started.

## Guest Wi-Fi
Guest networks are separated from company systems on purpose: you cannot reach file shares
or printers from them. Use the company network or the VPN.
"""

RESTORE = """\
We back up servers, file shares and Microsoft 365 mailboxes every night and keep the copies
for the period in your contract (usually 30 days of daily copies and 12 monthly copies).

## Before you ask for a restore
- Check the **Recycle Bin** (Windows), **Trash** (Mac) or **Deleted Items** in Outlook.
- Files in OneDrive or SharePoint: open the folder in a browser, choose **Recycle bin** or
  **Version history** to bring back an older version yourself.

## Request a restore
Submit a ticket in the category *Backup & recovery* with:
1. **What**: the full path of the file or folder (for example
   `\\\\fileserver\\finance\\2025\\budget.xlsx`), the mailbox and folder, or the server.
2. **When**: the last date and time the data was still correct.
3. **Where to**: put it back in place (overwriting the current copy) or next to it with
   *restored* in the name. When unsure, we restore next to it.

A restore of a few files is usually done within one business day. A whole server is a
larger piece of work: an agent agrees the plan and the downtime with you first.

## Time and cost
Restores are support work: the time an agent spends is drawn from your prepaid hours like any
other ticket (see *How prepaid hours and service credits work*).

## Ransomware or data deleted on purpose?
Do not try to restore yourself. Disconnect the affected computer from the network, and
submit an **urgent** ticket or call the emergency line.
"""

NEW_STARTER = """\
Give us **five business days** before the start date, so the laptop is ready and signed in
on day one.

## What to send
Submit a ticket in the category *End-user support* with:
- full name, job title and start date;
- department and line manager (the manager approves access);
- laptop model (standard or developer) and any extras: second screen, headset, phone;
- mailboxes, shared folders and applications they need, ideally "the same as" a colleague;
- whether they work in the office, remotely or both (remote starters get the laptop by
  courier).

## What happens next
1. An agent confirms the order and the cost of the hardware, if it is not in stock.
2. We create the account, licences and mailbox, and prepare the laptop with your company's
   software and security settings.
3. On the first day the starter signs in with a temporary password and sets up MFA; the
   password must be changed at first sign-in.

## Leavers
Submit a ticket as soon as you know the last day. We disable the account at the end of that
day, keep the mailbox for the agreed period, and collect the laptop.

## Time used
Preparing a laptop and accounts typically takes 1 to 2 hours of support time, drawn from
your prepaid hours.
"""

CREDITS = """\
Your organization can hold two kinds of prepaid balance, shown under **Hours & Credits**:

- **Support hours**: time our agents spend on your tickets, counted to the minute.
- **Service credits**: units for fixed-price services (for example a laptop build or a
  security review).

## Where they come from
Each grant is a **lot** with a quantity, a type and usually an expiry date:
- **Purchased**: hours or credits you bought, on their own or with a support plan.
- **Complimentary**: given by us, for example as a goodwill gesture or with a new contract.

## When they expire
A lot with an expiry date can be used **through the end of that day (UTC)**. What is left
after that expires: it appears under *Expired in the last 365 days* and can no longer be
used. Lots without an expiry date never expire.

The **Expiry schedule** shows how much of your available credit expires in 0–30, 31–60, 61–90
and 91–120 days, so you can plan work before it is lost. The weekly expiry notice e-mail warns
subscribers about credit expiring in the next 30 days.

## In play, used, available
- When an agent starts on a ticket, credit is **held** for it: it shows as *In play on open
  tickets*, by service category.
- When the ticket is closed, the time actually spent becomes **used**; anything held but not
  needed goes back to *available*.
- A hold keeps its credit even past the lot's expiry date until the ticket closes; credit
  released after the expiry date expires at once.

## Sharing across your organizations
A lot allocated to **All organizations** can be used by the organization that holds it and by
all its subsidiaries. A lot allocated to one organization is used by that organization only.
A parent never uses a subsidiary's credit, and sister companies never share. Owners and
administrators can change the allocation on the *Credit list*.

## When hours run out
Work that no prepaid hours cover is billed as pay-as-you-go at your organization's hourly
rate on the next invoice. See *Buy more support hours* to top up before that happens.
"""

CONSUMPTION = """\
When an agent's time or a service is charged, the portal takes credit from your lots in a
fixed order, so the credit most at risk of expiring is used first. The **Why** column of the
*Ledger history* on **Hours & Credits** says, for every entry, why its lot came next.

## The order
1. **Your own credit first**: lots your organization holds or that are allocated to it. Then
   credit shared by a parent organization, the nearest parent first.
2. **Nearest expiry first**: within each of those groups, the lot that expires soonest is used
   first; lots without an expiry date come last.
3. **Complimentary before purchased**, when two lots expire on the same day.
4. Then the **oldest grant**, and finally the lowest lot number.

## An example
Northwind Retail holds 10 complimentary hours expiring in 45 days. Its parent, Northwind
Holdings, shares 40 purchased hours expiring in 75 days with all its organizations.
A 3-hour ticket at Retail uses Retail's own 10 hours first ("1st choice: own credit"), even
though the parent's hours exist. Only when Retail's own lots are empty does Retail draw on the
parent's shared hours.

## Reading the history
Each line shows the date, the kind of entry (*grant*, *allocate*, *release*, *consume*,
*expire*, *adjust*), the quantity, the lot and its holder, the ticket and category, and the
reason. Entries are never edited or deleted: a correction is a new *adjust* or *refund*
entry, so the history always adds up to your balance.

Use **Download CSV** to open the history in a spreadsheet.

## Not enough credit?
If a charge is larger than all usable credit, nothing is taken from the lots; the time not
covered is billed as pay-as-you-go at your hourly rate.
"""

BUY_HOURS = """\
Top up before you run out: prepaid hours cost less than pay-as-you-go time, and work is not
delayed while a purchase is approved.

## Who can buy
Owners, administrators and billing contacts of your organization.

## How to buy
1. Open **Hours & Credits** and choose **Buy hours**.
2. Pick a block of hours. The price, currency and expiry date of the new lot are shown
   before you pay.
3. Choose who may use the hours: your organization only, or **All organizations** in your
   group.
4. Pay by card on the secure payment page.

The hours appear on *Hours & Credits* as soon as the payment is confirmed by the card
provider, usually within a minute. You receive a receipt by e-mail. If the card is declined,
nothing is charged and the page tells you why; try another card or ask your bank.

## Larger blocks and invoices
For large blocks, or to pay by bank transfer against an invoice, submit a ticket in the
category *Other*, or contact your account manager.

## Which hours are used first?
New hours join the queue described in *How to read the consumption order*: hours expiring
soonest are used first, so a new block is kept for later.
"""

INVOICE = """\
## Find your invoices
Invoices are listed under **Billing**, newest first. Each shows its number, dates, amount and
status:
- **Paid**: nothing to do.
- **Pending**: issued and not yet due.
- **Overdue**: past its due date; please pay it or contact us.

## Pay online
1. Open the invoice and choose **Pay now**.
2. Enter the card details on the secure payment page. We never see or store the card number.
3. The invoice turns *Paid* once the card provider confirms the payment, usually within a
   minute, and a receipt is e-mailed to the billing contacts.

If the payment is declined, the invoice stays open and the page says why (for example
insufficient funds). Nothing is charged twice: a confirmed payment is recorded once, however
often the provider reports it.

## What is on an invoice
- **Post-service invoices** list the pay-as-you-go time of the period that no prepaid hours
  covered, ticket by ticket, at your hourly rate.
- **Pre-service invoices** are for work that must be paid before it is scheduled, such as a
  pay-per-incident after-hours call-out.

## Questions about an invoice
Submit a ticket in the category *Other* with the invoice number. Tell us which lines you
question; the rest of the invoice can be paid as normal.
"""

AFTER_HOURS = """\
## Business hours
Our standard support (Gold support) covers business days, 08:00–18:00 in your region. The
portal's dashboard shows whether support is available right now and under which entitlement.

## Outside business hours
What is covered depends on your plan:
- **Business-Day After-Hours** (Premier add-on): evenings and early mornings on business days.
- **Everyday After-Hours** (Premier add-on): also weekends and public holidays.
- **Multi-Regional**: business hours in each additional region you operate in.
- **Extended-Term**: support for versions past their end of life.

Without an after-hours add-on you can still get help per incident, paid before the work
starts:
- **Pay-Per-Incident Scheduled After-Hours**: planned work outside business hours, such as an
  upgrade over a weekend. Book at least three business days ahead.
- **Pay-Per-Incident Emergency After-Hours**: immediate help for an outage.

## What counts as an emergency
A business-critical service is down for many people or customers: the internet connection,
e-mail for the whole company, tills or card terminals, a line-of-business server, or a
suspected security breach such as ransomware.

A single laptop, a forgotten password or a slow printer is not an emergency; submit a normal
ticket and we start on it the next business morning.

## How to reach us in an emergency
1. Submit a ticket marked **urgent** describing the impact (who cannot work, since when).
2. Call the emergency line printed on your contract and give the ticket number.

Time spent after hours is drawn from your prepaid hours like any other work; if none are
left, it is billed at the after-hours rate.
"""

GOOD_TICKET = """\
A clear ticket is solved faster, and uses fewer of your hours, because the agent does not have
to come back with questions.

## Subject
One line that says what is wrong: "VPN disconnects every few minutes at home", not "Help!"
or "Problem".

## Description
- **What happens**, and what you expected instead.
- **The exact error message**: copy it, or attach a screenshot.
- **When** it started, and whether anything changed just before (a new device, an update, a
  move).
- **Who** is affected: only you, your team, everyone at a site.
- What you already tried.

## Category and priority
Choose the category closest to the problem; the agent can change it. Priority describes
impact:
- **Low**: a question or an inconvenience with a workaround.
- **Normal**: one person cannot do part of their work.
- **High**: a team or a site is affected, or one person cannot work at all.
- **Urgent**: the business is stopped (see *After-hours and emergency support*).

## While you type
The ticket form suggests articles that may answer the question. A minute reading one can
save a ticket.
"""

DRAFT_GATEWAY = """\
In the coming months every customer moves to the new VPN gateway. This article will explain
the date for your organization, what changes for users (a new server address in the client)
and how to test beforehand.

*Draft: not visible to customers until it is published.*
"""

ARTICLES = [
    ("vpn-disconnects-or-will-not-connect", "VPN disconnects or will not connect", "Networking & VPN", True, VPN),
    ("reset-password-and-mfa", "Reset your password or move MFA to a new phone", "Accounts & sign-in", True,
     PASSWORD),
    ("printer-queue-stuck", "Printer queue stuck or printing nothing", "Printing", True, PRINTER),
    ("outlook-and-mailbox-problems", "Outlook keeps asking for a password, will not sync, or the mailbox is full",
     "Email & Outlook", True, OUTLOOK),
    ("wi-fi-drops-or-slow", "Wi-Fi drops out or is slow", "Networking & VPN", True, WIFI),
    ("restore-from-backup", "Restore a deleted file, mailbox item or server from backup", "Backup & recovery",
     True, RESTORE),
    ("new-starter-laptop-and-accounts", "Request a laptop and accounts for a new starter", "Devices & laptops",
     True, NEW_STARTER),
    ("prepaid-hours-and-service-credits", "How prepaid hours and service credits work, and when they expire",
     "Hours & credits", True, CREDITS),
    ("consumption-order", "How to read the consumption order: which credit is used first", "Hours & credits",
     True, CONSUMPTION),
    ("buy-more-support-hours", "Buy more support hours", "Billing & payments", True, BUY_HOURS),
    ("pay-an-invoice-online", "Pay an invoice online", "Billing & payments", True, INVOICE),
    ("after-hours-and-emergency-support", "After-hours and emergency support", "Getting help", True, AFTER_HOURS),
    ("write-a-ticket-that-gets-solved-quickly", "Write a ticket that gets solved quickly", "Getting help", True,
     GOOD_TICKET),
    ("moving-to-the-new-vpn-gateway", "Moving to the new VPN gateway", "Networking & VPN", False, DRAFT_GATEWAY),
]
