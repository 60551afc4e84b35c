# ruff: noqa: E501  (template layouts: long lines of HTML read better unbroken)
"""The default document templates every installation starts with: a quote, a sample
contract (a supply agreement) and an invoice, each in English, German, Russian and French.

A layout is written once with `[[label]]` markers; the seed replaces them with each
language's words, so what lands in the database is a plain template that an administrator
edits like any other. `seed_default_templates` is run by a data migration and can run
again: a template whose code and language already exist (even in the recycle bin, where an
administrator may have put it on purpose) is left alone.
"""

from __future__ import annotations

import re
from typing import Any

STYLE = """<style>
.head td { padding: 0; }
.brand { font-size: 15pt; font-weight: bold; }
.meta { text-align: right; }
.meta h1 { margin-bottom: 2mm; }
.recipient { margin: 8mm 0 8mm; }
.sender-line { font-size: 7.5pt; color: #555; border-bottom: 0.3pt solid #999;
  display: inline-block; margin-bottom: 1.5mm; }
table.lines { margin: 4mm 0; }
table.lines th { border-bottom: 0.8pt solid #111; font-size: 8.5pt; }
table.lines td { border-bottom: 0.3pt solid #bbb; }
table.totals { width: 62%; margin-left: 38%; margin-bottom: 8mm; }
table.totals td { padding: 1mm 2mm; }
table.totals tr.grand td { border-top: 0.8pt solid #111; font-weight: bold; }
.footer { margin-top: 12mm; font-size: 7.5pt; color: #555; border-top: 0.3pt solid #999;
  padding-top: 2mm; }
.footer td { padding: 0 2mm 0 0; }
.signatures { margin-top: 14mm; page-break-inside: avoid; }
.signatures td { width: 50%; padding-right: 8mm; }
.sign-line { border-top: 0.5pt solid #111; margin-top: 16mm; padding-top: 1mm; }
ol.clauses { padding-left: 5mm; }
ol.clauses > li { margin-bottom: 3mm; }
ol.clauses h2 { display: inline; font-size: 10pt; }
</style>
"""

LETTERHEAD = """<table class="head"><tr>
<td>
<div class="brand">{{ entity.name }}</div>
<div class="pre muted">{{ entity.letterhead }}</div>
<div class="muted">{{ entity.contact_line }}</div>
</td>
<td class="meta">
<h1>[[title]]</h1>
<div>[[number]]: {{ document.number }}</div>
<div>[[date]]: {{ document.date }}</div>
@@META@@
</td>
</tr></table>
"""

RECIPIENT = """<div class="recipient">
<div class="sender-line">{{ entity.legal_name }}</div>
<div><strong>{{ account.legal_name }}</strong></div>
{% if contact.full_name %}<div>[[attention]] {{ contact.full_name }}</div>{% endif %}
{% if account.address %}<div>{{ account.address }}</div>{% endif %}
{% if account.tax_id %}<div>[[tax_id]]: {{ account.tax_id }}{% if account.kpp %} · [[kpp]]: {{ account.kpp }}{% endif %}</div>{% endif %}
</div>
"""

LINES = """<table class="lines">
<thead><tr>
<th>[[position]]</th><th>[[item]]</th><th class="number">[[quantity]]</th>
<th class="number">[[unit_price]]</th><th class="number">[[discount]]</th>
<th class="number">[[tax_rate]]</th><th class="number">[[net]]</th>
</tr></thead>
<tbody>
{% for line in lines %}<tr>
<td>{{ line.position }}</td>
<td><strong>{{ line.name }}</strong>{% if line.sku %}<br><span class="muted">{{ line.sku }}</span>{% endif %}{% if line.description %}<br><span class="pre">{{ line.description }}</span>{% endif %}</td>
<td class="number">{{ line.quantity }} {{ line.unit }}</td>
<td class="number">{{ line.unit_price }}</td>
<td class="number">{% if line.discount_percent %}{{ line.discount_percent }} %{% endif %}</td>
<td class="number">{{ line.tax_rate }} %</td>
<td class="number">{{ line.net }}</td>
</tr>{% endfor %}
</tbody>
</table>
<table class="totals">
<tr><td>[[total_net]]</td><td class="number">{{ totals.net }}</td></tr>
{% for tax in totals.taxes %}<tr><td>[[tax]] {{ tax.rate }} % [[on]] {{ tax.base }}</td><td class="number">{{ tax.amount }}</td></tr>{% endfor %}
<tr class="grand"><td>[[total_gross]]</td><td class="number">{{ totals.gross }}</td></tr>
</table>
"""

