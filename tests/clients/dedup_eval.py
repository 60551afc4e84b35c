"""A labelled evaluation set for duplicate detection, and its precision and recall.

`build_eval_set(seed)` makes, deterministically, several thousand people and companies in
English, German, Russian and French, then

- TRUE duplicates of a share of them, each with realistic variations: another
  transliteration of a Russian name (English, German or French convention — written here,
  independently of the detector's `anyascii`), umlaut spellings (Müller / Mueller /
  Muller), legal forms added, removed or changed (GmbH / AG / ООО / АО / LLC / SARL ...),
  word order, a one-letter typo, a missing middle name, e-mail case and phone formatting;
  and, as in real data, the copy keeps, loses or replaces its e-mail, phone, account, city
  and tax id;
- NON-duplicates that look alike: colleagues with the same surname who share the office
  phone, namesakes at other companies, brother and sister (Ivan Petrov / Ivana Petrova),
  colleagues behind one generic mailbox, "Müller GmbH" and "Müller AG" in other cities with
  other tax ids, companies of the same name elsewhere, branches of one Russian company
  (same INN, own KPP), and members of a holding that share a switchboard.

Every record goes through the same normalisation as the services (lower-cased e-mails,
E.164 phones), and `evaluate` runs the detector the background scan runs (`detect_pairs`).
Any pair the detector reports that is not a labelled duplicate counts against precision,
whether it was planted as a look-alike or happened by chance (namesakes drawn twice).
"""

from __future__ import annotations

import random
import string
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import phonenumbers
from faker import Faker

from perpetuum.clients.duplicates import (
    DetectionStats,
    Profile,
    Verdict,
    account_profile,
    contact_profile,
    detect_pairs,
)
from perpetuum.core.normalize import normalize_email, normalize_phone

PRECISION_TARGET = 0.95
RECALL_TARGET = 0.90


def words(text: str) -> tuple[str, ...]:
    """The words of a vocabulary written as one string."""
    return tuple(text.split())


LOCALES = {"DE": "de_DE", "RU": "ru_RU", "FR": "fr_FR", "GB": "en_GB", "US": "en_US"}
COUNTRY_WEIGHTS = (("DE", 30), ("RU", 30), ("FR", 15), ("GB", 13), ("US", 12))
TLD = {"DE": "de", "RU": "ru", "FR": "fr", "GB": "co.uk", "US": "com"}
FREE_MAIL = {
    "DE": ("gmx.de", "web.de", "t-online.de"),
    "RU": ("mail.ru", "yandex.ru", "bk.ru"),
    "FR": ("orange.fr", "free.fr", "laposte.net"),
    "GB": ("gmail.com", "btinternet.com"),
    "US": ("gmail.com", "yahoo.com", "outlook.com"),
}
COUNTRY_CODES = {"DE": "49", "RU": "7", "FR": "33", "GB": "44", "US": "1"}
NATIONAL_DIGITS = {"DE": 10, "RU": 10, "FR": 9, "GB": 10, "US": 10}
AREA_CODES = {
    "DE": ("+4930", "+4940", "+4989", "+49221", "+4969"),
    "RU": ("+7495", "+7812", "+7843", "+7383"),
    "FR": ("+331", "+334", "+335"),
    "GB": ("+4420", "+44161", "+44121"),
    "US": ("+1212", "+1312", "+1415", "+1617"),
}
MOBILE_CODES = {
    "DE": ("+49151", "+49160", "+49170"),
    "RU": ("+7916", "+7903", "+7926"),
    "FR": ("+336", "+337"),
    "GB": ("+447700", "+447911"),
    "US": ("+1646", "+1917"),
}
LEGAL_FORMS = {
    "DE": ("GmbH", "GmbH", "GmbH", "AG", "KG", "GmbH & Co. KG", "OHG", "e.V.", "UG"),
    "RU": ("ООО", "ООО", "ООО", "АО", "ПАО", "ЗАО", "ОАО"),
    "FR": ("SARL", "SAS", "SA", "S.A.R.L.", "EURL"),
    "GB": ("Ltd", "Ltd", "PLC", "Limited", "LLP"),
    "US": ("Inc", "LLC", "LLC", "Corp", "Inc."),
}
# Other spellings of the same legal form, as people type them.
FORM_SPELLINGS = {
    "ООО": ("OOO", "LLC", "Общество с ограниченной ответственностью"),
    "АО": ("AO", "JSC", "Акционерное общество"),
    "ПАО": ("PAO", "PJSC"),
    "ЗАО": ("ZAO", "CJSC"),
    "ОАО": ("OAO", "OJSC"),
    "GmbH": ("G.m.b.H.", "Gesellschaft mit beschränkter Haftung", "mbH"),
    "SARL": ("S.A.R.L.", "Sarl"),
    "SA": ("S.A.",),
    "SAS": ("S.A.S.",),
    "Ltd": ("Limited", "Ltd."),
    "Inc": ("Inc.", "Incorporated"),
    "LLC": ("L.L.C.",),
}
SECTORS = {
    "DE": words(
        "Maschinenbau Logistik Bau Elektrotechnik Druckerei Bäckerei Software Metallbau "
        "Immobilien Beratung Autohaus Gebäudetechnik Holzbau Medizintechnik Spedition "
        "Küchenstudio"
    ),
    "FR": words(
        "Transports Bâtiment Conseil Informatique Immobilier Boulangerie Menuiserie "
        "Électricité Ingénierie Distribution Pharmacie"
    ),
    "GB": words(
        "Consulting Logistics Engineering Software Holdings Partners Solutions "
        "Construction Properties Trading"
    ),
}
SECTORS["US"] = SECTORS["GB"]
RU_PREFIXES = words(
    "Строй Техно Агро Нефте Энерго Пром Торг Транс Мед Хим Сиб Урал Волга Север Инвест "
    "Газ Электро Лес"
)
RU_SUFFIXES = words(
    "сервис трейд холдинг инвест маш снаб строй логистик комплект проект ресурс систем групп альянс"
)
RU_WORDS = words("Ромашка Вектор Альфа Восход Рассвет Меридиан Гранит Орион")

