"""The benchmark's built-in gazetteer of real actors and places.

Order matters: within each kind, actors are listed roughly by how often wire copy names them,
and the generator draws them with a Zipf law over that rank (the first of a kind is the most
frequent). Names that ``mappings/gazetteer.yaml`` knows are included (so kgload's resolution
runs on them), together with many it does not know (so they take the "unresolved" path).

Each entry: (canonical name, kgload entity type, short aliases used in copy, ISO 3166 code).
Wikidata ids are left out on purpose: the generator must not invent identifiers, and the ones
kgload needs for the known names come from its own gazetteer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    name: str
    type: str  # Person, Country, Organization, Region, City
    aliases: tuple[str, ...] = ()
    iso_code: str | None = None


def _a(name: str, type_: str, *aliases: str, iso: str | None = None) -> Actor:
    return Actor(name, type_, tuple(aliases), iso)


COUNTRIES: tuple[Actor, ...] = (
    _a("Russia", "Country", "Russian Federation", "Moscow", iso="RU"),
    _a("Ukraine", "Country", "Kyiv", iso="UA"),
    _a("United States", "Country", "US", "USA", "Washington", iso="US"),
    _a("Israel", "Country", "State of Israel", iso="IL"),
    _a("Iran", "Country", "Islamic Republic of Iran", "Tehran", iso="IR"),
    _a("China", "Country", "People's Republic of China", "Beijing", iso="CN"),
    _a("France", "Country", "Paris", iso="FR"),
    _a("Germany", "Country", "Berlin", iso="DE"),
    _a("United Kingdom", "Country", "UK", "Britain", "London", iso="GB"),
    _a("Turkey", "Country", "Turkiye", "Ankara", iso="TR"),
    _a("Poland", "Country", "Warsaw", iso="PL"),
    _a("Belarus", "Country", "Minsk", iso="BY"),
    _a("India", "Country", "New Delhi", iso="IN"),
    _a("Syria", "Country", "Damascus", iso="SY"),
    _a("Saudi Arabia", "Country", "Riyadh", iso="SA"),
    _a("Qatar", "Country", "Doha", iso="QA"),
    _a("Egypt", "Country", "Cairo", iso="EG"),
    _a("North Korea", "Country", "Pyongyang", "DPRK", iso="KP"),
    _a("South Korea", "Country", "Seoul", iso="KR"),
    _a("Japan", "Country", "Tokyo", iso="JP"),
    _a("Italy", "Country", "Rome", iso="IT"),
    _a("Hungary", "Country", "Budapest", iso="HU"),
    _a("Georgia", "Country", "Tbilisi", iso="GE"),
    _a("Armenia", "Country", "Yerevan", iso="AM"),
    _a("Azerbaijan", "Country", "Baku", iso="AZ"),
    _a("Moldova", "Country", "Chisinau", iso="MD"),
    _a("Lebanon", "Country", "Beirut", iso="LB"),
    _a("Jordan", "Country", "Amman", iso="JO"),
    _a("Iraq", "Country", "Baghdad", iso="IQ"),
    _a("Yemen", "Country", "Sanaa", iso="YE"),
    _a("Pakistan", "Country", "Islamabad", iso="PK"),
    _a("Brazil", "Country", "Brasilia", iso="BR"),
    _a("South Africa", "Country", "Pretoria", iso="ZA"),
    _a("Finland", "Country", "Helsinki", iso="FI"),
    _a("Sweden", "Country", "Stockholm", iso="SE"),
    _a("Estonia", "Country", "Tallinn", iso="EE"),
    _a("Latvia", "Country", "Riga", iso="LV"),
    _a("Lithuania", "Country", "Vilnius", iso="LT"),
    _a("Romania", "Country", "Bucharest", iso="RO"),
    _a("Kazakhstan", "Country", "Astana", iso="KZ"),
)

PEOPLE: tuple[Actor, ...] = (
    _a("Vladimir Putin", "Person", "Putin", "President Putin"),
    _a("Volodymyr Zelensky", "Person", "Zelensky", "Zelenskyy"),
    _a("Donald Trump", "Person", "Trump", "President Trump"),
    _a("Joe Biden", "Person", "Biden", "President Biden"),
    _a("Benjamin Netanyahu", "Person", "Netanyahu"),
    _a("Emmanuel Macron", "Person", "Macron"),
    _a("Xi Jinping", "Person", "Xi"),
    _a("Recep Tayyip Erdogan", "Person", "Erdogan"),
    _a("Sergei Lavrov", "Person", "Lavrov"),
    _a("Olaf Scholz", "Person", "Scholz"),
    _a("Friedrich Merz", "Person", "Merz"),
    _a("Keir Starmer", "Person", "Starmer"),
    _a("Rishi Sunak", "Person", "Sunak"),
    _a("Ali Khamenei", "Person", "Khamenei"),
    _a("Masoud Pezeshkian", "Person", "Pezeshkian"),
    _a("Narendra Modi", "Person", "Modi"),
    _a("Kim Jong Un", "Person", "Kim"),
    _a("Alexander Lukashenko", "Person", "Lukashenko"),
    _a("Viktor Orban", "Person", "Orban"),
    _a("Antony Blinken", "Person", "Blinken"),
    _a("Marco Rubio", "Person", "Rubio"),
    _a("Dmitry Peskov", "Person", "Peskov"),
    _a("Andrii Sybiha", "Person", "Sybiha"),
    _a("Dmytro Kuleba", "Person", "Kuleba"),
    _a("Mark Rutte", "Person", "Rutte"),
    _a("Jens Stoltenberg", "Person", "Stoltenberg"),
    _a("Ursula von der Leyen", "Person", "von der Leyen"),
    _a("Antonio Guterres", "Person", "Guterres"),
    _a("Giorgia Meloni", "Person", "Meloni"),
    _a("Donald Tusk", "Person", "Tusk"),
    _a("Andrzej Duda", "Person", "Duda"),
    _a("Mohammed bin Salman", "Person", "MBS", "Crown Prince Mohammed"),
    _a("Abdel Fattah al-Sisi", "Person", "Sisi"),
    _a("Bashar al-Assad", "Person", "Assad"),
    _a("Steve Witkoff", "Person", "Witkoff"),
    _a("Kirill Dmitriev", "Person", "Dmitriev"),
    _a("Rustem Umerov", "Person", "Umerov"),
    _a("Vladimir Medinsky", "Person", "Medinsky"),
)

ORGANIZATIONS: tuple[Actor, ...] = (
    _a("NATO", "Organization", "North Atlantic Treaty Organization", "the Alliance"),
    _a("European Union", "Organization", "EU", "Brussels"),
    _a("United Nations", "Organization", "UN"),
    _a("Kremlin", "Organization"),
    _a("Russian Defence Ministry", "Organization", "Moscow's defence ministry"),
    _a("Ukrainian Armed Forces", "Organization", "Ukrainian army"),
    _a("Pentagon", "Organization", "US Department of Defense"),
    _a("International Atomic Energy Agency", "Organization", "IAEA"),
    _a("Hamas", "Organization"),
    _a("Hezbollah", "Organization"),
    _a("Houthis", "Organization", "Ansar Allah"),
    _a("Wagner Group", "Organization", "Wagner"),
    _a("Red Cross", "Organization", "ICRC", "International Committee of the Red Cross"),
    _a("G7", "Organization", "Group of Seven"),
    _a("OPEC", "Organization"),
    _a("Republican Party", "Organization", "Republicans", "GOP"),
    _a("Security Council", "Organization", "UN Security Council"),
    _a("Council of Europe", "Organization"),
)

REGIONS: tuple[Actor, ...] = (
    _a("Donetsk Oblast", "Region", "Donetsk region", "Donetsk"),
    _a("Sumy Oblast", "Region", "Sumy region", "Sumy"),
    _a("Kursk Oblast", "Region", "Kursk region", "Kursk"),
    _a("Zaporizhzhia Oblast", "Region", "Zaporizhzhia region"),
    _a("Kharkiv Oblast", "Region", "Kharkiv region"),
    _a("Luhansk Oblast", "Region", "Luhansk region", "Luhansk"),
    _a("Crimea", "Region", "Crimean Peninsula"),
    _a("Dnipropetrovsk Oblast", "Region", "Dnipropetrovsk region"),
    _a("Kherson Oblast", "Region", "Kherson region"),
    _a("Belgorod Oblast", "Region", "Belgorod region"),
    _a("Gaza Strip", "Region", "Gaza"),
    _a("West Bank", "Region"),
    _a("Golan Heights", "Region", "Golan"),
    _a("Nagorno-Karabakh", "Region", "Karabakh"),
    _a("Transnistria", "Region"),
)

CITIES: tuple[Actor, ...] = (
    _a("Kyiv", "City", "Kiev"),
    _a("Moscow", "City"),
    _a("Istanbul", "City"),
    _a("Kharkiv", "City"),
    _a("Odesa", "City", "Odessa"),
    _a("Pokrovsk", "City"),
    _a("Bakhmut", "City", "Artemivsk"),
    _a("Avdiivka", "City"),
    _a("Mariupol", "City"),
    _a("Zaporizhzhia", "City"),
    _a("Tel Aviv", "City"),
    _a("Jerusalem", "City"),
    _a("Geneva", "City"),
    _a("Riyadh", "City"),
    _a("Doha", "City"),
    _a("Minsk", "City"),
    _a("Kherson", "City"),
    _a("Dnipro", "City"),
    _a("Lviv", "City"),
    _a("Sevastopol", "City"),
)

BY_TYPE: dict[str, tuple[Actor, ...]] = {
    "Country": COUNTRIES,
    "Person": PEOPLE,
    "Organization": ORGANIZATIONS,
    "Region": REGIONS,
    "City": CITIES,
}

PUBLISHERS: tuple[str, ...] = (
    "AFP",
    "Reuters",
    "AP",
    "BBC",
    "Al Jazeera",
    "DW",
    "Kyiv Independent",
    "TASS",
    "Le Monde",
)
