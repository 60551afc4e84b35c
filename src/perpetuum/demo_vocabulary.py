"""The words the demo generator builds its data from: company names, legal forms, cities with
their postcodes and phone area codes, job titles and interaction subjects in English,
German, French and Russian."""

from __future__ import annotations

from typing import Any


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


LOCALES = {"DE": "de_DE", "GB": "en_GB", "US": "en_US", "FR": "fr_FR", "RU": "ru_RU"}
LANGUAGE = {"DE": "de", "GB": "en", "US": "en", "FR": "fr", "RU": "ru"}
ACCOUNT_COUNTRIES = (("DE", 34), ("RU", 24), ("FR", 14), ("GB", 14), ("US", 14))

LEGAL_FORMS = {
    "DE": (("GmbH", 60), ("AG", 12), ("GmbH & Co. KG", 22), ("SE", 2), ("KG", 4)),
    "GB": (("Ltd", 85), ("PLC", 15)),
    "US": (("LLC", 60), ("Inc.", 40)),
    "FR": (("SAS", 45), ("SARL", 40), ("SA", 15)),
    "RU": (("ООО", 80), ("АО", 15), ("ПАО", 5)),
}
LEGAL_FORM_NAMES = {
    "GmbH": "Gesellschaft mit beschränkter Haftung",
    "AG": "Aktiengesellschaft",
    "ООО": "Общество с ограниченной ответственностью",
    "АО": "Акционерное общество",
    "ПАО": "Публичное акционерное общество",
    "SARL": "Société à responsabilité limitée",
    "SAS": "Société par actions simplifiée",
    "SA": "Société anonyme",
    "Ltd": "Limited",
    "PLC": "Public Limited Company",
}
BRANCHES = {
    "de": (
        "Maschinenbau",
        "Anlagenbau",
        "Logistik",
        "Elektrotechnik",
        "Antriebstechnik",
        "Medizintechnik",
        "Automation",
        "Energietechnik",
        "Stahlbau",
        "Verpackungstechnik",
        "Kunststofftechnik",
        "Industriebedarf",
        "Systemhaus",
        "Präzisionstechnik",
        "Fördertechnik",
    ),
    "en": (
        "Engineering",
        "Manufacturing",
        "Logistics",
        "Industrial Supplies",
        "Systems",
        "Technologies",
        "Controls",
        "Energy",
        "Components",
        "Automation",
        "Instruments",
        "Fabrication",
        "Machinery",
        "Solutions",
    ),
    "fr": (
        "Industries",
        "Logistique",
        "Ingénierie",
        "Automatismes",
        "Énergie",
        "Systèmes",
        "Équipements",
        "Technologies",
        "Mécanique",
        "Emballages",
        "Composants",
    ),
}
LATIN_PREFIXES = words(
    "Tech Inno Proto Mega Nord Euro Trans Inter Omni Vita Agro Hydro Electro Metal Opti "
    "Digi Kraft Alpha Terra Aero Rhein Alpen Atlant Sigma Delta"
)
LATIN_SUFFIXES = words("tec plan tronic form log net matic sys line flex werk tron gen data star")
RU_PREFIXES = words(
    "Урал Сиб Волга Балт Север Юг Центр Нева Енисей Кама Дон Амур Тех Пром Энерго Агро "
    "Спец Мега Строй Инвест"
)
RU_SUFFIXES = words(
    "маш пром снаб техника строй энерго логистик сервис инвест автоматика металл комплект"
)
SUBSIDIARY_SUFFIXES = {
    "DE": ("Service", "Vertrieb", "Nord", "Süd", "Technik", "International"),
    "GB": ("UK", "Services", "Europe"),
    "US": ("USA", "North America", "Services"),
    "FR": ("France", "Services", "Europe"),
    "RU": ("Рус", "Сервис", "Восток", "Северо-Запад"),
}
INDUSTRIES = (
    "Manufacturing",
    "Automotive",
    "Chemicals",
    "Energy & Utilities",
    "Logistics",
    "Telecommunications",
    "Financial services",
    "Healthcare",
    "Construction",
    "Retail",
    "Food & Beverage",
    "Software & IT",
    "Mining & Metals",
    "Aerospace",
    "Agriculture",
    "Public sector",
)
SIZES = (("1-9", 20), ("10-49", 30), ("50-249", 25), ("250-999", 15), ("1000+", 10))
STAGES = (("customer", 45), ("prospect", 35), ("former_customer", 10), ("partner", 10))
TLD = {"DE": "de", "GB": "co.uk", "US": "com", "FR": "fr", "RU": "ru"}
FREE_MAIL = {
    "DE": ("gmx.de", "web.de", "t-online.de", "gmail.com"),
    "GB": ("gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com"),
    "US": ("gmail.com", "outlook.com", "yahoo.com", "icloud.com"),
    "FR": ("orange.fr", "free.fr", "gmail.com", "laposte.net"),
    "RU": ("yandex.ru", "mail.ru", "gmail.com", "rambler.ru"),
}