FOOTER = """<table class="footer"><tr>
<td><strong>{{ entity.legal_name }}</strong>{% if entity.vat_id %}<br>[[vat_id]]: {{ entity.vat_id }}{% endif %}{% if entity.tax_id %}<br>[[tax_id]]: {{ entity.tax_id }}{% endif %}</td>
<td class="pre">{{ entity.bank_details }}</td>
<td class="pre">{{ entity.footer }}</td>
</tr></table>
"""

QUOTE = (
    STYLE
    + LETTERHEAD.replace(
        "@@META@@",
        "{% if document.valid_until %}<div>[[valid_until]]: {{ document.valid_until }}</div>{% endif %}"
        "\n<div>[[version]]: {{ document.version }}</div>",
    )
    + RECIPIENT
    + """<p>[[salutation]]</p>
<p>[[quote_intro]]</p>
"""
    + LINES
    + """<p>[[quote_closing]]</p>
<p>[[regards]]<br>{{ entity.signatory_name }}{% if entity.signatory_title %}<br><span class="muted">{{ entity.signatory_title }}</span>{% endif %}</p>
"""
    + FOOTER
)

INVOICE = (
    STYLE
    + LETTERHEAD.replace(
        "@@META@@",
        "{% if document.due_date %}<div>[[due_date]]: {{ document.due_date }}</div>{% endif %}",
    )
    + RECIPIENT
    + """<p>[[invoice_intro]]</p>
"""
    + LINES
    + """<p>[[invoice_payment]] {{ document.number }}.</p>
<p class="pre">{{ entity.bank_details }}</p>
"""
    + FOOTER
)

