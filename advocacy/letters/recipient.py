"""Someone a letter goes to, as the composer and the send links see them.

The directory (``advocacy.places``) builds them from the bundled data and staff corrections; a
campaign names its fixed recipients itself. The type lives here, in the pure core, so the
composer never has to know where a recipient came from.
"""

from dataclasses import dataclass

from advocacy.letters.addressing import mp_heading


@dataclass(frozen=True)
class Recipient:
    """Someone a letter goes to: how to greet them, how to name them, how to reach them.

    ``contact_url`` is only ever a confirmed contact page. ``website`` is the organisation's
    site, offered with plain words ("use Contact us on their site") when there is no contact
    page, because calling a home page a contact page sends supporters hunting.
    """

    role: str
    name: str
    email: str | None
    contact_url: str | None
    salutation: str  # what follows "Dear", without the comma: "Connor Rand", "Chief Constable"
    party: str | None = None
    kind: str | None = None
    needs_review: bool = False
    member_id: int | None = None  # MPs: the UK Parliament Members API id
    website: str | None = None
    review_reason: str | None = None  # why staff should check this recipient
    article: str = ""  # "the" for names that read wrongly without it
    # One line, parts separated by commas ("1 Pacific Quay, Glasgow G51 1DZ"): where a body
    # publishes no email address but takes letters by post, supporters print and post.
    postal_address: str | None = None
    # What follows "Annwyl" in a Welsh letter ("Brif Gwnstabl", "Jo Stevens"); None when the
    # English salutation has no Welsh one in salutations_cy.csv yet.
    salutation_cy: str | None = None
    # The name in Welsh, where the body has one ("Heddlu De Cymru"): Welsh letters and pages.
    name_cy: str | None = None

    @property
    def by_post(self) -> bool:
        """Whether supporters print and post to them: no email address, a postal address."""
        return not self.email and bool(self.postal_address)

    @property
    def with_article(self) -> str:
        """The name as it reads after "To" or mid-sentence: "the Metropolitan Police Service"."""
        if self.article and not self.name.casefold().startswith(f"{self.article.casefold()} "):
            return f"{self.article} {self.name}"
        return self.name

    @property
    def heading(self) -> str:
        """Headings and sentences: "Connor Rand MP", "the Scottish Police Authority"."""
        return mp_heading(self.name) if self.role == "mp" else self.with_article

    def name_in(self, language: str) -> str:
        """The name as a sentence in ``language`` reads it: in Welsh, its Welsh name, else its
        own name without the English "the"; in English, ``with_article``."""
        if language == "cy":
            return self.name_cy or self.name
        return self.with_article

    def heading_in(self, language: str) -> str:
        """``heading`` on a page in ``language``: an MP as in English, a body by ``name_in``."""
        return self.heading if self.role == "mp" else self.name_in(language)


def fixed_recipient(
    name: str, email: str | None, contact_url: str | None, salutation: str | None
) -> Recipient:
    """A recipient the campaign names itself, such as the Home Secretary."""
    return Recipient("fixed", name, email or None, contact_url or None, salutation or name)
