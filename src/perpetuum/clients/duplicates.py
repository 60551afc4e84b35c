"""Duplicate detection for accounts and contacts: on create, and as a scan of the whole base.

How two records are compared
----------------------------
Names are reduced to a *name key* (`name_key`): folded (case, accents, ё → е),
transliterated to Latin (German umlauts spelled out first, then `anyascii`), legal forms
dropped for accounts, each word reduced to a spelling skeleton (`skeleton`) that makes the
common transliteration conventions of Russian names (English, German, French) and the
German umlaut spellings meet, and the words sorted, so that word order does not matter:

    Müller / Mueller / Muller           → "muler"
    Иванов / Ivanov / Iwanow / Ivanoff  → "ivanov"
    ООО «Ромашка» / Romashka LLC        → "romashka"

Two names are then as similar as the optimal-string-alignment edit distance of their keys
says (`OSA.normalized_similarity`, 0–100), the words lined up in the best of a few orders:
a one-letter typo or a swap of two letters costs one edit. The Indel ratio behind
`fuzz.ratio` / `token_sort_ratio` counts a substitution as two edits, which at a threshold
that lets "Ivan Petrov" meet the typo "Ivan Petrv" also lets it meet "Ivana Petrova".

A pair is a candidate (`compare`) when, from the strongest evidence to the weakest,
  - it shares a tax id (accounts; unless both have a different KPP — Russian branches share
    the company's INN); two different tax ids rule a pair of accounts out altogether;
  - it shares an e-mail address and the names are not different (≥ `NAME_WITH_EMAIL`:
    colleagues behind one generic mailbox are);
  - it shares a phone number and the names are close (≥ `NAME_WITH_PHONE`: colleagues share
    a switchboard, families a line);
  - the names are nearly the same (≥ `NAME_ONLY`) and nothing contradicts it: contacts at
    different accounts, with different middle names, or (unless at the same account) with
    e-mails and phones on both sides and none shared are two people who share a name;
    accounts in different countries or cities, or with contact points that all differ, are
    two companies that share a name. And a name borne by more than `NAME_SHARED_BY`
    records of the base ("Ivan Ivanov", "ООО «Гранит»") cannot say which of its bearers a
    record duplicates: it needs a second agreement (the same account, the same city).

The thresholds were set from these arguments and checked on the labelled evaluation set
(`tests/clients/dedup_eval.py`, `python -m bench.dedup_eval`), which reports precision and
recall for every kind of variation.

How the scan stays near-linear (blocking)
-----------------------------------------
Each record gets a few *blocking keys* (`blocking_keys`) and is only compared with the
records that share one: every e-mail, every phone, the tax id, and for every pair (a, b) of
its (up to three) longest name words four name keys — the first four letters of one with
the first (or last) letter of the other, both ways round. Whatever single edit a typo makes
to one of the two words, one of the four keys stays intact, and the set is the same with
the words swapped. The cost is the sum of the squares of the block sizes, so blocks are
capped:

  - an exact-key block (e-mail, phone, tax id) larger than `MAX_EXACT_BLOCK` is skipped: a
    value shared by that many records is a switchboard or a generic mailbox, not evidence;
  - a name block larger than `MAX_NAME_BLOCK` (a common name: "Ivan P…", "Anna M…") is not
    compared all-pairs but sorted by name key and compared within a sliding window of
    `WINDOW` neighbours (the sorted-neighbourhood method). The trade-off: within such a
    block, two spellings of a common name that sort far apart (a typo in the first letters)
    are found only through another block — another of the four name keys, or a shared
    e-mail or phone. With the cap the work per record is bounded, so a scan of n records
    takes O(n · (keys × window)) comparisons, not O(n²).

Names are compared inside a block with `rapidfuzz.process.extract` and a score cut-off
(`PREFILTER`), so only the few similar pairs reach the full comparison in Python.

Stored state
------------
`Account.name_key` / `Contact.name_key` hold the name key (kept by the services on every
write, refreshed by the scan for rows written by bulk loaders) so the create-time check can
find a name in any script with an index. The scan stores its findings as
`DuplicateCandidate` pairs; running it again adds only new pairs, never reopens a dismissed
one, marks pairs merged when one record was merged into the other and removes open pairs
that no longer qualify.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from rapidfuzz import process
from rapidfuzz.distance import OSA

from perpetuum.clients.models import Account, Contact, DuplicateCandidate
from perpetuum.core import access
from perpetuum.core.audit import audit
from perpetuum.core.errors import Conflict, NotFound, PermissionDenied
from perpetuum.core.normalize import normalize_email, normalize_phone, normalize_tax_id
from perpetuum.core.pagination import Page, keyset_page

ENTITIES = ("account", "contact")

# --- Thresholds (similarity of name keys, 0–100) -------------------------------------------

NAME_ONLY = 90
"""Names alone make a candidate from here: one typo in a name of ten letters or more."""
NAME_WITH_EMAIL = 70
"""With a shared e-mail the names need only not be different (a shared mailbox is)."""
NAME_WITH_PHONE = 85
"""With a shared phone the names must be close: colleagues and families share a line."""
NAME_WITH_PHONE_ACCOUNT = 75
"""Accounts sharing a phone: company names vary more (branch, department, abbreviations)."""
NAME_WITHOUT_FIRST_NAME = 85
"""Where one contact has no first name, the last names' similarity counts at most this."""
PREFILTER = 0.80
"""Inside a name block, pairs below this similarity are not compared further."""
SAME_PLACE = 0.80
"""Two cities (or middle names) at least this similar are the same."""
NAME_SHARED_BY = 2
"""A name key borne by more records than this is common in the base: the name alone then
cannot tell which of its bearers a record duplicates, so it needs a second agreement (the
same account for contacts, the same city for accounts)."""

