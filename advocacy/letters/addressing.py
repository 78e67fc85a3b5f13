"""How to greet and head a letter to an MP, from the display name Parliament gives them.

The Members API's display names carry an honorific ("Mr Connor Rand", "Dr Rupa Huq",
"Sir James Cleverly"). Letters greet as a person would: "Dear Connor Rand," never
"Dear Mr Connor Rand,"; knights and dames by title and first name ("Dear Sir James,").
Pure string rules, so they are checked over every bundled MP in the tests.
"""

# Honorifics dropped from a greeting ("." ignored, any case). "The Rt Hon" comes as three words.
HONORIFICS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "rev",
        "revd",
        "reverend",
        "the",
        "rt",
        "right",
        "hon",
        "honourable",
    }
)
# Dropped from a heading too ("Connor Rand MP"); the others stay there ("Dr Rupa Huq MP").
COURTESY = frozenset({"mr", "mrs", "ms", "miss", "mx"})
# Knights and dames are greeted by title and first name.
TITLES = frozenset({"sir", "dame"})
POSTNOMINALS = frozenset({"MP", "KC", "QC", "CBE", "OBE", "MBE", "DBE", "KBE"})


def _word(token: str) -> str:
    return token.strip(".,").casefold()


def _without_postnominals(words: list[str]) -> list[str]:
    while len(words) > 1 and words[-1].strip(",") in POSTNOMINALS:
        words = words[:-1]
    return words


def mp_salutation(name: str) -> str:
    """The words after "Dear": "Connor Rand" for "Mr Connor Rand", "Sir James" for a knight."""
    words = _without_postnominals(name.split())
    while len(words) > 1 and _word(words[0]) in HONORIFICS:
        words = words[1:]
    if len(words) > 2 and _word(words[0]) in TITLES:
        return f"{words[0]} {words[1]}"
    return " ".join(words)


def mp_heading(name: str) -> str:
    """How a heading names an MP: "Connor Rand MP", "Dr Rupa Huq MP", "Sir James Cleverly MP"."""
    words = name.split()
    if len(words) > 1 and _word(words[0]) in COURTESY:
        words = words[1:]
    return " ".join(words) if words[-1:] == ["MP"] else " ".join([*words, "MP"])


# Welsh letters open "Annwyl …,", which softens the first consonant of a title that follows
# ("Prif Gwnstabl" → "Annwyl Brif Gwnstabl"); names are never mutated ("Annwyl Jo Stevens").
# Titles come from advocacy/data/salutations_cy.csv; knights and dames are greeted by their
# Welsh titles.
WELSH_TITLES = {"sir": "Syr", "dame": "Fonesig"}


def mp_salutation_cy(name: str) -> str:
    """The words after "Annwyl" for an MP: "Jo Stevens", "Syr James" for a knight."""
    words = mp_salutation(name).split()
    if len(words) == 2 and _word(words[0]) in WELSH_TITLES:
        words[0] = WELSH_TITLES[_word(words[0])]
    return " ".join(words)
