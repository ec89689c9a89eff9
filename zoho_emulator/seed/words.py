"""Word lists for the demo-org generator: names, companies, places, picklist texts.

Kept as compact ``|``-separated strings instead of a Faker dependency: the generator must run on a
bare machine and be reproducible from a seed alone. Names deliberately include diacritics,
apostrophes, hyphens, particles and CJK scripts, because matching downstream must cope with them.
A CJK entry is written ``native=romanisation``; the romanisation feeds email addresses and domains.
"""
from __future__ import annotations

from dataclasses import dataclass

# --- people: culture -> (first names, last names) -----------------------------------------------
NAMES: dict[str, tuple[str, str]] = {
    "en": (
        "James|Mary|John|Patricia|Robert|Jennifer|Michael|Linda|William|Elizabeth|David|Barbara|"
        "Richard|Susan|Joseph|Jessica|Thomas|Sarah|Charles|Karen|Christopher|Nancy|Daniel|Lisa|"
        "Matthew|Ashley|Anthony|Emily|Mark|Olivia|Liam|Noah|Emma|Ava|Sophia|Zoë|Renée|Chloë|"
        "Siobhán|Seán|Niamh|Aoife|Kevin|Brian|Megan|Rachel|Tyler|Hannah|Grace|Ethan|Mia|Logan",
        "Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Moore|Jackson|"
        "Martin|Lee|Thompson|White|Harris|Clark|Lewis|Walker|Hall|Young|King|Wright|Scott|Green|"
        "Baker|Adams|Nelson|O'Brien|O'Connor|O'Neill|D'Angelo|McDonald|MacLeod|Smith-Jones|"
        "Fitzgerald|Nguyen|Kim|Patel|Murphy|Kelly|Sullivan|Bennett|Brooks|Hughes|Price|Foster",
    ),
    "de": (
        "Jürgen|Jörg|Björn|Sören|Günter|Käthe|Lena|Anna|Lukas|Leon|Finn|Paul|Maximilian|Hannah|"
        "Sophie|Marie|Felix|Tobias|Stefan|Katharina|Julia|Sabine|Ursula|Wolfgang|Klaus|Dieter|Uwe|"
        "Heike|Petra|Maike|Jan|Niklas|Lea|Jonas|Jens|Matthias|Birgit|Andreas|Frauke|Hans-Peter",
        "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|Koch|"
        "Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|"
        "Hartmann|Lange|Schmitt|Werner|Krause|Meier|Lehmann|Köhler|Weiß|Groß|von Bülow|Jäger|"
        "Vogel|Böhm|Kühn|Roth|Fuchs",
    ),
    "fr": (
        "Jean|Marie|Pierre|François|Françoise|Hélène|Zoé|Chloé|Léa|Manon|Camille|Élodie|Jérôme|"
        "Stéphane|Benoît|Amélie|Gaël|Noël|Anaïs|Jean-Luc|Marie-Claire|Thérèse|Loïc|Inès|Mathéo|"
        "Clément|Sébastien|Céline|Aurélien|Margaux",
        "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|"
        "Lefèvre|Michel|Garcia|David|Bertrand|Roux|Vincent|Fournier|Morel|Girard|André|Mercier|"
        "Dupont|de la Fontaine|Lemaître|Bélanger|Côté|Gauthier|D'Amboise|Chevalier",
    ),
    "es": (
        "José|María|Ana-María|Juan|Carmen|Javier|Lucía|Sofía|Mateo|Martín|Pilar|Dolores|Ángel|"
        "Álvaro|Íñigo|Begoña|Nuria|Raúl|Inés|Jesús|Sergio|Pablo|Alejandro|Marta|Laura|Héctor|"
        "Ximena|Guadalupe|Rocío|Andrés",
        "García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|Martín|Jiménez|"
        "Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Alonso|Gutiérrez|Navarro|Torres|"
        "Domínguez|Vázquez|Peña|de la Cruz|Ibáñez|Núñez|O'Brien|Castillo|Ortega|Rubio",
    ),
    "pt": (
        "João|José|Maria|Ana|Francisco|Antônio|Conceição|Luíza|Gabriel|Lucas|Júlia|Letícia|"
        "Matheus|Mônica|Rafael|Fernanda|Bruno|Camila|Thiago|Vitória|Sebastião|Inês|Caio|Beatriz",
        "Silva|Santos|Oliveira|Souza|Rodrigues|Ferreira|Alves|Pereira|Lima|Gomes|Costa|Ribeiro|"
        "Martins|Carvalho|Almeida|Lopes|Soares|Fernandes|Vieira|Barbosa|Gonçalves|Araújo|"
        "Magalhães|da Silva|dos Santos|Brandão|Simões|Assunção",
    ),
    "in": (
        "Priya|Rahul|Amit|Anjali|Vikram|Sneha|Arjun|Deepika|Rohan|Kavya|Sanjay|Pooja|Venkatesh|"
        "Lakshmi|Aditya|Ananya|Suresh|Divya|Rajesh|Meera|Karthik|Nikhil|Shreya|Harpreet|Gurpreet|"
        "Sai Krishna|Mohammed|Fatima",
        "Sharma|Patel|Singh|Kumar|Gupta|Reddy|Iyer|Nair|Rao|Agarwal|Mehta|Joshi|Chatterjee|"
        "Banerjee|Mukherjee|Desai|Pillai|Menon|Krishnan|Venkataraman|Subramanian|Bhattacharya|"
        "Kapoor|Malhotra|Chopra|Khan|Siddiqui",
    ),
    "ja": (
        "太郎=Taro|花子=Hanako|健太=Kenta|翔太=Shota|美咲=Misaki|陽菜=Hina|大輔=Daisuke|直美=Naomi|"
        "拓也=Takuya|優子=Yuko|誠=Makoto|恵=Megumi|浩二=Koji|由美=Yumi|蓮=Ren|結衣=Yui|和也=Kazuya|"
        "真由美=Mayumi",
        "山田=Yamada|佐藤=Sato|鈴木=Suzuki|高橋=Takahashi|田中=Tanaka|伊藤=Ito|渡辺=Watanabe|"
        "山本=Yamamoto|中村=Nakamura|小林=Kobayashi|加藤=Kato|吉田=Yoshida|山口=Yamaguchi|"
        "松本=Matsumoto|井上=Inoue|木村=Kimura|清水=Shimizu|斎藤=Saito",
    ),
    "zh": (
        "伟=Wei|芳=Fang|娜=Na|敏=Min|静=Jing|磊=Lei|军=Jun|洋=Yang|勇=Yong|艳=Yan|杰=Jie|涛=Tao|"
        "明=Ming|超=Chao|秀英=Xiuying|晓明=Xiaoming|志强=Zhiqiang|丽娟=Lijuan",
        "王=Wang|李=Li|张=Zhang|刘=Liu|陈=Chen|杨=Yang|黄=Huang|赵=Zhao|吴=Wu|周=Zhou|徐=Xu|"
        "孙=Sun|马=Ma|朱=Zhu|胡=Hu|郭=Guo|何=He|林=Lin",
    ),
    "pl": (
        "Łukasz|Paweł|Michał|Wojciech|Krzysztof|Małgorzata|Agnieszka|Katarzyna|Anna|Tomasz|Piotr|"
        "Joanna|Magdalena|Jędrzej|Grzegorz|Bartłomiej|Zofia|Ewa|Żaneta|Kacper",
        "Nowak|Kowalski|Wiśniewski|Wójcik|Kowalczyk|Kamiński|Lewandowski|Zieliński|Szymański|"
        "Woźniak|Dąbrowski|Kozłowski|Jankowski|Mazur|Krawczyk|Piotrowski|Grabowski|Błaszczyk",
    ),
    "nordic": (
        "Søren|Jørgen|Åsa|Björn|Lars|Anders|Mette|Sofie|Freja|Magnus|Karin|Ingrid|Nils|Astrid|"
        "Frederik|Mikkel|Jens|Kirsten|Göran|Maja|Oskar|Elin|Bjørn|Øystein",
        "Jensen|Nielsen|Hansen|Pedersen|Andersen|Christensen|Larsen|Sørensen|Rasmussen|Jørgensen|"
        "Andersson|Johansson|Karlsson|Nilsson|Eriksson|Lindqvist|Öberg|Åberg|Kierkegaard|"
        "Bergström|Lindström|Sjöberg|Holm|Dahl|Ødegård",
    ),
}