MAX_EXACT_BLOCK = 20
MAX_NAME_BLOCK = 150
WINDOW = 25
NAME_KEY_LENGTH = 255
CANDIDATES_PER_CHECK = 200
"""At most this many records are compared on create (the query is bounded)."""

# --- Name keys -----------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+")
_DOUBLED = re.compile(r"(.)\1+")
_GLIDE = re.compile(r"(?<=[aeiou])i(?=[aeiou])")
_INITIALS = re.compile(r"(?<![^\W\d_])((?:[^\W\d_]\.){2,})")
_SPECIAL = str.maketrans(
    {"ё": "е", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "'": "", "’": "", "ʼ": "", "`": ""}
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LEGAL_FORMS = _words(
    # German, English, French, and Russian (as transliterated by anyascii).
    "gmbh mbh ag kg ohg ug haftungsbeschraenkt ev eg kgaa se co gbr "
    "ltd limited llc llp lp inc incorporated corp corporation plc company "
    "sarl sas sasu sa eurl snc sca "
    "ooo ao oao zao pao nao ip tov jsc pjsc cjsc ojsc"
)
"""Legal forms, removed from account names (compared as skeletons, like the names).
"e.V.", "S.A.R.L." and "S.A." lose their dots first; ООО, АО, ОАО, ЗАО, ПАО, ИП are
transliterated to ooo, ao, oao, zao, pao, ip."""

LEGAL_FORM_PHRASES = (
    ("obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"),
    ("publichnoe", "aktsionernoe", "obshchestvo"),
    ("nepublichnoe", "aktsionernoe", "obshchestvo"),
    ("zakrytoe", "aktsionernoe", "obshchestvo"),
    ("otkrytoe", "aktsionernoe", "obshchestvo"),
    ("aktsionernoe", "obshchestvo"),
    ("individualnyy", "predprinimatel"),
    ("gesellschaft", "mit", "beschraenkter", "haftung"),
    ("societe", "a", "responsabilite", "limitee"),
    ("societe", "par", "actions", "simplifiee"),
    ("societe", "anonyme"),
    ("limited", "liability", "company"),
)
"""Spelled-out legal forms (Russian after transliteration), removed like the short ones."""

SPELLING_RULES: tuple[tuple[str, str, str], ...] = (
    ("tsch", "ch", "ч in German (Tschaikowski) vs English (Chaikovsky)"),
    ("tch", "ch", "ч in French (Tchaïkovski)"),
    ("sch", "sh", "ш in German (Schukschin) vs English (Shukshin)"),
    ("kh", "h", "х as kh (Mikhail) vs h (Mihail)"),
    ("ph", "f", "Sophia / Sofia, Stephan / Stefan"),
    ("x", "ks", "Alexander / Aleksandr, Xenia / Ksenia"),
    ("w", "v", "в in German (Iwanow) vs English (Ivanov)"),
    ("j", "i", "й, я, ю in German (Jurij, Natalja) vs English (Yuriy, Natalya) vs French"),
    ("y", "i", "the same glide written y"),
    ("ou", "u", "у in French (Iouri, Boulgakov)"),
    ("gue", "ge", "French gu before e (Evguénia, Sergueï)"),
    ("gui", "gi", "French gu before i"),
    ("ae", "a", "ä spelled ae (Jaeger) vs a (Jager)"),
    ("oe", "o", "ö spelled oe (Schroeder) vs o (Schroder)"),
    ("ue", "u", "ü spelled ue (Mueller) vs u (Muller)"),
)
"""Rewrites applied in this order to every Latin word of a name. Each one reconciles two
common spellings of the same sound; none is specific to one name."""


def fold_to_latin(text: str) -> str:
    """Lower-case ASCII: ё → е, German umlauts spelled out (ä → ae, ß → ss), other accents
    dropped, Cyrillic transliterated, apostrophes (soft signs: Наталья → natalya) removed."""
    text = text.lower().translate(_SPECIAL)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
        if not text.isascii():
            text = anyascii(text).lower().translate(_SPECIAL)
    return text


@lru_cache(maxsize=100_000)
def skeleton(word: str) -> str:
    """The spelling skeleton of one folded Latin word: `SPELLING_RULES`, then French -off /
    -eff as -ov / -ev, a leading "ie" (Yelena, Jelena) as "e", a glide i between vowels
    dropped (Alekseyev, Alexejew, Alekseev: some conventions write the й of е after a vowel,
    others do not), doubled letters as one."""
    for old, new, _why in SPELLING_RULES:
        if old in word:
            word = word.replace(old, new)
    if word.endswith("ff"):
        word = word[:-2] + "v"
    if word.startswith("ie") and len(word) > 3:
        word = word[1:]
    word = _GLIDE.sub("", word)
    return _DOUBLED.sub(r"\1", word)


@lru_cache(maxsize=1)
def _legal_form_skeletons() -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """The legal forms as skeletons, so that they are found in any transliteration."""
    forms = frozenset(skeleton(form) for form in LEGAL_FORMS)
    phrases = tuple(tuple(skeleton(word) for word in phrase) for phrase in LEGAL_FORM_PHRASES)
    return forms, phrases


def _drop_legal_forms(words: list[str]) -> list[str]:
    forms, phrases = _legal_form_skeletons()
    kept = list(words)
    for phrase in phrases:
        size = len(phrase)
        index = 0
        while index + size <= len(kept):
            if tuple(kept[index : index + size]) == phrase:
                del kept[index : index + size]
            else:
                index += 1
    kept = [word for word in kept if word not in forms]
    # A name that is nothing but a legal form ("AG") keeps it, rather than becoming empty.
    return kept or words


@lru_cache(maxsize=200_000)
def name_words(text: str, entity: str) -> tuple[str, ...]:
    """The skeletons of the words of a name, in their order; legal forms dropped for
    accounts (quotes and punctuation go with the folding)."""
    if not text:
        return ()
    folded = text.lower()
    if entity == "account":
        # "e.V.", "S.A.R.L.", "S.A." → "ev", "sarl", "sa" before the dots split them.
        folded = _INITIALS.sub(lambda match: match.group(1).replace(".", ""), folded)
    words = [skeleton(token) for token in _TOKEN.findall(fold_to_latin(folded))]
    if entity == "account":
        words = _drop_legal_forms(words)
    return tuple(words)


def name_key(text: str, entity: str) -> str:
    """The normalised name two records are compared by: `name_words`, sorted, joined.

    `entity` is "contact" (a person's "first last") or "account" (legal forms dropped).
    """
    return " ".join(sorted(name_words(text, entity)))


def contact_name_key(first_name: str, last_name: str) -> str:
    """A contact's stored name key (the middle name is left out: it is often missing)."""
    words = name_words(first_name or "", "contact") + name_words(last_name or "", "contact")
    return " ".join(sorted(words))[:NAME_KEY_LENGTH]


def account_name_key(name: str) -> str:
    """An account's stored name key."""
    return name_key(name, "account")[:NAME_KEY_LENGTH]


# --- Profiles: what the detector compares of one record -------------------------------------


@dataclass(slots=True)
class Profile:
    """One account or contact as the detector sees it."""

    id: int
    key: str
    """Name words sorted (the name key)."""
    reversed_key: str
    """Name words sorted backwards: a typo that moves a word in the sort order ("Ivan
    Petrov" / "Uvan Petrov") still lines the words up against this."""
    ordered: str
    """Name words in the record's own order (first name first)."""
    blocking: tuple[str, ...]
    """The (up to three) longest name words, which the name blocks are built from."""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    last: str = ""
    """Contacts: the last name's words; compared alone when a first name is missing."""
    has_first: bool = True
    middle: str = ""
    group: int | None = None
    """Contacts: the account of their primary role."""
    tax_id: str = ""
    kpp: str = ""
    country: str = ""
    city: str = ""
    name_count: int = 1
    """How many records of the base bear this name key (set by `count_names`)."""


def count_names(profiles: list[Profile]) -> None:
    """Set every profile's `name_count`: how many of `profiles` share its name key."""
    counts = Counter(profile.key for profile in profiles)
    for profile in profiles:
        profile.name_count = counts[profile.key]


def _strings(values: Any) -> tuple[str, ...]:
    if not values:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(str(value) for value in values if value)


def _name_fields(words: tuple[str, ...]) -> dict[str, Any]:
    ascending = sorted(words)
    # The longest words (ties by spelling): the same whatever the order or the field.
    longest = sorted(sorted(set(words)), key=len, reverse=True)[:3]
    return {
        "key": " ".join(ascending),
        "reversed_key": " ".join(reversed(ascending)),
        "ordered": " ".join(words),
        "blocking": tuple(longest),
    }


def contact_profile(
    pk: int,
    first_name: str,
    middle_name: str,
    last_name: str,
    emails: Any = (),
    phones: Any = (),
    account_id: int | None = None,
) -> Profile:
    """The profile of a contact, from its stored (normalised) values."""
    first = name_words(first_name or "", "contact")
    last = name_words(last_name or "", "contact")
    return Profile(
        id=pk,
        **_name_fields(first + last),
        emails=_strings(emails),
        phones=_strings(phones),
        last=" ".join(last),
        has_first=bool(first),
        middle=" ".join(name_words(middle_name or "", "contact")),
        group=account_id,
    )


def account_profile(
    pk: int,
    name: str,
    tax_id: str = "",
    kpp: str = "",
    country: str = "",
    city: str = "",
    emails: Any = (),
    phones: Any = (),
) -> Profile:
    """The profile of an account, from its stored (normalised) values."""
    return Profile(
        id=pk,
        **_name_fields(name_words(name or "", "account")),
        emails=_strings(emails),
        phones=_strings(phones),
        tax_id=(tax_id or "").upper(),
        kpp=kpp or "",
        country=(country or "").upper(),
        city=" ".join(name_words(city or "", "contact")),
    )


def blocking_keys(profile: Profile) -> list[str]:
    """The blocks a record goes to: its e-mails, phones, tax id, and for every pair of its
    (up to three) longest name words the four name keys of the module docstring."""
    keys = [f"e:{email}" for email in profile.emails]
    keys += [f"p:{phone}" for phone in profile.phones]
    if profile.tax_id:
        keys.append(f"t:{profile.tax_id}")
    words = profile.blocking
    if len(words) == 1:
        keys += [f"s:{words[0][:3]}", f"z:{words[0][-3:]}"]
    for index, a in enumerate(words):
        for b in words[index + 1 :]:
            keys += [
                f"n:{a[:4]}|{b[0]}",
                f"n:{b[:4]}|{a[0]}",
                f"m:{a[:4]}|{b[-1]}",
                f"m:{b[:4]}|{a[-1]}",
            ]
    return keys


# --- Comparing two records -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why two records look like one: a score (0–100) and the evidence."""

    score: int
    reasons: tuple[str, ...]


def similarity(first: str, second: str) -> float:
    """0–1: one minus the edit distance (a transposition is one edit) over the length."""
    return OSA.normalized_similarity(first, second)


def name_similarity(a: Profile, b: Profile) -> float:
    """How alike two names are, 0–1, word order aside: the best of the words lined up in
    ascending, crossed (ascending against descending) and the records' own order."""
    if not a.key or not b.key:
        return 0.0
    if not (a.has_first and b.has_first) and a.last and b.last:
        return NAME_WITHOUT_FIRST_NAME / 100 * similarity(a.last, b.last)
    score = max(similarity(a.key, b.key), similarity(a.key, b.reversed_key))
    if a.ordered != a.key or b.ordered != b.key:
        score = max(score, similarity(a.ordered, b.ordered))
    return score


def _same_place(first: str, second: str) -> bool:
    return not first or not second or similarity(first, second) >= SAME_PLACE


def _same_middle_name(first: str, second: str) -> bool:
    if not first or not second:
        return True
    if first[0] != second[0]:
        return False
    return min(len(first), len(second)) == 1 or similarity(first, second) >= SAME_PLACE


def _all_contact_points_differ(a: Profile, b: Profile) -> bool:
    """Both have e-mails and phones, and none of them is shared."""
    return bool(a.emails and b.emails and a.phones and b.phones) and not (
        set(a.emails) & set(b.emails) or set(a.phones) & set(b.phones)
    )


def _same_account(a: Profile, b: Profile) -> bool:
    return a.group is not None and a.group == b.group


def _contact_contradiction(a: Profile, b: Profile) -> bool:
    """Two people who share a name: at different accounts, with different middle names, or
    (unless at the same account) with e-mails and phones on both sides and none shared."""
    if a.group is not None and b.group is not None and a.group != b.group:
        return True
    if not _same_middle_name(a.middle, b.middle):
        return True
    return not _same_account(a, b) and _all_contact_points_differ(a, b)


def _account_contradiction(a: Profile, b: Profile) -> bool:
    """Two companies that share a name: in different countries or cities, or with e-mails
    and phones on both sides and none shared."""
    return (
        (bool(a.country and b.country) and a.country != b.country)
        or not _same_place(a.city, b.city)
        or _all_contact_points_differ(a, b)
    )


def _corroborated(entity: str, a: Profile, b: Profile) -> bool:
    """A second agreement besides the name: the same account, or the same city."""
    if entity == "contact":
        return _same_account(a, b)
    return bool(a.city and b.city) and similarity(a.city, b.city) >= SAME_PLACE


def compare(entity: str, a: Profile, b: Profile) -> Verdict | None:
    """Whether two records are likely one, and why; None when they are not."""
    if entity == "account" and a.tax_id and b.tax_id:
        if a.tax_id != b.tax_id:
            return None  # two legal entities, whatever their names
        if not (a.kpp and b.kpp and a.kpp != b.kpp):
            return Verdict(100, ("same_tax_id",))
        return None  # branches of one company: same INN, their own KPP
    name = 100 * name_similarity(a, b)
    score = round(name)
    shared_email = bool(set(a.emails) & set(b.emails))
    shared_phone = bool(set(a.phones) & set(b.phones))
    similar_name = ("similar_name",) if name >= NAME_ONLY else ()
    phone_threshold = NAME_WITH_PHONE if entity == "contact" else NAME_WITH_PHONE_ACCOUNT
    if shared_email and name >= NAME_WITH_EMAIL:
        reasons = ("same_email", *(("same_phone",) if shared_phone else ()), *similar_name)
        return Verdict(max(score, 95), reasons)
    if shared_phone and name >= phone_threshold:
        return Verdict(max(score, 90), ("same_phone", *similar_name))
    if name >= NAME_ONLY:
        contradiction = (
            _contact_contradiction(a, b) if entity == "contact" else _account_contradiction(a, b)
        )
        common = max(a.name_count, b.name_count) > NAME_SHARED_BY
        if not contradiction and (not common or _corroborated(entity, a, b)):
            return Verdict(score, similar_name)
    return None


# --- The detector over a collection of records ---------------------------------------------


@dataclass
class DetectionStats:
    """What a run of `detect_pairs` did, for reports and benchmarks."""

    records: int = 0
    blocks: int = 0
    skipped_blocks: int = 0
    windowed_blocks: int = 0
    comparisons: int = 0
    checked_pairs: int = 0
    pairs: int = 0


def _add(blocks: dict[str, Any], key: str, index: int) -> None:
    """Blocks hold a bare index until a second record joins (most keys are unique)."""
    members = blocks.get(key)
    if members is None:
        blocks[key] = index
    elif isinstance(members, int):
        blocks[key] = [members, index]
    else:
        members.append(index)


def detect_pairs(
    entity: str, profiles: Sequence[Profile], stats: DetectionStats | None = None
) -> dict[tuple[int, int], Verdict]:
    """The candidate pairs among `profiles`, as {(smaller id, larger id): verdict}.

    The same function serves the background scan, imports and the evaluation set."""
    stats = stats if stats is not None else DetectionStats()
    stats.records = len(profiles)
    count_names(profiles)
    blocks: dict[str, Any] = {}
    for index, profile in enumerate(profiles):
        for key in blocking_keys(profile):
            _add(blocks, key, index)
    return _pairs_in_blocks(entity, profiles, blocks, stats)


def _pairs_in_blocks(
    entity: str, profiles: Sequence[Profile], blocks: dict[str, Any], stats: DetectionStats
) -> dict[tuple[int, int], Verdict]:
    found: dict[tuple[int, int], Verdict] = {}
    checked: set[tuple[int, int]] = set()

    def check(i: int, j: int) -> None:
        a, b = profiles[i], profiles[j]
        pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        if pair in checked or a.id == b.id:
            return
        checked.add(pair)
        verdict = compare(entity, a, b)
        if verdict is not None:
            found[pair] = verdict

    for key, members in blocks.items():
        if isinstance(members, int):
            continue
        stats.blocks += 1
        size = len(members)
        if key[0] in "ept":  # an exact key: e-mail, phone, tax id
            if size > MAX_EXACT_BLOCK:
                stats.skipped_blocks += 1
                continue
            for position, i in enumerate(members):
                for j in members[position + 1 :]:
                    stats.comparisons += 1
                    check(i, j)
            continue
        window = size
        if size > MAX_NAME_BLOCK:
            stats.windowed_blocks += 1
            members = sorted(members, key=lambda index: profiles[index].key)
            window = WINDOW
        keys = [profiles[index].key for index in members]
        crossed = [profiles[index].reversed_key for index in members]
        for position in range(size - 1):
            end = min(size, position + 1 + window)
            stats.comparisons += end - position - 1
            for choices in (keys, crossed):
                hits = process.extract(
                    keys[position],
                    choices[position + 1 : end],
                    scorer=OSA.normalized_similarity,
                    score_cutoff=PREFILTER,
                    limit=None,
                )
                for _choice, _score, offset in hits:
                    check(members[position], members[position + 1 + offset])
    stats.checked_pairs = len(checked)
    stats.pairs = len(found)
    return found


# --- On create: the likely duplicates of a new record's data --------------------------------


@dataclass
class DuplicateMatch:
    """An existing record that a new one would duplicate, with the score and the evidence."""

    record: Any
    score: int
    reasons: list[str]


def _clean_emails(data: dict[str, Any]) -> tuple[str, ...]:
    values = [*_strings(data.get("emails")), *_strings(data.get("email"))]
    cleaned = []
    for value in values:
        try:
            cleaned.append(normalize_email(value))
        except ValidationError:
            continue
    return tuple(dict.fromkeys(cleaned))


def _clean_phones(data: dict[str, Any], region: str | None) -> tuple[str, ...]:
    values = [*_strings(data.get("phones")), *_strings(data.get("phone"))]
    cleaned = []
    for value in values:
        try:
            cleaned.append(normalize_phone(value, region))
        except ValidationError:
            continue
    return tuple(dict.fromkeys(cleaned))


def _clean_tax_id(value: str, country: str) -> str:
    try:
        return normalize_tax_id(value or "", country)
    except ValidationError:
        return (value or "").strip().upper()


def _next_prefix(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix` (letters, digits
    and spaces only), without relying on how the database collates punctuation."""
    while prefix:
        last = prefix[-1]
        if last not in "z9 ":
            return prefix[:-1] + chr(ord(last) + 1)
        prefix = prefix[:-1]
    return ""


def _name_range(key: str) -> Q | None:
    """Records whose name key starts like this one's: the first word and the first two
    letters of the second (finds a typo in the later words of a name with an index)."""
    words = key.split()
    prefix = f"{words[0]} {words[1][:2]}" if len(words) >= 2 else words[0][:4] if words else ""
    if len(prefix) < 3:
        return None
    upper = _next_prefix(prefix)
    if not upper:
        return None
    return Q(name_key__gte=prefix, name_key__lt=upper)


def _data_profile(entity: str, data: dict[str, Any]) -> Profile:
    """The profile of data about to be created (normalised as the services would)."""
    if entity == "contact":
        roles = data.get("roles") or []
        account_id = data.get("account_id") or (roles[0].get("account_id") if roles else None)
        return contact_profile(
            0,
            data.get("first_name") or "",
            data.get("middle_name") or "",
            data.get("last_name") or "",
            _clean_emails(data),
            _clean_phones(data, None),
            account_id,
        )
    country = (data.get("country") or "").upper()
    return account_profile(
        0,
        data.get("name") or data.get("legal_name") or "",
        _clean_tax_id(data.get("tax_id") or "", country),
        data.get("kpp") or "",
        country,
        data.get("city") or "",
        _clean_emails(data),
        _clean_phones(data, country or None),
    )


def _profile_of(entity: str, record: Any) -> Profile:
    if entity == "contact":
        return contact_profile(
            record.pk,
            record.first_name,
            record.middle_name,
            record.last_name,
            record.emails,
            record.phones,
            record.account_id,
        )
    return account_profile(
        record.pk,
        record.name,
        record.tax_id,
        record.kpp,
        record.country,
        record.city,
        record.emails,
        record.phones,
    )


def _model(entity: str) -> type[Account] | type[Contact]:
    if entity == "account":
        return Account
    if entity == "contact":
        return Contact
    raise ValidationError({"entity": ["Choose “account” or “contact”."]})


def find_duplicates_for(
    user: Any, entity: str, data: dict[str, Any], *, limit: int = 10
) -> list[DuplicateMatch]:
    """The records the user may see that the new record described by `data` would likely
    duplicate, best first (for a warning before the create).

    Two bounded, indexed queries: the same primary e-mail, phone or tax id or the same name
    key (any script, word order or umlaut spelling); then the name keys that start alike (a
    typo in a later word). A typo in the alphabetically first word of a name is left to the
    background scan."""
    model = _model(entity)
    new = _data_profile(entity, data)
    exact = Q(pk__in=[])
    if new.emails:
        exact |= Q(email__in=new.emails)
    if new.phones:
        exact |= Q(phone__in=new.phones)
    if new.tax_id:
        exact |= Q(tax_id=new.tax_id)
    stored_key = new.key[:NAME_KEY_LENGTH]
    if new.key:
        exact |= Q(name_key=stored_key)
    related = ("owner", "account") if entity == "contact" else ("owner",)
    visible = access.scoped(user, model.objects.select_related(*related)).order_by("pk")
    records = {record.pk: record for record in visible.filter(exact)[:CANDIDATES_PER_CHECK]}
    name_range = _name_range(new.key) if new.key else None
    if name_range is not None:
        for record in visible.filter(name_range)[:CANDIDATES_PER_CHECK]:
            records.setdefault(record.pk, record)
    if new.key:
        # How common the name is in the whole base, the new record included (a count over
        # every record, not only those in scope; it shows no record).
        new.name_count = 1 + model.objects.filter(name_key=stored_key).count()
    profiles = {pk: _profile_of(entity, record) for pk, record in records.items()}
    counts = Counter(profile.key for profile in profiles.values())
    matches = []
    for pk, profile in profiles.items():
        profile.name_count = new.name_count if profile.key == new.key else counts[profile.key]
        verdict = compare(entity, new, profile)
        if verdict is not None:
            matches.append(DuplicateMatch(records[pk], verdict.score, list(verdict.reasons)))
    matches.sort(key=lambda match: (-match.score, match.record.pk))
    return matches[:limit]


# --- The background scan -------------------------------------------------------------------

CHUNK = 5000
WRITE_BATCH = 2000


@dataclass
class ScanResult:
    """What one scan did."""

    entity: str
    records: int
    pairs: int
    created: int
    marked_merged: int
    removed: int
    refreshed_keys: int
    seconds: float
    cpu_seconds: float = 0.0
    """Processor time of this process (on SQLite the database's work is in it too)."""
    stats: DetectionStats = field(default_factory=DetectionStats)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as the task returns it."""
        return {
            "entity": self.entity,
            "records": self.records,
            "pairs": self.pairs,
            "created": self.created,
            "marked_merged": self.marked_merged,
            "removed": self.removed,
            "refreshed_keys": self.refreshed_keys,
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "blocks": self.stats.blocks,
            "skipped_blocks": self.stats.skipped_blocks,
            "windowed_blocks": self.stats.windowed_blocks,
            "comparisons": self.stats.comparisons,
            "checked_pairs": self.stats.checked_pairs,
        }


Progress = Callable[[str, int], None]


def _json_list(text: str | None) -> list[Any]:
    """A JSON list column read as text (decoding it directly is several times faster than
    the ORM's converter, which counts at a million rows)."""
    if not text or text == "[]":
        return []
    value = json.loads(text)
    return value if isinstance(value, list) else []


def _stream(entity: str) -> Iterator[tuple[Profile, int, str]]:
    """(profile, version, stored name key) of every live record, in chunks."""
    as_text = {
        "emails_text": Cast("emails", TextField()),
        "phones_text": Cast("phones", TextField()),
    }
    if entity == "contact":
        rows = (
            Contact.objects.order_by()
            .annotate(**as_text)
            .values_list(
                "id",
                "version",
                "name_key",
                "first_name",
                "middle_name",
                "last_name",
                "emails_text",
                "phones_text",
                "account_id",
            )
            .iterator(chunk_size=CHUNK)
        )
        for pk, version, stored, first, middle, last, emails, phones, account_id in rows:
            profile = contact_profile(
                pk, first, middle, last, _json_list(emails), _json_list(phones), account_id
            )
            yield profile, version, stored
        return
    rows = (
        Account.objects.order_by()
        .annotate(**as_text)
        .values_list(
            "id",
            "version",
            "name_key",
            "name",
            "tax_id",
            "kpp",
            "country",
            "city",
            "emails_text",
            "phones_text",
        )
        .iterator(chunk_size=CHUNK)
    )
    for pk, version, stored, name, tax_id, kpp, country, city, emails, phones in rows:
        profile = account_profile(
            pk, name, tax_id, kpp, country, city, _json_list(emails), _json_list(phones)
        )
        yield profile, version, stored


def _refresh_keys(entity: str, stale: list[tuple[str, int, int]]) -> int:
    """Store name keys that bulk loads left empty (or an older rule computed). A row edited
    since it was read keeps the key its own write gave it (the version guards it)."""
    if not stale:
        return 0
    table = _model(entity)._meta.db_table
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(table)} SET {quote('name_key')} = %s "  # noqa: S608 - model's table
        f"WHERE {quote('id')} = %s AND {quote('version')} = %s"
    )
    for start in range(0, len(stale), WRITE_BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, stale[start : start + WRITE_BATCH])
    return len(stale)


def duplicate_scan(
    entity: str, progress: Progress | None = None, *, refresh_keys: bool = True
) -> ScanResult:
    """Scan every live account or contact for duplicates and store the candidate pairs.

    Rows are streamed (`values_list().iterator()`), blocked and compared in memory
    (`detect_pairs`); new pairs are inserted with `bulk_create(ignore_conflicts=True)`, so
    running the scan twice, or twice at once, stores each pair once. Open pairs found no
    more are removed (or marked merged when one record was merged into the other);
    dismissed pairs are left as they are. Returns what it did."""
    model = _model(entity)
    started, cpu_started = time.perf_counter(), time.process_time()
    profiles: list[Profile] = []
    blocks: dict[str, Any] = {}
    stale: list[tuple[str, int, int]] = []
    for index, (profile, version, stored) in enumerate(_stream(entity)):
        profiles.append(profile)
        for key in blocking_keys(profile):
            members = blocks.get(key)  # `_add`, inlined: this loop runs a million times
            if members is None:
                blocks[key] = index
            elif isinstance(members, int):
                blocks[key] = [members, index]
            else:
                members.append(index)
        computed = profile.key[:NAME_KEY_LENGTH]  # what contact_ / account_name_key give
        if refresh_keys and stored != computed:
            stale.append((computed, profile.id, version))
        if progress is not None and (index + 1) % 100_000 == 0:
            progress("read", index + 1)
    count_names(profiles)
    stats = DetectionStats(records=len(profiles))
    found = _pairs_in_blocks(entity, profiles, blocks, stats)
    live_ids = {profile.id for profile in profiles}
    del profiles, blocks
    if progress is not None:
        progress("compared", len(found))
    refreshed = _refresh_keys(entity, stale) if refresh_keys else 0
    candidates = DuplicateCandidate.objects.filter(entity=entity)
    before = candidates.count()
    objects = (
        DuplicateCandidate(
            entity=entity,
            left_id=left,
            right_id=right,
            score=verdict.score,
            reasons=list(verdict.reasons),
        )
        for (left, right), verdict in found.items()
    )
    _bulk_insert(objects)
    created = candidates.count() - before
    marked, removed = _tidy_open_pairs(model, entity, set(found), live_ids)
    if progress is not None:
        progress("stored", created)
    return ScanResult(
        entity=entity,
        records=stats.records,
        pairs=len(found),
        created=created,
        marked_merged=marked,
        removed=removed,
        refreshed_keys=refreshed,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu_started,
        stats=stats,
    )


def _bulk_insert(objects: Iterable[DuplicateCandidate]) -> None:
    batch: list[DuplicateCandidate] = []
    for candidate in objects:
        batch.append(candidate)
        if len(batch) >= WRITE_BATCH:
            DuplicateCandidate.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        DuplicateCandidate.objects.bulk_create(batch, ignore_conflicts=True)


def _tidy_open_pairs(
    model: type[Account] | type[Contact],
    entity: str,
    found: set[tuple[int, int]],
    live_ids: set[int],
) -> tuple[int, int]:
    """Open pairs this scan did not find: merged (one record merged into the other) or
    gone (a record deleted or edited so they no longer look alike). Returns the counts."""
    open_pairs = DuplicateCandidate.objects.filter(
        entity=entity, status=DuplicateCandidate.Status.OPEN
    )
    not_found = [
        (pk, left, right)
        for pk, left, right in open_pairs.values_list("pk", "left_id", "right_id").iterator(
            chunk_size=CHUNK
        )
        if (left, right) not in found
    ]
    gone_ids = {
        record_id
        for _pk, left, right in not_found
        for record_id in (left, right)
        if record_id not in live_ids
    }
    merged_into = dict(
        model.all_objects.filter(pk__in=gone_ids, merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
    )
    merged = [
        pk
        for pk, left, right in not_found
        if merged_into.get(left) == right or merged_into.get(right) == left
    ]
    merged_set = set(merged)
    removed = [pk for pk, _left, _right in not_found if pk not in merged_set]
    now = timezone.now()
    marked = 0
    for start in range(0, len(merged), WRITE_BATCH):
        marked += open_pairs.filter(pk__in=merged[start : start + WRITE_BATCH]).update(
            status=DuplicateCandidate.Status.MERGED, resolved_at=now
        )
    deleted = 0
    for start in range(0, len(removed), WRITE_BATCH):
        deleted += open_pairs.filter(pk__in=removed[start : start + WRITE_BATCH]).delete()[0]
    return marked, deleted


# --- Reading and resolving stored pairs ----------------------------------------------------


class CandidatePage(Page):
    """A page of candidate pairs; iterating it iterates its items."""

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


def _visible_pairs(user: Any, entity: str) -> Any:
    """Open pairs whose two records are both live and in the user's read scope."""
    model = _model(entity)
    visible = access.scoped(user, model.objects.all())
    return DuplicateCandidate.objects.filter(
        Exists(visible.filter(pk=OuterRef("left_id"))),
        Exists(visible.filter(pk=OuterRef("right_id"))),
        entity=entity,
        status=DuplicateCandidate.Status.OPEN,
    )


def _attach_records(entity: str, candidates: list[DuplicateCandidate]) -> None:
    """Load both records of every pair in one query (with what a list shows of them)."""
    model = _model(entity)
    ids = {pk for candidate in candidates for pk in (candidate.left_id, candidate.right_id)}
    related = ("owner", "account") if entity == "contact" else ("owner",)
    records = model.objects.select_related(*related).in_bulk(ids)
    for candidate in candidates:
        candidate.left = records.get(candidate.left_id)
        candidate.right = records.get(candidate.right_id)


def duplicate_candidates(
    user: Any, entity: str, limit: int = 50, cursor: str | None = None
) -> Page:
    """A page of the open candidate pairs whose two records the user may both see, best
    score first; each item has `left` and `right` (the records), `score` and `reasons`."""
    page = keyset_page(
        _visible_pairs(user, entity),
        sort="-score",
        allowed={"score": "score"},
        cursor=cursor,
        limit=limit,
    )
    _attach_records(entity, page.items)
    return CandidatePage(items=page.items, next_cursor=page.next_cursor)


def duplicate_candidate_get(user: Any, pk: int) -> DuplicateCandidate:
    """One open pair the user may see both records of; else NotFound."""
    candidate = DuplicateCandidate.objects.filter(pk=pk).first()
    if candidate is None or candidate.entity not in ENTITIES:
        raise NotFound()
    found = _visible_pairs(user, candidate.entity).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    _attach_records(found.entity, [found])
    return found


def duplicate_dismiss(*, actor: Any, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Mark a pair as not duplicates, so that no scan proposes it again; audited.

    The actor must see both records and may change at least one of them."""
    model = _model(candidate.entity)
    records = list(
        access.scoped(actor, model.objects.filter(pk__in=[candidate.left_id, candidate.right_id]))
    )
    if len(records) != 2:
        raise NotFound()
    if not any(access.can(actor, "write", record) for record in records):
        raise PermissionDenied("Your role may not change these records.")
    with transaction.atomic():
        current = DuplicateCandidate.objects.select_for_update().filter(pk=candidate.pk).first()
        if current is None:
            raise NotFound()
        if current.status != DuplicateCandidate.Status.OPEN:
            raise Conflict(f"The pair is already {current.status}.")
        current.status = DuplicateCandidate.Status.DISMISSED
        current.resolved_at = timezone.now()
        current.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
        current.save(update_fields=["status", "resolved_at", "resolved_by"])
        audit(
            actor=actor,
            action="update",
            instance=current,
            changes={"status": ["open", "dismissed"]},
        )
    current.left = getattr(candidate, "left", None)
    current.right = getattr(candidate, "right", None)
    return current