# City, postcodes, phone area prefix and number of digits after it.
CITIES: dict[str, tuple[tuple[str, Any, str, int], ...]] = {
    "DE": (
        ("Berlin", (10115, 14199), "+4930", 8),
        ("Hamburg", (20095, 22769), "+4940", 8),
        ("München", (80331, 81929), "+4989", 8),
        ("Köln", (50667, 51149), "+49221", 7),
        ("Frankfurt am Main", (60306, 60599), "+4969", 8),
        ("Stuttgart", (70173, 70629), "+49711", 7),
        ("Düsseldorf", (40210, 40629), "+49211", 7),
        ("Leipzig", (4103, 4357), "+49341", 7),
        ("Dresden", (1067, 1328), "+49351", 7),
        ("Hannover", (30159, 30669), "+49511", 7),
        ("Nürnberg", (90402, 90491), "+49911", 7),
        ("Bremen", (28195, 28779), "+49421", 7),
    ),
    "RU": (
        ("Москва", (101000, 129345), "+7495", 7),
        ("Москва", (101000, 129345), "+7499", 7),
        ("Санкт-Петербург", (190000, 199406), "+7812", 7),
        ("Екатеринбург", (620000, 620144), "+7343", 7),
        ("Новосибирск", (630000, 630132), "+7383", 7),
        ("Казань", (420000, 420140), "+7843", 7),
        ("Нижний Новгород", (603000, 603163), "+7831", 7),
        ("Самара", (443000, 443125), "+7846", 7),
    ),
    "FR": (
        ("Paris", tuple(75001 + i for i in range(20)), "+331", 8),
        ("Lyon", tuple(69001 + i for i in range(9)), "+33472", 6),
        ("Marseille", tuple(13001 + i for i in range(16)), "+33491", 6),
        ("Toulouse", (31000, 31100, 31200, 31300, 31400, 31500), "+33561", 6),
        ("Nantes", (44000, 44100, 44200, 44300), "+33240", 6),
        ("Bordeaux", (33000, 33100, 33200, 33300, 33800), "+33556", 6),
        ("Lille", (59000, 59160, 59260, 59800), "+33320", 6),
        ("Strasbourg", (67000, 67100, 67200), "+33388", 6),
    ),
    "GB": (
        ("London", ("EC1A", "EC2V", "WC2N", "SW1A", "SE1", "E14", "N1", "W1D"), "+44207", 7),
        ("London", ("EC1A", "EC2V", "WC2N", "SW1A", "SE1", "E14", "N1", "W1D"), "+44203", 7),
        ("Manchester", ("M1", "M2", "M3", "M15"), "+44161", 7),
        ("Birmingham", ("B1", "B2", "B3"), "+44121", 7),
        ("Glasgow", ("G1", "G2"), "+44141", 7),
        ("Bristol", ("BS1", "BS2"), "+44117", 7),
    ),
    "US": (
        ("New York, NY", (10001, 10282), "+1212", 7),
        ("San Francisco, CA", (94102, 94134), "+1415", 7),
        ("Chicago, IL", (60601, 60661), "+1312", 7),
        ("Boston, MA", (2108, 2137), "+1617", 7),
        ("Austin, TX", (78701, 78759), "+1512", 7),
        ("Seattle, WA", (98101, 98199), "+1206", 7),
    ),
}
MOBILE_PREFIXES = {
    "DE": (("+49151", 8), ("+49160", 7), ("+49170", 7), ("+49171", 7), ("+49176", 8)),
    "RU": (("+7916", 7), ("+7903", 7), ("+7926", 7), ("+7985", 7), ("+7977", 7)),
    "FR": (("+3361", 7), ("+3362", 7), ("+3367", 7), ("+3368", 7), ("+3375", 7)),
    "GB": (("+447400", 6), ("+447500", 6), ("+447800", 6)),
    "US": (("+1646", 7), ("+1917", 7), ("+1628", 7), ("+1737", 7)),
}
STREET_TYPES = {
    "GB": ("Road", "Street", "Lane", "Close", "Way", "Gardens", "Place"),
    "US": ("Street", "Avenue", "Boulevard", "Drive", "Road", "Parkway"),
}