# Streets per culture; number placement follows local habit (see generator_people.street()).
STREETS: dict[str, str] = {
    "en": "Main St|Market Street|Oak Avenue|Elm St.|High Street|Queen's Road|Mission St|"
          "Broadway|Park Ave|King Street|Church Lane|Victoria Rd|5th Avenue|Harbour Drive",
    "de": "Hauptstraße|Bahnhofstr.|Goethestraße|Königsallee|Friedrichstraße|Am Markt|"
          "Lindenstraße|Schillerplatz|Mühlenweg",
    "fr": "rue de la Paix|avenue des Champs-Élysées|boulevard Saint-Michel|rue du Faubourg|"
          "place Bellecour|quai des Chartrons|rue Sainte-Catherine",
    "es": "Calle Mayor|Gran Vía|Paseo de la Castellana|Avenida Diagonal|Calle de Alcalá|"
          "Paseo de la Reforma|Avenida Insurgentes",
    "pt": "Avenida Paulista|Rua Augusta|Rua da Consolação|Avenida Atlântica|Rua XV de Novembro",
    "in": "MG Road|Brigade Road|Linking Road|Anna Salai|Park Street|Residency Road|Outer Ring Road",
    "ja": "丸の内|Marunouchi|Shibuya|梅田|Roppongi|Shinjuku|中央区銀座",
    "zh": "Nanjing Road|南京西路|Jianguo Road|Huaihai Road|科技园路",
    "pl": "ul. Marszałkowska|ul. Długa|ul. Floriańska|ul. Piotrkowska|al. Jerozolimskie",
    "nordic": "Strøget|Vesterbrogade|Drottninggatan|Kungsgatan|Nørregade|Storgatan",
}
NUMBER_AFTER_STREET = frozenset({"de", "pl", "nordic", "es", "pt"})