CONTRACT = (
    STYLE
    + """<div class="brand">{{ entity.name }}</div>
<div class="pre muted">{{ entity.letterhead }}</div>
<h1 style="margin-top: 8mm; text-align: center">[[contract_title]] [[no]] {{ document.number }}</h1>
<table><tr><td>{{ contract.place }}</td><td class="number">{{ document.date }}</td></tr></table>
<p>[[parties]]</p>
<ol class="clauses">
<li><h2>[[subject_heading]]</h2>
<p>[[subject_text]] {{ contract.subject }}.</p>
{% if lines %}"""
    + LINES
    + """{% endif %}</li>
<li><h2>[[price_heading]]</h2>
<p>[[price_text]] {{ contract.price }}{% if totals.tax %} ([[including_tax]] {{ totals.tax }}){% endif %}.</p></li>
<li><h2>[[payment_heading]]</h2>
<p>[[payment_text]]</p></li>
<li><h2>[[delivery_heading]]</h2>
<p>[[delivery_text]]</p></li>
<li><h2>[[warranty_heading]]</h2>
<p>[[warranty_text]]</p></li>
<li><h2>[[term_heading]]</h2>
<p>[[term_text]]</p></li>
<li><h2>[[final_heading]]</h2>
<p>[[final_text]]</p></li>
</ol>
<table class="signatures"><tr>
<td><strong>[[supplier]]</strong><br>{{ entity.legal_name }}<br><span class="pre muted">{{ entity.letterhead }}</span>{% if entity.vat_id %}<br>[[vat_id]]: {{ entity.vat_id }}{% endif %}{% if entity.tax_id %}<br>[[tax_id]]: {{ entity.tax_id }}{% endif %}<br><span class="pre muted">{{ entity.bank_details }}</span></td>
<td><strong>[[buyer]]</strong><br>{{ account.legal_name }}<br>{{ account.address }}{% if account.tax_id %}<br>[[tax_id]]: {{ account.tax_id }}{% endif %}{% if account.kpp %}<br>[[kpp]]: {{ account.kpp }}{% endif %}</td>
</tr><tr>
<td><div class="sign-line">{{ entity.signatory_name }}{% if entity.signatory_title %}, {{ entity.signatory_title }}{% endif %}</div></td>
<td><div class="sign-line">{{ contact.full_name }}{% if contact.title %}, {{ contact.title }}{% endif %}</div></td>
</tr></table>
"""
)

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "quote": "Quote",
        "invoice": "Invoice",
        "number": "Number",
        "no": "No.",
        "date": "Date",
        "valid_until": "Valid until",
        "due_date": "Due date",
        "version": "Version",
        "attention": "Attn.",
        "tax_id": "Tax ID",
        "vat_id": "VAT ID",
        "kpp": "KPP",
        "salutation": "Dear {% if contact.full_name %}{{ contact.full_name }}{% else %}Sir or Madam{% endif %},",
        "quote_intro": "Thank you for your interest. We are pleased to offer you the following:",
        "quote_closing": "We look forward to your order. Prices are subject to the terms "
        "stated above.",
        "regards": "Kind regards",
        "position": "No.",
        "item": "Item",
        "quantity": "Qty",
        "unit_price": "Unit price",
        "discount": "Discount",
        "tax_rate": "Tax",
        "net": "Net",
        "total_net": "Total net",
        "tax": "Tax",
        "on": "on",
        "total_gross": "Total",
        "invoice_intro": "For the goods and services below we invoice you as follows:",
        "invoice_payment": "Please transfer the total to the account below, quoting invoice",
        "contract_title": "Supply Agreement",
        "parties": "{{ entity.legal_name }}, represented by {{ entity.signatory_name }}"
        "{% if entity.signatory_title %}, {{ entity.signatory_title }}{% endif %} "
        "(the “Supplier”), and {{ account.legal_name }}, {{ account.address }}, "
        "represented by {{ contact.full_name }}{% if contact.title %}, {{ contact.title }}"
        "{% endif %} (the “Buyer”), have agreed as follows:",
        "subject_heading": "Subject",
        "subject_text": "The Supplier shall deliver, and the Buyer shall accept and pay for,",
        "price_heading": "Price",
        "price_text": "The total price under this agreement is",
        "including_tax": "including tax of",
        "payment_heading": "Payment",
        "payment_text": "The Buyer shall pay within {{ contract.payment_days }} days of the "
        "invoice date by bank transfer to the Supplier's account.",
        "delivery_heading": "Delivery",
        "delivery_text": "The Supplier shall deliver within {{ contract.delivery_days }} days "
        "of signing, on the terms {{ contract.delivery_terms }}. Ownership passes on payment "
        "in full.",
        "warranty_heading": "Warranty",
        "warranty_text": "The Supplier warrants the goods for {{ contract.warranty_months }} "
        "months from delivery.",
        "term_heading": "Term",
        "term_text": "This agreement takes effect on signing and runs for "
        "{{ contract.term_months }} months.",
        "final_heading": "Final provisions",
        "final_text": "Changes require written form. This agreement is made in two copies, one "
        "for each party.",
        "supplier": "Supplier",
        "buyer": "Buyer",
    },
    "de": {
        "quote": "Angebot",
        "invoice": "Rechnung",
        "number": "Nummer",
        "no": "Nr.",
        "date": "Datum",
        "valid_until": "Gültig bis",
        "due_date": "Fällig am",
        "version": "Version",
        "attention": "z. Hd.",
        "tax_id": "Steuernummer",
        "vat_id": "USt-IdNr.",
        "kpp": "KPP",
        "salutation": "Guten Tag{% if contact.full_name %} {{ contact.full_name }}{% endif %},",
        "quote_intro": "vielen Dank für Ihr Interesse. Gerne unterbreiten wir Ihnen folgendes "
        "Angebot:",
        "quote_closing": "Wir freuen uns auf Ihren Auftrag. Es gelten unsere allgemeinen "
        "Geschäftsbedingungen.",
        "regards": "Mit freundlichen Grüßen",
        "position": "Pos.",
        "item": "Artikel",
        "quantity": "Menge",
        "unit_price": "Einzelpreis",
        "discount": "Rabatt",
        "tax_rate": "USt.",
        "net": "Netto",
        "total_net": "Summe netto",
        "tax": "USt.",
        "on": "auf",
        "total_gross": "Gesamtbetrag",
        "invoice_intro": "für die folgenden Lieferungen und Leistungen stellen wir Ihnen in "
        "Rechnung:",
        "invoice_payment": "Bitte überweisen Sie den Gesamtbetrag auf das unten genannte Konto "
        "unter Angabe der Rechnungsnummer",
        "contract_title": "Liefervertrag",
        "parties": "{{ entity.legal_name }}, vertreten durch {{ entity.signatory_name }}"
        "{% if entity.signatory_title %}, {{ entity.signatory_title }}{% endif %} "
        "(„Lieferant“), und {{ account.legal_name }}, {{ account.address }}, vertreten durch "
        "{{ contact.full_name }}{% if contact.title %}, {{ contact.title }}{% endif %} "
        "(„Käufer“), schließen folgenden Vertrag:",
        "subject_heading": "Vertragsgegenstand",
        "subject_text": "Der Lieferant liefert, und der Käufer nimmt ab und bezahlt:",
        "price_heading": "Preis",
        "price_text": "Der Gesamtpreis nach diesem Vertrag beträgt",
        "including_tax": "einschließlich USt. von",
        "payment_heading": "Zahlung",
        "payment_text": "Der Käufer zahlt innerhalb von {{ contract.payment_days }} Tagen ab "
        "Rechnungsdatum durch Überweisung auf das Konto des Lieferanten.",
        "delivery_heading": "Lieferung",
        "delivery_text": "Der Lieferant liefert innerhalb von {{ contract.delivery_days }} Tagen "
        "nach Unterzeichnung, zu den Bedingungen {{ contract.delivery_terms }}. Das Eigentum "
        "geht mit vollständiger Bezahlung über.",
        "warranty_heading": "Gewährleistung",
        "warranty_text": "Die Gewährleistung beträgt {{ contract.warranty_months }} Monate ab "
        "Lieferung.",
        "term_heading": "Laufzeit",
        "term_text": "Dieser Vertrag tritt mit Unterzeichnung in Kraft und läuft "
        "{{ contract.term_months }} Monate.",
        "final_heading": "Schlussbestimmungen",
        "final_text": "Änderungen bedürfen der Schriftform. Der Vertrag ist in zwei "
        "Ausfertigungen erstellt, je eine für jede Partei.",
        "supplier": "Lieferant",
        "buyer": "Käufer",
    },
    "ru": {
        "quote": "Коммерческое предложение",
        "invoice": "Счёт",
        "number": "Номер",
        "no": "№",
        "date": "Дата",
        "valid_until": "Действительно до",
        "due_date": "Оплатить до",
        "version": "Версия",
        "attention": "Вниманию:",
        "tax_id": "ИНН",
        "vat_id": "ИНН/НДС",
        "kpp": "КПП",
        "salutation": "Здравствуйте{% if contact.full_name %}, {{ contact.full_name }}{% endif %}!",
        "quote_intro": "Благодарим за интерес к нашей продукции. Предлагаем вам следующее:",
        "quote_closing": "Будем рады вашему заказу. Цены действуют на указанных условиях.",
        "regards": "С уважением",
        "position": "№",
        "item": "Наименование",
        "quantity": "Кол-во",
        "unit_price": "Цена",
        "discount": "Скидка",
        "tax_rate": "НДС",
        "net": "Сумма без НДС",
        "total_net": "Итого без НДС",
        "tax": "НДС",
        "on": "с суммы",
        "total_gross": "Всего к оплате",
        "invoice_intro": "За поставленные товары и оказанные услуги выставляем счёт:",
        "invoice_payment": "Просим перечислить сумму на указанный ниже счёт с указанием "
        "номера счёта",
        "contract_title": "Договор поставки",
        "parties": "{{ entity.legal_name }} в лице {{ entity.signatory_title }} "
        "{{ entity.signatory_name }} (далее «Поставщик») и {{ account.legal_name }}, "
        "{{ account.address }}, в лице {% if contact.title %}{{ contact.title }} {% endif %}"
        "{{ contact.full_name }} (далее «Покупатель») заключили настоящий договор о "
        "нижеследующем:",
        "subject_heading": "Предмет договора",
        "subject_text": "Поставщик обязуется поставить, а Покупатель — принять и оплатить:",
        "price_heading": "Цена",
        "price_text": "Общая цена по настоящему договору составляет",
        "including_tax": "в том числе НДС",
        "payment_heading": "Оплата",
        "payment_text": "Покупатель оплачивает товар в течение {{ contract.payment_days }} дней "
        "с даты счёта перечислением на расчётный счёт Поставщика.",
        "delivery_heading": "Поставка",
        "delivery_text": "Поставщик осуществляет поставку в течение "
        "{{ contract.delivery_days }} дней с даты подписания на условиях "
        "{{ contract.delivery_terms }}. Право собственности переходит после полной оплаты.",
        "warranty_heading": "Гарантия",
        "warranty_text": "Гарантийный срок составляет {{ contract.warranty_months }} месяцев с "
        "даты поставки.",
        "term_heading": "Срок действия",
        "term_text": "Договор вступает в силу с момента подписания и действует "
        "{{ contract.term_months }} месяцев.",
        "final_heading": "Заключительные положения",
        "final_text": "Изменения действительны в письменной форме. Договор составлен в двух "
        "экземплярах, по одному для каждой стороны.",
        "supplier": "Поставщик",
        "buyer": "Покупатель",
    },
    "fr": {
        "quote": "Devis",
        "invoice": "Facture",
        "number": "Numéro",
        "no": "n°",
        "date": "Date",
        "valid_until": "Valable jusqu’au",
        "due_date": "Échéance",
        "version": "Version",
        "attention": "À l’attention de",
        "tax_id": "N° fiscal",
        "vat_id": "N° TVA",
        "kpp": "KPP",
        "salutation": "Bonjour{% if contact.full_name %} {{ contact.full_name }}{% endif %},",
        "quote_intro": "Nous vous remercions de votre intérêt et avons le plaisir de vous "
        "proposer :",
        "quote_closing": "Dans l’attente de votre commande, nous restons à votre disposition.",
        "regards": "Cordialement",
        "position": "N°",
        "item": "Article",
        "quantity": "Qté",
        "unit_price": "Prix unitaire",
        "discount": "Remise",
        "tax_rate": "TVA",
        "net": "HT",
        "total_net": "Total HT",
        "tax": "TVA",
        "on": "sur",
        "total_gross": "Total TTC",
        "invoice_intro": "Pour les livraisons et prestations ci-dessous, nous vous facturons :",
        "invoice_payment": "Merci de virer le total sur le compte ci-dessous en indiquant la "
        "facture",
        "contract_title": "Contrat de fourniture",
        "parties": "{{ entity.legal_name }}, représentée par {{ entity.signatory_name }}"
        "{% if entity.signatory_title %}, {{ entity.signatory_title }}{% endif %} "
        "(le « Fournisseur »), et {{ account.legal_name }}, {{ account.address }}, "
        "représentée par {{ contact.full_name }}{% if contact.title %}, {{ contact.title }}"
        "{% endif %} (l’« Acheteur »), sont convenus de ce qui suit :",
        "subject_heading": "Objet",
        "subject_text": "Le Fournisseur livre, et l’Acheteur réceptionne et paie :",
        "price_heading": "Prix",
        "price_text": "Le prix total du présent contrat s’élève à",
        "including_tax": "dont TVA",
        "payment_heading": "Paiement",
        "payment_text": "L’Acheteur paie dans un délai de {{ contract.payment_days }} jours à "
        "compter de la date de facture, par virement sur le compte du Fournisseur.",
        "delivery_heading": "Livraison",
        "delivery_text": "Le Fournisseur livre dans un délai de {{ contract.delivery_days }} jours "
        "à compter de la signature, aux conditions {{ contract.delivery_terms }}. La propriété "
        "est transférée au paiement intégral.",
        "warranty_heading": "Garantie",
        "warranty_text": "La garantie est de {{ contract.warranty_months }} mois à compter de la "
        "livraison.",
        "term_heading": "Durée",
        "term_text": "Le présent contrat entre en vigueur à sa signature pour une durée de "
        "{{ contract.term_months }} mois.",
        "final_heading": "Dispositions finales",
        "final_text": "Toute modification requiert la forme écrite. Le contrat est établi en "
        "deux exemplaires, un pour chaque partie.",
        "supplier": "Le Fournisseur",
        "buyer": "L’Acheteur",
    },
}