TITLES = {
    "en": (
        ("CEO", "CEO"),
        ("Managing Director", "Managing Director"),
        ("Head of Procurement", "Head of Procurement"),
        ("Purchasing Manager", "Purchasing Manager"),
        ("CFO", "CFO"),
        ("Chief Technology Officer", "Chief Technology Officer"),
        ("Head of Operations", "Head of Operations"),
        ("Plant Manager", "Plant Manager"),
        ("IT Director", "IT Director"),
        ("Project Manager", "Project Manager"),
        ("Quality Manager", "Quality Manager"),
        ("Logistics Manager", "Logistics Manager"),
    ),
    "de": (
        ("Geschäftsführer", "Geschäftsführerin"),
        ("Leiter Einkauf", "Leiterin Einkauf"),
        ("Einkäufer", "Einkäuferin"),
        ("Technischer Leiter", "Technische Leiterin"),
        ("Leiter IT", "Leiterin IT"),
        ("Projektleiter", "Projektleiterin"),
        ("Vertriebsleiter", "Vertriebsleiterin"),
        ("Werksleiter", "Werksleiterin"),
        ("Prokurist", "Prokuristin"),
        ("Qualitätsmanager", "Qualitätsmanagerin"),
        ("Kaufmännischer Leiter", "Kaufmännische Leiterin"),
    ),
    "fr": (
        ("Directeur général", "Directrice générale"),
        ("Directeur des achats", "Directrice des achats"),
        ("Acheteur", "Acheteuse"),
        ("Directeur technique", "Directrice technique"),
        ("Directeur informatique", "Directrice informatique"),
        ("Chef de projet", "Cheffe de projet"),
        ("Directeur commercial", "Directrice commerciale"),
        ("Directeur d'usine", "Directrice d'usine"),
        ("Responsable qualité", "Responsable qualité"),
        ("Directeur financier", "Directrice financière"),
    ),
    "ru": tuple(
        (title, title)
        for title in (
            "Генеральный директор",
            "Начальник отдела закупок",
            "Менеджер по закупкам",
            "Технический директор",
            "ИТ-директор",
            "Руководитель проекта",
            "Коммерческий директор",
            "Директор по производству",
            "Главный инженер",
            "Финансовый директор",
            "Начальник отдела логистики",
        )
    ),
}