@dataclass(frozen=True)
class Country:
    """A market the demo org sells into: how its people, companies, phones and addresses look."""

    code: str
    name: str
    variants: tuple[str, ...]  # how users also type the country name
    weight: float
    tlds: tuple[str, ...]
    cultures: tuple[tuple[str, int], ...]
    cities: tuple[tuple[str, str, str], ...]  # (city, state, zip)
    legal: tuple[str, ...]
    subsidiary: str  # "{root} <subsidiary>" e.g. "Acme Germany GmbH"
    time_zones: tuple[str, ...]
    locale: str
    currency: str


def _cities(text: str) -> tuple[tuple[str, str, str], ...]:
    return tuple(tuple(c.split("/")) for c in text.split("|"))  # type: ignore[misc]


COUNTRIES: tuple[Country, ...] = (
    Country("US", "United States", ("USA", "US", "U.S."), 38, ("com",),
            (("en", 68), ("es", 12), ("in", 7), ("zh", 5), ("ja", 2), ("pl", 2), ("fr", 2), ("de", 2)),
            _cities("San Francisco/CA/94105|New York/NY/10001|Austin/TX/78701|Chicago/IL/60601|"
                    "Seattle/WA/98101|Boston/MA/02110|Denver/CO/80202|Atlanta/GA/30303|"
                    "Miami/FL/33131|Los Angeles/CA/90012"),
            ("Inc", "Inc.", "LLC", "Corp.", "Corporation", "Co."), "US Inc.",
            ("America/Los_Angeles", "America/New_York", "America/Chicago", "America/Denver"),
            "en_US", "USD"),
    Country("GB", "United Kingdom", ("UK", "Great Britain", "England"), 10, ("co.uk", "com"),
            (("en", 80), ("in", 9), ("pl", 5), ("fr", 3), ("zh", 3)),
            _cities("London//EC2A 4BX|Manchester//M1 1AE|Edinburgh//EH1 1YZ|Bristol//BS1 4DJ|"
                    "Leeds//LS1 4AP"),
            ("Ltd", "Ltd.", "Limited", "PLC", "LLP"), "UK Ltd", ("Europe/London",), "en_GB", "GBP"),
    Country("DE", "Germany", ("Deutschland", "DE"), 10, ("de", "com"),
            (("de", 85), ("pl", 5), ("en", 4), ("in", 3), ("nordic", 3)),
            _cities("Berlin/Berlin/10115|München/Bayern/80331|Hamburg/Hamburg/20095|Köln/NRW/50667|"
                    "Frankfurt am Main/Hessen/60311|Stuttgart/BW/70173|Düsseldorf/NRW/40213"),
            ("GmbH", "AG", "GmbH & Co. KG", "SE"), "Germany GmbH", ("Europe/Berlin",), "de_DE", "EUR"),
    Country("FR", "France", ("FR", "République française"), 6, ("fr", "com"),
            (("fr", 88), ("en", 4), ("es", 4), ("pt", 4)),
            _cities("Paris//75008|Lyon//69002|Marseille//13001|Toulouse//31000|Bordeaux//33000|"
                    "Lille//59000"),
            ("SAS", "SARL", "SA"), "France SAS", ("Europe/Paris",), "fr_FR", "EUR"),
    Country("IN", "India", ("IN", "Bharat"), 8, ("in", "co.in", "com"), (("in", 95), ("en", 5)),
            _cities("Bengaluru/Karnataka/560001|Mumbai/Maharashtra/400001|New Delhi/Delhi/110001|"
                    "Pune/Maharashtra/411001|Chennai/Tamil Nadu/600001|Hyderabad/Telangana/500001"),
            ("Pvt. Ltd.", "Private Limited", "Ltd."), "India Pvt. Ltd.", ("Asia/Kolkata",), "en_IN",
            "INR"),
    Country("JP", "Japan", ("日本", "JP"), 5, ("co.jp", "jp"), (("ja", 95), ("en", 5)),
            _cities("Tokyo/Tokyo/100-0005|Osaka/Osaka/530-0001|横浜市/神奈川県/220-0012|"
                    "Nagoya/Aichi/450-0002|京都市/京都府/600-8216"),
            ("K.K.", "Co., Ltd.", "Inc."), "Japan K.K.", ("Asia/Tokyo",), "ja_JP", "JPY"),
    Country("AU", "Australia", ("AU", "Aus"), 4, ("com.au",), (("en", 85), ("zh", 7), ("in", 8)),
            _cities("Sydney/NSW/2000|Melbourne/VIC/3000|Brisbane/QLD/4000|Perth/WA/6000"),
            ("Pty Ltd", "Pty. Ltd."), "Australia Pty Ltd", ("Australia/Sydney", "Australia/Perth"),
            "en_AU", "AUD"),
    Country("BR", "Brazil", ("Brasil", "BR"), 4, ("com.br",), (("pt", 95), ("ja", 2), ("es", 3)),
            _cities("São Paulo/SP/01310-100|Rio de Janeiro/RJ/20040-002|Belo Horizonte/MG/30130-010|"
                    "Curitiba/PR/80010-000"),
            ("Ltda.", "S.A."), "Brasil Ltda.", ("America/Sao_Paulo",), "pt_BR", "BRL"),
    Country("ES", "Spain", ("España", "ES"), 3, ("es", "com"), (("es", 92), ("en", 4), ("fr", 4)),
            _cities("Madrid//28013|Barcelona//08002|Valencia//46002|Sevilla//41001|Bilbao//48001"),
            ("S.L.", "S.A."), "Iberia S.L.", ("Europe/Madrid",), "es_ES", "EUR"),
    Country("MX", "Mexico", ("México", "MX"), 2, ("com.mx",), (("es", 95), ("en", 5)),
            _cities("Ciudad de México/CDMX/06000|Guadalajara/Jalisco/44100|Monterrey/NL/64000"),
            ("S.A. de C.V.", "S. de R.L. de C.V."), "México S.A. de C.V.", ("America/Mexico_City",),
            "es_MX", "MXN"),
    Country("PL", "Poland", ("Polska", "PL"), 2, ("pl", "com"), (("pl", 95), ("en", 5)),
            _cities("Warszawa//00-001|Kraków//31-000|Wrocław//50-001|Gdańsk//80-001"),
            ("Sp. z o.o.", "S.A."), "Polska Sp. z o.o.", ("Europe/Warsaw",), "pl_PL", "PLN"),
    Country("DK", "Denmark", ("Danmark", "DK"), 1.5, ("dk",), (("nordic", 92), ("en", 8)),
            _cities("København//1050|Aarhus//8000|Odense//5000"),
            ("A/S", "ApS"), "Danmark ApS", ("Europe/Copenhagen",), "da_DK", "DKK"),
    Country("SE", "Sweden", ("Sverige", "SE"), 1.5, ("se",), (("nordic", 92), ("en", 8)),
            _cities("Stockholm//111 22|Göteborg//411 01|Malmö//211 22"),
            ("AB",), "Sverige AB", ("Europe/Stockholm",), "sv_SE", "SEK"),
    Country("CN", "China", ("中国", "PRC"), 2, ("cn", "com.cn"), (("zh", 95), ("en", 5)),
            _cities("上海/上海/200000|Beijing/Beijing/100000|Shenzhen/Guangdong/518000"),
            ("Co., Ltd.", "有限公司"), "China Co., Ltd.", ("Asia/Shanghai",), "zh_CN", "CNY"),
    Country("CA", "Canada", ("CA", "Canada (QC)"), 3, ("ca", "com"),
            (("en", 70), ("fr", 20), ("zh", 5), ("in", 5)),
            _cities("Toronto/ON/M5H 2N2|Vancouver/BC/V6B 1A1|Montréal/QC/H2Y 1C6|Calgary/AB/T2P 1J9"),
            ("Inc.", "Ltd.", "Ltée"), "Canada Inc.", ("America/Toronto", "America/Vancouver"),
            "en_CA", "CAD"),
)