# --- Russian to Latin, three conventions ---------------------------------------------------

_COMMON = dict(
    zip(
        "абвгдезиклмнопрстуфыэ",
        ["a", "b", "v", "g", "d", "e", "z", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t",
         "u", "f", "y", "e"],
        strict=True,
    )
)  # fmt: skip
TRANSLIT = {
    # English (BGN/PCGN, as passports and newspapers write it).
    "en": {**_COMMON, "ё": "yo", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch",
           "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "ю": "yu", "я": "ya"},
    # German (Duden).
    "de": {**_COMMON, "в": "w", "ё": "jo", "ж": "sch", "з": "s", "й": "j", "х": "ch",
           "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ь": "", "ю": "ju",
           "я": "ja"},
    # French.
    "fr": {**_COMMON, "ё": "io", "ж": "j", "й": "ï", "у": "ou", "х": "kh", "ц": "ts",
           "ч": "tch", "ш": "ch", "щ": "chtch", "ъ": "", "ь": "", "ю": "iou", "я": "ia"},
}  # fmt: skip
VOWELS = set("аеёиоуыэюя")


def transliterate(text: str, convention: str, rng: random.Random) -> str:
    """Russian text in Latin letters after one convention, with the usual choices: е as
    ye / je / ie after a vowel (and, half the time, at the start of a word), -ий as -y or
    -i (English), -ij (German), -i (French), -ов as -off in old French spellings, с as ss
    between vowels in German."""
    table = TRANSLIT[convention]
    glide_e = {"en": "ye", "de": "je", "fr": "ie"}[convention]
    words = []
    for word in text.split(" "):
        lower = word.lower()
        out = []
        for index, char in enumerate(lower):
            previous = lower[index - 1] if index else ""
            following = lower[index + 1] if index + 1 < len(lower) else ""
            latin = table.get(char, char)
            after_vowel = previous in VOWELS or previous in "ъь"
            if char == "е" and (after_vowel or (not previous and rng.random() < 0.5)):
                latin = glide_e
            elif convention == "de" and char == "с" and previous in VOWELS and following in VOWELS:
                latin = "ss"
            elif char == "й" and previous == "и" and not following:
                latin = {"en": rng.choice(["y", ""]), "de": "j", "fr": ""}[convention]
            out.append(latin)
        latin_word = "".join(out)
        if convention == "fr" and latin_word.endswith(("ov", "ev")) and rng.random() < 0.4:
            latin_word = latin_word[:-1] + "ff"  # Ivanoff, the old French spelling
        if word[:1].isupper():
            latin_word = latin_word[:1].upper() + latin_word[1:]
        words.append(latin_word)
    return " ".join(words)


# --- Spelling variations -------------------------------------------------------------------

UMLAUTS = {"ä": ("ae", "a"), "ö": ("oe", "o"), "ü": ("ue", "u"), "ß": ("ss",)}
LATIN = string.ascii_lowercase
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюя"


def has_umlaut(text: str) -> bool:
    return any(char in UMLAUTS for char in text.lower())


def umlaut_variant(text: str, rng: random.Random) -> str:
    """Umlauts spelled out (ü → ue) or dropped (ü → u), the same way throughout."""
    style = rng.randrange(2)
    out = []
    for char in text:
        spellings = UMLAUTS.get(char.lower())
        if spellings is None:
            out.append(char)
            continue
        spelling = spellings[min(style, len(spellings) - 1)]
        out.append(spelling.capitalize() if char.isupper() else spelling)
    return "".join(out)


def typo(text: str, rng: random.Random) -> str:
    """One edit: a letter replaced, dropped, doubled or swapped with its neighbour."""
    letters = [index for index, char in enumerate(text) if char.isalpha()]
    if len(letters) < 3:
        return text
    alphabet = CYRILLIC if any(char in CYRILLIC for char in text.lower()) else LATIN
    index = rng.choice(letters)
    kind = rng.choice(("replace", "drop", "double", "swap"))
    if kind == "replace":
        replacement = rng.choice([char for char in alphabet if char != text[index].lower()])
        replacement = replacement.upper() if text[index].isupper() else replacement
        return text[:index] + replacement + text[index + 1 :]
    if kind == "drop":
        return text[:index] + text[index + 1 :]
    if kind == "double":
        return text[: index + 1] + text[index] + text[index + 1 :]
    if index + 1 < len(text) and text[index + 1].isalpha():
        return text[:index] + text[index + 1] + text[index] + text[index + 2 :]
    return text[: index - 1] + text[index] + text[index - 1] + text[index + 1 :]


def random_case(email: str, rng: random.Random) -> str:
    """The same address as someone might type it: "Ivan.Petrov@Firma.DE"."""
    local, _, domain = email.partition("@")
    styles = (
        lambda: ".".join(part.capitalize() for part in local.split(".")) + "@" + domain,
        lambda: email.upper(),
        lambda: local + "@" + domain.upper(),
        lambda: email,
    )
    return rng.choice(styles)()


def phone_format(e164: str, rng: random.Random) -> tuple[str, str]:
    """(how someone typed it, the region it was typed in)."""
    number = phonenumbers.parse(e164)
    region = phonenumbers.region_code_for_number(number)
    style = rng.choice(
        (
            phonenumbers.PhoneNumberFormat.NATIONAL,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.E164,
        )
    )
    text = phonenumbers.format_number(number, style)
    if style == phonenumbers.PhoneNumberFormat.INTERNATIONAL and rng.random() < 0.5:
        text = text.replace(" ", "-")
    return text, region


# --- The data set --------------------------------------------------------------------------


@dataclass
class EvalRecord:
    """One record of the set, as the services would have stored it."""

    id: int
    entity: str
    fields: dict[str, Any]
    cluster: int
    """Records of one cluster are one client (the first one's id)."""
    variations: tuple[str, ...] = ()


@dataclass
class EvalSet:
    """Records, and the pairs that are and are not duplicates."""

    seed: int
    records: list[EvalRecord] = field(default_factory=list)
    look_alikes: list[tuple[int, int, str]] = field(default_factory=list)
    """Planted non-duplicates: (id, id, kind)."""

    def of(self, entity: str) -> list[EvalRecord]:
        return [record for record in self.records if record.entity == entity]

    def true_pairs(self, entity: str) -> set[tuple[int, int]]:
        clusters: dict[int, list[int]] = defaultdict(list)
        for record in self.of(entity):
            clusters[record.cluster].append(record.id)
        return {
            (min(a, b), max(a, b))
            for ids in clusters.values()
            for a, b in combinations(sorted(ids), 2)
        }


class _Builder:
    """Makes one evaluation set; all randomness comes from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {country: Faker(locale) for country, locale in LOCALES.items()}
        for offset, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed * 10 + offset)
        self.data = EvalSet(seed=seed)
        self.next_id = 1
        self.countries = [c for c, weight in COUNTRY_WEIGHTS for _ in range(weight)]
        self.used_numbers: set[str] = set()
        self.used_emails: set[str] = set()
        self.companies: list[EvalRecord] = []
        self.by_country: dict[str, list[EvalRecord]] = defaultdict(list)

    # -- small parts ------------------------------------------------------------------------

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def digits(self, count: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(count))

    def number(self, prefixes: Sequence[str], country: str, extra: int = 0) -> str:
        """A phone number in E.164 that no one else in the set has."""
        while True:
            prefix = self.rng.choice(prefixes)
            national_prefix = len(prefix) - 1 - len(COUNTRY_CODES[country])
            length = NATIONAL_DIGITS[country] + extra - national_prefix - 1
            value = prefix + str(self.rng.randint(2, 9)) + self.digits(length)
            if value not in self.used_numbers:
                self.used_numbers.add(value)
                return value

    def landline(self, country: str) -> str:
        return self.number(AREA_CODES[country], country)

    def mobile(self, country: str) -> str:
        return self.number(MOBILE_CODES[country], country, 1 if country == "DE" else 0)

    def email(self, local: str, domain: str) -> str:
        """An address no one else in the set has (a second Ivan Petrov gets ivan.petrov2)."""
        address, number = f"{local}@{domain}", 1
        while address in self.used_emails:
            number += 1
            address = f"{local}{number}@{domain}"
        self.used_emails.add(address)
        return address

    def tax_id(self, country: str) -> str:
        while True:
            value = {
                "DE": lambda: "DE" + self.digits(9),
                "RU": lambda: str(self.rng.randint(1, 9)) + self.digits(9),
                "FR": lambda: "FR" + self.digits(11),
                "GB": lambda: "GB" + self.digits(9),
                "US": lambda: self.digits(9),
            }[country]()
            if value not in self.used_numbers:
                self.used_numbers.add(value)
                return value

    @staticmethod
    def slug(text: str) -> str:
        folded = transliterate(text, "en", random.Random(0)) if _is_cyrillic(text) else text
        folded = umlaut_variant(folded, random.Random(0))
        return "".join(char for char in folded.lower() if char.isalnum() and char.isascii())

    def person_name(self, country: str, female: bool) -> tuple[str, str, str]:
        faker = self.fakers[country]
        if country == "RU":
            if female:
                return (
                    faker.first_name_female(),
                    faker.middle_name_female(),
                    faker.last_name_female(),
                )
            return faker.first_name_male(), faker.middle_name_male(), faker.last_name_male()
        first = faker.first_name_female() if female else faker.first_name_male()
        middle = ""
        if self.rng.random() < 0.1:
            middle = faker.first_name_female() if female else faker.first_name_male()
        return first, middle, faker.last_name()

    def company_stem(self, country: str) -> str:
        rng = self.rng
        if country == "RU":
            roll = rng.random()
            if roll < 0.6:
                return f"«{rng.choice(RU_PREFIXES)}{rng.choice(RU_SUFFIXES)}»"
            if roll < 0.8:
                return f"«{rng.choice(RU_WORDS)}»"
            return f"«{self.fakers[country].last_name_male()}»"
        last = self.fakers[country].last_name()
        if rng.random() < 0.75:
            return f"{last} {rng.choice(SECTORS[country])}"
        return last

    @staticmethod
    def with_form(stem: str, form: str, country: str) -> str:
        if not form:
            return stem.strip("«»") if country == "RU" else stem
        if country == "RU" and form[0].isalpha() and _is_cyrillic(form):
            return f"{form} {stem}"
        return f"{stem} {form}" if country != "RU" else f"{stem.strip('«»')} {form}"

    def add(self, entity: str, fields: dict[str, Any], cluster: int | None = None,
            variations: tuple[str, ...] = ()) -> EvalRecord:  # fmt: skip
        record_id = self.new_id()
        record = EvalRecord(record_id, entity, fields, cluster or record_id, variations)
        self.data.records.append(record)
        return record

    # -- companies --------------------------------------------------------------------------

    def company(self, country: str, stem: str | None = None, form: str | None = None,
                tax_id: str | None = None, kpp: str = "") -> EvalRecord:  # fmt: skip
        rng = self.rng
        stem = stem or self.company_stem(country)
        form = form if form is not None else rng.choice(LEGAL_FORMS[country])
        domain = f"{self.slug(stem)[:20]}{rng.randint(1, 99)}.{TLD[country]}"
        while domain in self.used_emails:
            domain = f"{self.slug(stem)[:20]}{rng.randint(1, 999)}.{TLD[country]}"
        self.used_emails.add(domain)
        fields = {
            "name": self.with_form(stem, form, country),
            "stem": stem,
            "form": form,
            "country": country,
            "city": self.fakers[country].city(),
            "tax_id": tax_id if tax_id is not None else (
                self.tax_id(country) if rng.random() < 0.7 else ""
            ),
            "kpp": kpp,
            "emails": [f"info@{domain}"] if rng.random() < 0.7 else [],
            "phones": [self.landline(country)] if rng.random() < 0.8 else [],
            "domain": domain,
        }  # fmt: skip
        if country == "RU" and fields["tax_id"] and not kpp and rng.random() < 0.5:
            fields["kpp"] = self.digits(9)
        record = self.add("account", fields)
        self.companies.append(record)
        self.by_country[country].append(record)
        return record

    def company_duplicate(self, original: EvalRecord) -> None:
        rng = self.rng
        fields = dict(original.fields)
        country = fields["country"]
        stem, form = fields["stem"], fields["form"]
        options = ["legal_form", "word_order", "typo", "none"]
        if country == "RU":
            options += ["transliteration"] * 2
        if has_umlaut(stem):
            options.append("umlaut")
        chosen = rng.sample(options, k=1 if rng.random() < 0.6 else 2)
        variations: list[str] = []
        if "transliteration" in chosen:
            convention = rng.choice(("en", "de", "fr"))
            stem = "«" + transliterate(stem.strip("«»"), convention, rng) + "»"
            if rng.random() < 0.5:
                form = rng.choice(FORM_SPELLINGS.get(form, (form,))[:2])
            variations.append(f"transliteration_{convention}")
        if "umlaut" in chosen:
            stem = umlaut_variant(stem, rng)
            variations.append("umlaut")
        if "legal_form" in chosen:
            roll = rng.random()
            if roll < 0.35:
                form = ""
                variations.append("legal_form_removed")
            elif roll < 0.7 and form in FORM_SPELLINGS:
                form = rng.choice(FORM_SPELLINGS[form])
                variations.append("legal_form_spelling")
            else:
                form = rng.choice([other for other in LEGAL_FORMS[country] if other != form])
                variations.append("legal_form_changed")
        if "word_order" in chosen and len(stem.strip("«»").split()) >= 2:
            reordered = " ".join(reversed(stem.strip("«»").split()))
            stem = f"«{reordered}»" if stem.startswith("«") else reordered
            variations.append("word_order")
        if "typo" in chosen:
            stem = typo(stem, rng)
            variations.append("typo")
        if not variations:
            variations.append("exact")
        fields["name"] = self.with_form(stem, form, country)
        fields["tax_id"] = fields["tax_id"] if rng.random() < 0.35 else ""
        fields["kpp"] = fields["kpp"] if fields["tax_id"] else ""
        fields["emails"] = fields["emails"] if rng.random() < 0.5 else []
        fields["phones"] = [
            phone_format(phone, rng)[0] for phone in fields["phones"] if rng.random() < 0.5
        ]
        if rng.random() < 0.2:
            fields["city"] = ""
        self.add("account", fields, original.id, tuple(variations))

    def company_look_alikes(self, count: int) -> None:
        rng = self.rng
        kinds = ("other_form_elsewhere", "same_name_elsewhere", "branch", "holding_switchboard")
        for index in range(count):
            kind = kinds[index % len(kinds)]
            country = rng.choice(self.countries)
            if kind == "branch":
                country = "RU"
            base = self.company(country)
            if kind == "other_form_elsewhere":
                form = rng.choice([f for f in LEGAL_FORMS[country] if f != base.fields["form"]])
                other = self.company(country, stem=base.fields["stem"], form=form)
            elif kind == "same_name_elsewhere":
                other = self.company(
                    country, stem=base.fields["stem"], form=base.fields["form"], tax_id=""
                )
                base.fields["tax_id"] = ""
            elif kind == "branch":
                base.fields["tax_id"] = base.fields["tax_id"] or self.tax_id("RU")
                base.fields["kpp"] = base.fields["kpp"] or self.digits(9)
                other = self.company(
                    "RU",
                    stem=f"{base.fields['stem']}, филиал",
                    form=base.fields["form"],
                    tax_id=base.fields["tax_id"],
                    kpp=self.digits(9),
                )
            else:  # a holding's members share the switchboard, not their names
                other = self.company(country)
                other.fields["phones"] = list(base.fields["phones"] or [self.landline(country)])
                base.fields["phones"] = list(other.fields["phones"])
            self.data.look_alikes.append((base.id, other.id, f"account_{kind}"))

    # -- people -----------------------------------------------------------------------------

    def person(self, country: str | None = None, *, first: str = "", middle: str | None = None,
               last: str = "", female: bool | None = None,
               company: EvalRecord | bool | None = True) -> EvalRecord:  # fmt: skip
        rng = self.rng
        country = country or rng.choice(self.countries)
        female = rng.random() < 0.45 if female is None else female
        drawn = self.person_name(country, female)
        first, last = first or drawn[0], last or drawn[2]
        middle = drawn[1] if middle is None else middle
        source = (first, middle, last)
        script = "cyrillic" if _is_cyrillic(first + last) else "latin"
        if script == "cyrillic" and rng.random() < 0.2:  # entered in Latin letters
            script = rng.choice(("en", "en", "de", "fr"))
            first, middle, last = (
                transliterate(name, script, rng) if name else "" for name in source
            )
        if company is True:
            pool = self.by_country[country] or self.companies
            company = rng.choice(pool) if rng.random() < 0.9 else None
        account = company if isinstance(company, EvalRecord) else None
        local = f"{self.slug(first)}.{self.slug(last)}"
        emails = []
        if rng.random() < 0.9:
            if account is not None and rng.random() < 0.8:
                emails.append(self.email(local, account.fields["domain"]))
            else:
                emails.append(self.email(local, rng.choice(FREE_MAIL[country])))
        phones = [self.mobile(country)] if rng.random() < 0.75 else []
        fields = {
            "first_name": first,
            "middle_name": middle,
            "last_name": last,
            "country": country,
            "emails": emails,
            "phones": phones,
            "account_id": account.id if account is not None else None,
            "source": source,
            "script": script,
        }
        return self.add("contact", fields)

    def person_duplicate(self, original: EvalRecord) -> None:
        rng = self.rng
        fields = dict(original.fields)
        country = fields["country"]
        first, middle, last = fields["first_name"], fields["middle_name"], fields["last_name"]
        options = ["word_order", "typo", "typo", "none"]
        if country == "RU":  # the variation this set is most about
            options += ["transliteration"] * 4
        if has_umlaut(first + last):
            options += ["umlaut", "umlaut"]
        if middle:
            options.append("missing_middle_name")
        chosen = rng.sample(options, k=1 if rng.random() < 0.6 else 2)
        variations: list[str] = []
        if "transliteration" in chosen:
            # Another script or convention than the original's: Cyrillic, or Latin after
            # the English, German or French convention.
            schemes = [s for s in ("cyrillic", "en", "de", "fr") if s != fields["script"]]
            convention = rng.choice(schemes)
            source_first, source_middle, source_last = fields["source"]
            if convention == "cyrillic":
                first, middle, last = source_first, source_middle, source_last
            else:
                first, middle, last = (
                    transliterate(name, convention, rng) if name else ""
                    for name in (source_first, source_middle, source_last)
                )
            variations.append(f"transliteration_{convention}")
        if "umlaut" in chosen:
            first, last = umlaut_variant(first, rng), umlaut_variant(last, rng)
            variations.append("umlaut")
        if "missing_middle_name" in chosen:
            middle = ""
            variations.append("missing_middle_name")
        if "word_order" in chosen:
            first, last = last, first
            variations.append("word_order")
        if "typo" in chosen:
            if rng.random() < 0.5:
                first = typo(first, rng)
            else:
                last = typo(last, rng)
            variations.append("typo")
        if not variations:
            variations.append("exact")
        roll = rng.random()
        emails = list(fields["emails"])
        if roll < 0.55:
            emails = [random_case(email, rng) for email in emails]
        elif roll < 0.70:
            local = f"{self.slug(first)}.{self.slug(last)}"
            emails = [self.email(local, rng.choice(FREE_MAIL[country]))]
        else:
            emails = []
        roll = rng.random()
        phones: list[str] = []
        if roll < 0.5:
            phones = [phone_format(phone, rng)[0] for phone in fields["phones"]]
        elif roll < 0.6:
            phones = [self.mobile(country)]
        roll = rng.random()
        account_id = fields["account_id"]
        if roll < 0.2:
            account_id = None
        elif roll < 0.25 and self.by_country[country]:
            account_id = rng.choice(self.by_country[country]).id
        fields.update(
            first_name=first,
            middle_name=middle,
            last_name=last,
            emails=emails,
            phones=phones,
            account_id=account_id,
        )
        self.add("contact", fields, original.id, tuple(variations))

    def person_look_alikes(self, count: int) -> None:
        rng = self.rng
        kinds = ("colleague_same_surname", "namesake", "sibling", "shared_mailbox")
        for index in range(count):
            kind = kinds[index % len(kinds)]
            country = rng.choice(self.countries)
            company = rng.choice(self.by_country[country] or self.companies)
            base = self.person(country, company=company)
            if kind == "colleague_same_surname":
                other = self.person(country, last=base.fields["last_name"], company=company)
                switchboard = company.fields["phones"] or [self.landline(country)]
                base.fields["phones"] = [*base.fields["phones"], switchboard[0]]
                other.fields["phones"] = [*other.fields["phones"], switchboard[0]]
            elif kind == "namesake":
                other = self.person(
                    country,
                    first=base.fields["first_name"],
                    last=base.fields["last_name"],
                    middle="",
                )
            elif kind == "sibling":
                other = self.sibling(base)
            else:
                other = self.person(country, company=company)
                mailbox = f"info@{company.fields['domain']}"
                base.fields["emails"] = [mailbox]
                other.fields["emails"] = [mailbox]
            self.data.look_alikes.append((base.id, other.id, f"contact_{kind}"))

    def sibling(self, base: EvalRecord) -> EvalRecord:
        """Brother and sister: Ivan Petrov and Ivana / Anna Petrova, Jan and Jana Novak."""
        fields = base.fields
        first, last = fields["first_name"], fields["last_name"]
        if fields["country"] == "RU" and _is_cyrillic(last):
            sister_last = last + "а" if last.endswith(("ов", "ев", "ин")) else last
            sister_first = first + "а" if self.rng.random() < 0.5 else ""
        else:
            sister_last = last
            sister_first = first + "a" if self.rng.random() < 0.5 else ""
        return self.person(
            fields["country"], first=sister_first, last=sister_last, female=True, middle=None
        )

    # -- everything -------------------------------------------------------------------------

    def build(self, people: int, companies: int, duplicate_share: float) -> EvalSet:
        rng = self.rng
        for _ in range(companies):
            self.company(rng.choice(self.countries))
        self.company_look_alikes(max(4, companies // 12))
        base_companies = [record for record in self.companies if record.cluster == record.id]
        for original in rng.sample(base_companies, int(len(base_companies) * duplicate_share)):
            self.company_duplicate(original)
        for _ in range(people):
            self.person()
        self.person_look_alikes(max(4, people // 12))
        base_people = self.data.of("contact")
        for original in rng.sample(base_people, int(len(base_people) * duplicate_share)):
            self.person_duplicate(original)
        return self.data


def _is_cyrillic(text: str) -> bool:
    return any("а" <= char.lower() <= "я" or char.lower() == "ё" for char in text)


def build_eval_set(
    seed: int = 2026, *, people: int = 3000, companies: int = 1500, duplicate_share: float = 0.15
) -> EvalSet:
    """A labelled set: `people` contacts and `companies` accounts, planted look-alikes, and
    true duplicates of `duplicate_share` of them. The same seed gives the same set."""
    return _Builder(seed).build(people, companies, duplicate_share)


# --- Running the detector on it ------------------------------------------------------------


def _normalised(values: Sequence[str], normalise: Callable[[str], str]) -> list[str]:
    result = []
    for value in values:
        normal = normalise(value)
        if normal not in result:
            result.append(normal)
    return result


def profile_of(record: EvalRecord) -> Profile:
    """The record as the services would have stored it, as the detector sees it."""
    fields = record.fields
    country = fields["country"]
    emails = _normalised(fields["emails"], normalize_email)
    phones = _normalised(fields["phones"], lambda phone: normalize_phone(phone, country))
    if record.entity == "contact":
        return contact_profile(
            record.id,
            fields["first_name"],
            fields["middle_name"],
            fields["last_name"],
            emails,
            phones,
            fields["account_id"],
        )
    return account_profile(
        record.id,
        fields["name"],
        fields["tax_id"],
        fields["kpp"],
        country,
        fields["city"],
        emails,
        phones,
    )


Detector = Callable[[str, list[Profile]], dict[tuple[int, int], Verdict]]


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 1.0


def evaluate(data: EvalSet, detector: Detector | None = None) -> dict[str, Any]:
    """Precision and recall of the detector on the set, overall and per entity, with the
    recall of each variation and the false positives of each kind of look-alike."""
    report: dict[str, Any] = {"seed": data.seed, "entities": {}}
    total_found = total_true = total_hits = 0
    for entity in ("contact", "account"):
        records = data.of(entity)
        by_id = {record.id: record for record in records}
        profiles = [profile_of(record) for record in records]
        stats = DetectionStats()
        if detector is None:
            found = detect_pairs(entity, profiles, stats)
        else:
            found = detector(entity, profiles)
        truth = data.true_pairs(entity)
        hits = set(found) & truth
        by_variation: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for pair in truth:
            variations = by_id[pair[1]].variations or by_id[pair[0]].variations
            for variation in variations:
                by_variation[variation][1] += 1
                by_variation[variation][0] += pair in hits
        look_alike_kinds = {
            (min(a, b), max(a, b)): kind
            for a, b, kind in data.look_alikes
            if by_id.get(a) is not None
        }
        false_positives = Counter(
            look_alike_kinds.get(pair, "unplanned") for pair in set(found) - truth
        )
        report["entities"][entity] = {
            "records": len(records),
            "true_pairs": len(truth),
            "found_pairs": len(found),
            "correct": len(hits),
            "precision": _ratio(len(hits), len(found)),
            "recall": _ratio(len(hits), len(truth)),
            "recall_by_variation": {
                name: _ratio(hit, count) for name, (hit, count) in sorted(by_variation.items())
            },
            "pairs_by_variation": {
                name: count for name, (_h, count) in sorted(by_variation.items())
            },
            "look_alikes": Counter(kind for kind in look_alike_kinds.values()),
            "false_positives": dict(sorted(false_positives.items())),
            "comparisons": stats.comparisons,
        }
        total_found += len(found)
        total_true += len(truth)
        total_hits += len(hits)
    report["precision"] = _ratio(total_hits, total_found)
    report["recall"] = _ratio(total_hits, total_true)
    report["targets"] = {"precision": PRECISION_TARGET, "recall": RECALL_TARGET}
    report["records"] = len(data.records)
    return report