# Interaction subjects per language and kind; "{n}" is a document number.
SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "call": (
            "Call about the quote",
            "Follow-up call",
            "Call: delivery dates",
            "Call with purchasing",
            "Call: payment terms",
            "Introductory call",
            "Call: service contract renewal",
        ),
        "email": (
            "Re: Quote",
            "Re: Delivery schedule",
            "New price list",
            "Re: Invoice",
            "Order confirmation",
            "Re: Technical specification",
            "Re: Framework agreement",
        ),
        "meeting": (
            "Quarterly business review",
            "Site visit",
            "Product demo",
            "Contract negotiation",
            "Kick-off meeting",
            "Technical workshop",
        ),
        "chat": (
            "Website chat: product question",
            "Chat: order status",
            "Chat: spare parts availability",
            "Chat: callback requested",
        ),
        "web_form": (
            "Contact form: request for a quote",
            "Contact form: demo request",
            "Web form: brochure download",
            "Web form: service request",
        ),
        "link_click": (
            "Clicked: newsletter link",
            "Clicked: trade fair banner",
            "Clicked: product launch campaign",
            "Clicked: webinar invitation",
        ),
        "note": (
            "New decision-maker in purchasing",
            "Budget planned for next year",
            "Competitor offer received",
            "Visit report",
            "Reorganisation at the client",
        ),
        "task": (
            "Send the updated quote",
            "Prepare the contract draft",
            "Follow up on the offer",
            "Call back about the delivery",
            "Check the payment status",
            "Schedule a product demo",
        ),
        "decision": (
            "Discount approved",
            "Credit limit raised",
            "Deal put on hold",
            "Switched to prepayment",
            "Key account status granted",
        ),
        "document": (
            "Quote Q-{n}",
            "Framework agreement FA-{n}",
            "Signed NDA",
            "Technical specification TS-{n}",
            "Invoice INV-{n}",
        ),
        "system": ("Record imported", "Owner changed", "Stage changed", "Data quality check"),
        "complaint": (
            "Complaint: late delivery",
            "Complaint: defective part",
            "Complaint: wrong invoice amount",
            "Complaint: service engineer did not arrive",
        ),
        "reason": (
            "Three-year framework agreement with a volume commitment.",
            "Strategic reference customer in the region.",
            "Two payments more than 60 days late.",
            "The client postponed the investment to next year.",
            "Order volume above 500,000 in the last twelve months.",
        ),
        "body": (
            "Discussed the delivery schedule; the client expects the first batch next month.",
            "The client asked for a revised quote with extended warranty.",
            "Purchasing confirmed the budget; a decision is expected by the end of the quarter.",
            "Technical questions answered; documentation sent afterwards.",
            "The client compares us with two competitors, price is the main criterion.",
        ),
    },
    "de": {
        "call": (
            "Telefonat zum Angebot",
            "Nachfassanruf",
            "Telefonat: Liefertermine",
            "Telefonat mit dem Einkauf",
            "Telefonat: Zahlungsbedingungen",
            "Erstgespräch",
            "Telefonat: Verlängerung Wartungsvertrag",
        ),
        "email": (
            "AW: Angebot",
            "AW: Lieferplan",
            "Neue Preisliste",
            "AW: Rechnung",
            "Auftragsbestätigung",
            "AW: Lastenheft",
            "AW: Rahmenvertrag",
        ),
        "meeting": (
            "Quartalsgespräch",
            "Besuch vor Ort",
            "Produktvorführung",
            "Vertragsverhandlung",
            "Kick-off-Termin",
            "Technischer Workshop",
        ),
        "chat": (
            "Website-Chat: Produktfrage",
            "Chat: Auftragsstatus",
            "Chat: Ersatzteilverfügbarkeit",
            "Chat: Rückruf erbeten",
        ),
        "web_form": (
            "Kontaktformular: Angebotsanfrage",
            "Kontaktformular: Demo-Anfrage",
            "Webformular: Broschüre heruntergeladen",
            "Webformular: Serviceanfrage",
        ),
        "link_click": (
            "Geklickt: Newsletter-Link",
            "Geklickt: Messe-Banner",
            "Geklickt: Produktkampagne",
            "Geklickt: Webinar-Einladung",
        ),
        "note": (
            "Neuer Ansprechpartner im Einkauf",
            "Budget für nächstes Jahr geplant",
            "Wettbewerbsangebot liegt vor",
            "Besuchsbericht",
            "Umstrukturierung beim Kunden",
        ),
        "task": (
            "Aktualisiertes Angebot senden",
            "Vertragsentwurf vorbereiten",
            "Angebot nachfassen",
            "Rückruf wegen Lieferung",
            "Zahlungseingang prüfen",
            "Produktvorführung vereinbaren",
        ),
        "decision": (
            "Rabatt genehmigt",
            "Kreditlimit erhöht",
            "Projekt zurückgestellt",
            "Umstellung auf Vorkasse",
            "Key-Account-Status vergeben",
        ),
        "document": (
            "Angebot AN-{n}",
            "Rahmenvertrag RV-{n}",
            "Unterzeichnete Geheimhaltungsvereinbarung",
            "Lastenheft LH-{n}",
            "Rechnung RE-{n}",
        ),
        "system": (
            "Datensatz importiert",
            "Verantwortlicher geändert",
            "Phase geändert",
            "Datenqualitätsprüfung",
        ),
        "complaint": (
            "Reklamation: verspätete Lieferung",
            "Reklamation: defektes Teil",
            "Reklamation: falscher Rechnungsbetrag",
            "Beschwerde: Servicetechniker nicht erschienen",
        ),
        "reason": (
            "Dreijähriger Rahmenvertrag mit Abnahmeverpflichtung.",
            "Strategischer Referenzkunde in der Region.",
            "Zwei Zahlungen mehr als 60 Tage im Verzug.",
            "Der Kunde hat die Investition auf nächstes Jahr verschoben.",
            "Auftragsvolumen über 500.000 in den letzten zwölf Monaten.",
        ),
        "body": (
            "Lieferplan besprochen; der Kunde erwartet die erste Lieferung im nächsten Monat.",
            "Der Kunde bittet um ein überarbeitetes Angebot mit verlängerter Garantie.",
            "Der Einkauf hat das Budget bestätigt; Entscheidung bis Quartalsende.",
            "Technische Fragen beantwortet, Unterlagen im Anschluss versendet.",
            "Der Kunde vergleicht uns mit zwei Wettbewerbern, der Preis entscheidet.",
        ),
    },
    "fr": {
        "call": (
            "Appel concernant le devis",
            "Appel de relance",
            "Appel : délais de livraison",
            "Appel avec les achats",
            "Appel : conditions de paiement",
            "Premier appel",
            "Appel : renouvellement du contrat de maintenance",
        ),
        "email": (
            "RE : Devis",
            "RE : Planning de livraison",
            "Nouvelle grille tarifaire",
            "RE : Facture",
            "Confirmation de commande",
            "RE : Cahier des charges",
            "RE : Contrat-cadre",
        ),
        "meeting": (
            "Revue trimestrielle",
            "Visite sur site",
            "Démonstration produit",
            "Négociation du contrat",
            "Réunion de lancement",
            "Atelier technique",
        ),
        "chat": (
            "Chat du site : question produit",
            "Chat : état de la commande",
            "Chat : disponibilité des pièces",
            "Chat : demande de rappel",
        ),
        "web_form": (
            "Formulaire de contact : demande de devis",
            "Formulaire de contact : demande de démo",
            "Formulaire web : brochure téléchargée",
            "Formulaire web : demande d'intervention",
        ),
        "link_click": (
            "Clic : lien de la newsletter",
            "Clic : bannière du salon",
            "Clic : campagne de lancement",
            "Clic : invitation au webinaire",
        ),
        "note": (
            "Nouveau décideur aux achats",
            "Budget prévu pour l'an prochain",
            "Offre concurrente reçue",
            "Compte rendu de visite",
            "Réorganisation chez le client",
        ),
        "task": (
            "Envoyer le devis mis à jour",
            "Préparer le projet de contrat",
            "Relancer l'offre",
            "Rappeler au sujet de la livraison",
            "Vérifier le paiement",
            "Planifier une démonstration",
        ),
        "decision": (
            "Remise accordée",
            "Plafond de crédit relevé",
            "Affaire suspendue",
            "Passage au paiement anticipé",
            "Statut grand compte accordé",
        ),
        "document": (
            "Devis D-{n}",
            "Contrat-cadre CC-{n}",
            "Accord de confidentialité signé",
            "Cahier des charges CDC-{n}",
            "Facture F-{n}",
        ),
        "system": (
            "Fiche importée",
            "Responsable modifié",
            "Étape modifiée",
            "Contrôle de qualité des données",
        ),
        "complaint": (
            "Réclamation : livraison en retard",
            "Réclamation : pièce défectueuse",
            "Réclamation : montant de facture erroné",
            "Réclamation : technicien absent",
        ),
        "reason": (
            "Contrat-cadre de trois ans avec engagement de volume.",
            "Client de référence stratégique dans la région.",
            "Deux paiements en retard de plus de 60 jours.",
            "Le client a reporté l'investissement à l'an prochain.",
            "Volume de commandes supérieur à 500 000 sur les douze derniers mois.",
        ),
        "body": (
            "Planning de livraison discuté ; le client attend le premier lot le mois prochain.",
            "Le client demande un devis révisé avec une garantie étendue.",
            "Les achats ont confirmé le budget ; décision attendue d'ici la fin du trimestre.",
            "Questions techniques traitées, documentation envoyée ensuite.",
            "Le client nous compare à deux concurrents, le prix est le critère principal.",
        ),
    },
    "ru": {
        "call": (
            "Звонок по коммерческому предложению",
            "Повторный звонок",
            "Звонок: сроки поставки",
            "Звонок в отдел закупок",
            "Звонок: условия оплаты",
            "Первый звонок",
            "Звонок: продление сервисного договора",
        ),
        "email": (
            "Re: Коммерческое предложение",
            "Re: График поставок",
            "Новый прайс-лист",
            "Re: Счёт",
            "Подтверждение заказа",
            "Re: Техническое задание",
            "Re: Рамочный договор",
        ),
        "meeting": (
            "Ежеквартальная встреча",
            "Выезд на объект",
            "Демонстрация продукта",
            "Переговоры по договору",
            "Стартовая встреча",
            "Технический семинар",
        ),
        "chat": (
            "Чат на сайте: вопрос о продукте",
            "Чат: статус заказа",
            "Чат: наличие запчастей",
            "Чат: просьба перезвонить",
        ),
        "web_form": (
            "Форма на сайте: запрос КП",
            "Форма на сайте: запрос демонстрации",
            "Форма на сайте: скачан буклет",
            "Форма на сайте: сервисная заявка",
        ),
        "link_click": (
            "Переход: ссылка из рассылки",
            "Переход: баннер выставки",
            "Переход: кампания запуска продукта",
            "Переход: приглашение на вебинар",
        ),
        "note": (
            "Новое лицо, принимающее решения",
            "Бюджет заложен на следующий год",
            "Получено предложение конкурента",
            "Отчёт о визите",
            "Реорганизация у клиента",
        ),
        "task": (
            "Отправить обновлённое КП",
            "Подготовить проект договора",
            "Уточнить решение по предложению",
            "Перезвонить по поставке",
            "Проверить оплату",
            "Назначить демонстрацию",
        ),
        "decision": (
            "Скидка согласована",
            "Кредитный лимит увеличен",
            "Сделка приостановлена",
            "Переход на предоплату",
            "Присвоен статус ключевого клиента",
        ),
        "document": (
            "Коммерческое предложение КП-{n}",
            "Рамочный договор РД-{n}",
            "Подписано соглашение о неразглашении",
            "Техническое задание ТЗ-{n}",
            "Счёт СЧ-{n}",
        ),
        "system": (
            "Запись импортирована",
            "Изменён ответственный",
            "Изменена стадия",
            "Проверка качества данных",
        ),
        "complaint": (
            "Жалоба: задержка поставки",
            "Рекламация: неисправная деталь",
            "Жалоба: неверная сумма в счёте",
            "Жалоба: инженер не приехал",
        ),
        "reason": (
            "Рамочный договор на три года с обязательством по объёму.",
            "Стратегический референтный клиент в регионе.",
            "Два платежа просрочены более чем на 60 дней.",
            "Клиент перенёс инвестиции на следующий год.",
            "Объём заказов более 500 000 за последние двенадцать месяцев.",
        ),
        "body": (
            "Обсудили график поставок; клиент ждёт первую партию в следующем месяце.",
            "Клиент просит пересмотреть КП с расширенной гарантией.",
            "Закупки подтвердили бюджет; решение ожидается до конца квартала.",
            "Ответили на технические вопросы, документацию отправили после звонка.",
            "Клиент сравнивает нас с двумя конкурентами, главный критерий — цена.",
        ),
    },
}