TITLES = {
    "quote": ("quote", "Quote", QUOTE),
    "supply_agreement": ("contract", "Supply agreement", CONTRACT),
    "invoice": ("invoice", "Invoice", INVOICE),
}
TITLE_LABEL = {"quote": "quote", "supply_agreement": "contract_title", "invoice": "invoice"}

_MARKER = re.compile(r"\[\[(\w+)\]\]")


def default_body(code: str, language: str) -> str:
    """The body of the default template `code` in `language`."""
    _kind, _name, layout = TITLES[code]
    labels = {**LABELS[language], "title": LABELS[language][TITLE_LABEL[code]]}
    return _MARKER.sub(lambda match: labels[match.group(1)], layout)


def default_templates() -> list[dict[str, Any]]:
    """Every default template, as the fields of a `DocumentTemplate`."""
    result = []
    for code, (kind, _name, _layout) in TITLES.items():
        for language in LABELS:
            title = LABELS[language][TITLE_LABEL[code]]
            result.append(
                {
                    "kind": kind,
                    "code": code,
                    "name": title,
                    "language": language,
                    "body": default_body(code, language),
                    "is_default": True,
                }
            )
    return result


def seed_default_templates(template_model: Any) -> int:
    """Create the default templates that are missing; the number created. Takes the model
    (from `apps.get_model` in a migration) so it runs against the migration's state."""
    created = 0
    for fields in default_templates():
        exists = template_model._base_manager.filter(
            code=fields["code"], language=fields["language"], legal_entity__isnull=True
        ).exists()
        if not exists:
            template_model._base_manager.create(**fields)
            created += 1
    return created
