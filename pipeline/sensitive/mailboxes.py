"""Which e-mail addresses name a person: not a role or team mailbox, not a documentation address.

A handbook lists its teams' mailboxes (people-ops@, tts-travel@, itservicedesk@) far more often than a
person's address, and its examples use addresses that exist for documentation (alice@example.com,
you@yourdomain.com). Neither names anyone, so neither is personal data; firstname.lastname@ and jdoe@ at
a real domain still are.

Documentation domains are those reserved for it: example.com, example.net and example.org and the
top-level domains .example, .test, .invalid and .localhost (RFC 2606, sections 2 and 3; RFC 6761,
section 6, keeps them special-use). `example` as any label (example.de, web.example.co.jp) and the names
documentation puts in the place of a domain (yourdomain.com, yourcompany.org, company.com, domain.com,
email.com, test.com) count too. email.com, domain.com and test.com are registered, email.com even a mail
provider, but `alice@email.com` in a handbook is the stand-in, not alice's address: taking it for
personal data is the likelier mistake.

Role mailboxes are RFC 2142's (info, sales, support, abuse, noc, security, postmaster, hostmaster,
webmaster, ...) and the functions organisations add (hr, people-ops, finance, travel, payroll, press,
legal, careers, ...). A local part is a team's when a part of it (split at `.`, `-`, `_`) is a function
word, holds a long one glued to others (itservicedesk, ttsinternalcontrols), ends in -ops, -team, -desk
or -help, repeats a label of the domain (gsa-ir@gsa.gov) or is an organisation code that starts with a
digit (18f-nyc@, 1800ftenantsupport@): a person's name does not. A local part of digits only stays
personal: that is a phone number or an account number (5551234567@txt.att.net, 12345678@qq.com).
"""

import re

DOCUMENTATION_TLDS = {"example", "test", "invalid", "localhost"}
DOCUMENTATION_DOMAINS = {"example.com", "example.net", "example.org"}
# Shared calendars, meeting rooms and service accounts have addresses too.
NOT_PEOPLE = ("group.calendar.google.com", "resource.calendar.google.com", "gserviceaccount.com")
PLACEHOLDER_NAMES = set(
    "domain company email test sample somewhere somedomain mydomain mycompany myorg mysite website".split()
)
PLACEHOLDER_NAME = re.compile(r"your[-_]?[a-z]*|my[-_](?:domain|company|org)")
PLACEHOLDER_LOCAL_PARTS = set(
    "you your.name yourname your_name your-name name user username user.name someone somebody firstname lastname "
    "firstname.lastname first.last first_last firstname_lastname firstname-lastname first.lastname".split()
)

# RFC 2142 (sections 3 to 5), then what organisations commonly add.
ROLE_MAILBOXES = set(
    "info marketing sales support abuse noc security postmaster hostmaster usenet news webmaster www uucp ftp "
    "admin administrator contact hello help helpdesk office team staff all everyone privacy dpo billing invoices "
    "accounts accounting payroll finance hr jobs careers recruiting hiring press media legal compliance "
    "feedback enquiries inquiries orders returns warranty service noreply no-reply donotreply do-not-reply "
    "notifications alerts mailer-daemon root git travel events training benefits partners procurement "
    "purchasing reception facilities operations ops devops it dev engineering design research".split()
)
# Function words a part of a team's local part may be (short ones only whole: `sales` is in Rosales); `jobs`
# only as the whole local part, for steve.jobs@.
TEAM_WORDS = ROLE_MAILBOXES - {"jobs"} | set(
    "hr it ir pr qa ux xd dev eng ops sec join tech desk group list crew board council committee leadership "
    "supervisors managers leads product products platform platforms agreements onboarding offboarding outreach "
    "equipment software hardware meetings purchasers contractors vendor vendors transit subsidy retirement speakers "
    "requests correspondence controls internal check member members membership reply daemon".split()
)
# Long function words found glued inside one part (itservicedesk, 1800ftenantsupport, ttsinternalcontrols).
GLUED_WORDS = tuple(
    "support service servicedesk finance payroll travel events security operations outreach onboarding benefits "
    "inquiries enquiries office building controls correspondence agreements research equipment software meetings "
    "purchas council leadership supervisors product partner compliance customer experience subsidy transit vendor "
    "retirement speakers contractors tenant requests notification recruit marketing helpdesk accounting "
    "procurement feedback careers hiring training newsletter registrar webmaster postmaster hostmaster peopleop "
    "privacy reception facilities admin manager agents science business content checkin leaving team digital "
    "coord connect noreply donotreply".split()
)
TEAM_SUFFIXES = ("ops", "team", "desk", "help")
ORGANISATION_CODE = re.compile(r"[0-9]+[a-z][a-z0-9]*")  # 18f, 1800ftenantsupport, 50unpbuildingservices


def personal_mailbox(local: str, domain: str) -> bool:
    domain = domain.lower()
    machine = any(domain == name or domain.endswith("." + name) for name in NOT_PEOPLE)
    return not (machine or documentation_domain(domain) or team_mailbox(local, domain))


def documentation_domain(domain: str) -> bool:
    labels = domain.split(".")
    named = labels[-2] if len(labels) >= 2 else ""
    return (
        labels[-1] in DOCUMENTATION_TLDS
        or ".".join(labels[-2:]) in DOCUMENTATION_DOMAINS
        or "example" in labels[:-1]
        or named in PLACEHOLDER_NAMES
        or PLACEHOLDER_NAME.fullmatch(named) is not None
    )


def team_mailbox(local: str, domain: str) -> bool:
    local = local.partition("+")[0]  # support+billing@ is support@, j.smith+billing@ is j.smith@
    whole = local.lower()
    if whole in ROLE_MAILBOXES or whole in PLACEHOLDER_LOCAL_PARTS:
        return True
    if whole.isdigit():
        return False
    # Parts between separators and at capitals after a lower-case letter: GSARegSec, TTS-PeopleOps.
    parts = [part.lower() for part in re.split(r"[._-]+|(?<=[a-z])(?=[A-Z])", local) if part]
    domain_labels = set(domain.split(".")[:-1])
    return any(
        part in TEAM_WORDS
        or part in domain_labels
        or (len(part) > 4 and part.endswith(TEAM_SUFFIXES))
        or any(word in part for word in GLUED_WORDS)
        or ORGANISATION_CODE.fullmatch(part) is not None
        for part in parts
    )