PAST_KINDS = (
    ("email", 26),
    ("call", 20),
    ("note", 10),
    ("meeting", 8),
    ("task", 9),
    ("document", 6),
    ("chat", 5),
    ("system", 5),
    ("link_click", 5),
    ("web_form", 3),
    ("decision", 3),
)
PLANNED_KINDS = (("task", 45), ("meeting", 25), ("call", 25), ("email", 5))
CHANNELS = {
    "call": ("phone",),
    "email": ("email",),
    "meeting": ("in_person", "in_person", "video"),
    "chat": ("web_chat",),
    "web_form": ("web",),
    "link_click": ("web",),
    "system": ("system",),
}
INBOUND_ONLY = {"web_form", "link_click", "chat"}
TWO_WAY = {"call", "email"}
SOURCES = {"web_form": "website", "link_click": "tracking", "system": "system", "chat": "web_chat"}

TAGS = (
    ("VIP", "#b91c1c"),
    ("Key account", "#1d4ed8"),
    ("Newsletter", "#0f766e"),
    ("Trade fair", "#7c3aed"),
    ("Reference customer", "#15803d"),
    ("Payment risk", "#c2410c"),
    ("Partner", "#0369a1"),
    ("Public sector", "#4b5563"),
    ("Framework agreement", "#a16207"),
    ("Webinar", "#be185d"),
    ("Churn risk", "#dc2626"),
    ("Do not call", "#374151"),
)
LEAD_STATUSES = (
    ("new", 35),
    ("working", 25),
    ("qualified", 15),
    ("disqualified", 15),
    ("converted", 10),
)
LEAD_CHANNELS = (
    ("web_form", 30),
    ("advertising", 15),
    ("email", 10),
    ("phone", 10),
    ("event", 10),
    ("chat", 5),
    ("referral", 8),
    ("partner", 7),
    ("import", 3),
    ("other", 2),
)
CAMPAIGNS = (
    # campaign, utm_source, utm_medium, utm_term, countries ("" for all), lead channels
    ("Hannover Messe", "trade-fair", "qr-code", "", "DE", "event web_form"),
    ("Salon Global Industrie", "trade-fair", "qr-code", "", "FR", "event web_form"),
    ("Иннопром", "trade-fair", "qr-code", "", "RU", "event web_form"),
    ("Spring webinar series", "newsletter", "email", "", "", "email web_form"),
    ("Monthly newsletter", "newsletter", "email", "", "", "email web_form chat"),
    (
        "Google Ads – Automation",
        "google",
        "cpc",
        "industrial automation",
        "DE GB US FR",
        "advertising web_form chat",
    ),
    (
        "Google Ads – Spare parts",
        "google",
        "cpc",
        "spare parts",
        "DE GB US FR",
        "advertising web_form chat",
    ),
    ("LinkedIn – Decision makers", "linkedin", "social", "", "GB US FR DE", "advertising web_form"),
    ("XING – Einkauf", "xing", "social", "", "DE", "advertising web_form"),
    (
        "Яндекс Директ – Промышленность",
        "yandex",
        "cpc",
        "промышленное оборудование",
        "RU",
        "advertising web_form chat",
    ),
    ("Banner – Industrial portal", "industry-portal", "banner", "", "", "advertising web_form"),
)
LEAD_DESCRIPTIONS = {
    "en": (
        "Asks for a quote for 20 units.",
        "Interested in a service contract.",
        "Wants a demo for the engineering team.",
        "Looking for a supplier for a new plant.",
    ),
    "de": (
        "Bittet um ein Angebot über 20 Stück.",
        "Interessiert an einem Wartungsvertrag.",
        "Wünscht eine Vorführung für die Konstruktion.",
        "Sucht einen Lieferanten für ein neues Werk.",
    ),
    "fr": (
        "Demande un devis pour 20 unités.",
        "Intéressé par un contrat de maintenance.",
        "Souhaite une démonstration pour le bureau d'études.",
        "Cherche un fournisseur pour une nouvelle usine.",
    ),
    "ru": (
        "Запрашивает КП на 20 единиц.",
        "Интересуется сервисным договором.",
        "Хочет демонстрацию для инженерного отдела.",
        "Ищет поставщика для нового завода.",
    ),
}