# Free-mail domains: global ones, and local ones preferred in some countries.
PERSONAL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com",
                    "hotmail.com", "icloud.com", "aol.com", "protonmail.com", "live.com")
LOCAL_PERSONAL_DOMAINS: dict[str, tuple[str, ...]] = {
    "DE": ("gmx.de", "web.de", "t-online.de"), "JP": ("yahoo.co.jp", "docomo.ne.jp"),
    "CN": ("qq.com", "163.com"), "FR": ("orange.fr", "free.fr", "laposte.net"),
    "GB": ("hotmail.co.uk", "btinternet.com"), "IN": ("rediffmail.com", "yahoo.co.in"),
    "BR": ("uol.com.br", "bol.com.br"), "PL": ("wp.pl", "o2.pl"), "AU": ("bigpond.com",),
    "ES": ("hotmail.es",), "MX": ("prodigy.net.mx",), "DK": ("jubii.dk",), "SE": ("telia.com",),
}

# --- companies ------------------------------------------------------------------------------------
COMPANY_PRE = (
    "Blue|North|Silver|Red|Green|Bright|Swift|Iron|Star|Sun|Oak|Pine|Cedar|River|Stone|Cloud|Sky|"
    "Ever|Clear|True|Prime|Apex|Nova|Alpha|Omni|Terra|Aqua|Quantum|Vertex|Zen|Hyper|Summit|Harbor|"
    "Eagle|Falcon|Golden|Maple|Crystal|Polar|Solar|Lunar|Rapid|Bold|Fair|Wild|Deep|High|West|East|"
    "South|Bay|Copper|Granite|Amber|Coral|Velvet|Arrow|Orbit|Pixel|Echo"
).split("|")
COMPANY_POST = (
    "peak|wind|field|bridge|stone|point|gate|wave|line|path|works|forge|light|view|crest|ridge|"
    "brook|dale|port|mark|core|grid|sphere|scale|logic|soft|ware|net|labs|hub|stack|leaf|rock|way|"
    "star|tech|wise|bay|land|shore|well|ford|haven|spark|flow|vale"
).split("|")
COMPANY_WORDS = (
    "Analytics|Logistics|Systems|Solutions|Technologies|Consulting|Partners|Dynamics|Networks|"
    "Software|Holdings|Industries|Foods|Energy|Health|Pharma|Robotics|Media|Capital|Retail|Labs|"
    "Design|Security|Motors|Textiles|Biotech|Marine|Aerospace|Insurance|Travel|Education|Group|"
    "Manufacturing|Interactive|Ventures"
).split("|")
# Surname-based firm patterns per culture: {L}/{M} are surnames, {X} a legal suffix.
FIRM_PATTERNS: dict[str, tuple[str, ...]] = {
    "en": ("{L}, {M} & Co.", "{L} & {M} {X}", "{L} & Partners {X}", "{L}, {M} & Co. (UK)",
           "{L} Brothers {X}", "{L} & Associates"),
    "de": ("{L} Maschinenbau {X}", "{L} & {M} {X}", "Bäckerei {L}", "{L} Gebäudetechnik {X}",
           "Autohaus {L} {X}"),
    "fr": ("{L} & Fils", "Groupe {L} {X}", "Société {L} {X}", "{L}, {M} et Associés"),
    "es": ("{L} y Asociados {X}", "Construcciones {L} {X}", "Grupo {L} {X}"),
    "pt": ("{L} Comércio {X}", "{L} & {M} Advogados", "Grupo {L} {X}"),
    "in": ("{L} Enterprises {X}", "{L} & Sons {X}", "{L} Infotech {X}"),
    "ja": ("株式会社{L}製作所=seisakusho", "{L}商事株式会社=shoji", "株式会社{L}電機=denki"),
    "zh": ("{L}氏科技有限公司=tech", "{L} Trading {X}"),
    "pl": ("{L} i Wspólnicy {X}", "Firma {L} {X}"),
    "nordic": ("{L} Byggeri {X}", "{L} & {M} {X}"),
}
# Anchor accounts present in every org: (name, brand, domain, country, parent index or -1)
ANCHOR_ACCOUNTS = (
    ("Acme Inc", "Acme", "acme.com", "US", -1),
    ("Acme Germany GmbH", "Acme", "acme.com", "DE", 0),
    ("Smith, Jones & Co. (UK)", "Smith, Jones & Co.", "smithjones.co.uk", "GB", -1),
    ("Müller & Söhne GmbH", "Müller & Söhne", "mueller-soehne.de", "DE", -1),
    ("株式会社山田製作所", "山田製作所", "yamada-ss.co.jp", "JP", -1),
)
# Anchor people, the first contacts of every org: (first, last, culture)
ANCHOR_PEOPLE = (
    ("José", "Müller", "de"), ("Zoë", "Williams", "en"), ("Łukasz", "Wiśniewski", "pl"),
    ("太郎=Taro", "山田=Yamada", "ja"), ("Søren", "Sørensen", "nordic"),
    ("Ana-María", "O'Brien", "es"),
)