# Our own company.
LEGAL_ENTITIES = (
    # key, name, legal name, country, currency
    ("de", "Perpetuum GmbH", "Perpetuum Gesellschaft mit beschränkter Haftung", "DE", "EUR"),
    ("gb", "Perpetuum Ltd", "Perpetuum Limited", "GB", "GBP"),
    ("ru", "ООО «Перпетуум»", "Общество с ограниченной ответственностью «Перпетуум»", "RU", "RUB"),
)
OFFICES = (
    # name, city, country, legal entity key, teams, regions whose clients it serves
    ("Berlin", "Berlin", "DE", "de", ("Sales", "Key Accounts", "Support", "Marketing"), ("DE",)),
    ("Munich", "München", "DE", "de", ("Sales", "Support"), ("DE",)),
    ("Paris", "Paris", "FR", "de", ("Sales", "Support", "Marketing"), ("FR",)),
    ("London", "London", "GB", "gb", ("Sales", "Key Accounts", "Support"), ("GB", "US")),
    ("Moscow", "Москва", "RU", "ru", ("Sales", "Key Accounts", "Support"), ("RU",)),
    ("Saint Petersburg", "Санкт-Петербург", "RU", "ru", ("Sales", "Support"), ("RU",)),
)
# The first users cover every role (with a sales person in each office); the rest are mostly
# sales and support.
ROLE_PLAN = (
    "sales_manager",
    "sales_representative",
    "sales_manager",
    "sales_representative",
    "sales_manager",
    "sales_representative",
    "support_agent",
    "marketer",
    "executive",
    "read_only",
    "administrator",
)
ROLE_MIX = (
    ("sales_representative", 50),
    ("sales_manager", 12),
    ("support_agent", 25),
    ("marketer", 8),
    ("read_only", 5),
)
TEAM_FOR_ROLE = {
    "sales_manager": ("Key Accounts", "Sales"),
    "sales_representative": ("Sales",),
    "support_agent": ("Support",),
    "marketer": ("Marketing", "Sales"),
}
SALES_ROLES = {"sales_manager", "sales_representative"}

# Cyrillic to Latin for e-mail addresses and web domains (ъ and ь are dropped).
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщыэюя",
        words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch y e yu ya"),
        strict=True,
    )
)
TRANSLIT.update({"ъ": "", "ь": ""})
GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