# --- picklist-ish texts ---------------------------------------------------------------------------
TITLES = (
    "CEO|CTO|CFO|COO|VP Sales|VP Marketing|Head of IT|IT Manager|Procurement Manager|Buyer|"
    "Office Manager|Sales Director|Account Executive|Marketing Manager|Operations Manager|"
    "Software Engineer|Project Manager|Head of Finance|Controller|HR Manager|Geschäftsführer|"
    "Directeur commercial|Director de Compras|部長|Founder & CEO|Assistant to the CEO"
).split("|")
DEPARTMENTS = "Sales|Marketing|IT|Finance|Procurement|Operations|HR|Engineering|Management|Legal".split("|")
PRODUCTS = (
    "Enterprise Licence|Annual Renewal|Onboarding Services|Expansion 50 seats|Pilot Project|"
    "Support Upgrade|Data Migration|Training Package|Hardware Refresh|Cloud Hosting|"
    "Consulting Retainer|Add-on Modules"
).split("|")
NEXT_STEPS = "Send proposal|Schedule demo|Call decision maker|Negotiate terms|Legal review|Await PO".split("|")
DESCRIPTIONS = (
    "Met at trade show.|Referred by existing customer.|Prefers email contact.|"
    "Interested in the enterprise plan; budget approved for Q3.|Do not call before 10am.|"
    "Former customer, came back after 2 years.|Needs quote in EUR.\nSend to procurement too."
).split("|")
VENUES = ("Zoom", "Microsoft Teams", "Google Meet", "Client office", "Our office", "Phone bridge")
USER_ROLES = ("Manager", "Sales Representative", "Sales Representative", "Sales Representative")
