"""Synthetic journal exports for the build benchmark.

The benchmark needs tens of thousands of articles, and the bundled sample has nineteen. This module writes
a corpus in exactly the format of the real exports (``kg/sample/seed``): the journal header with bilingual
titles, ISSNs whose check digits are valid, placeholder identifiers, Jalali and Gregorian dates, and an
``articleset`` of bilingual articles whose abstracts are entity-escaped Word HTML. It imitates what makes
the real data costly to process (see ``docs/data-quirks.md``): Arabic Yeh/Kaf in Persian text, ZWNJ,
Persian digits, stray whitespace, mixed keyword separators, many spellings of the content type, and the
recurrence of journals, people, affiliations and keywords (Zipf-like), so that the build's deduplication
and its store see realistic repetition rather than all-unique or all-identical values.

Only the standard library is used; the XML is written from string templates with explicit escaping, which
is fast (several thousand articles per second) and byte-for-byte deterministic for a given seed.
"""

from __future__ import annotations

import itertools
import logging
import random
from dataclasses import dataclass
from pathlib import Path

from kg.identifiers import issn_check_digit, orcid_check_character

log = logging.getLogger(__name__)

ZWNJ = "\u200c"
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})

# Word lists, "English=Persian" pairs separated by "|". Kept inline so the generator has no data files.
_FIRST = (
    "Mohammad Hossein=محمدحسین|Ali=علی|Reza=رضا|Hossein=حسین|Mahdi=مهدی|Amir=امیر|Hamid=حمید|Saeed=سعید|"
    "Mohsen=محسن|Majid=مجید|Hassan=حسن|Javad=جواد|Fatemeh=فاطمه|Zahra=زهرا|Maryam=مریم|Masoumeh=معصومه|"
    "Somayeh=سمیه|Leila=لیلا|Narges=نرگس|Elham=الهام|Mahboubeh=محبوبه|Shima=شیما|Parisa=پریسا|Roya=رویا|"
    "Azam=اعظم|Nasrin=نسرین|Farzaneh=فرزانه|Hamideh=حمیده|Kobra=کبری|Akbar=اکبر|Abbas=عباس|"
    "Gholamreza=غلامرضا|Mostafa=مصطفی|Morteza=مرتضی|Ehsan=احسان|Behnam=بهنام|Kamran=کامران|Keyvan=کیوان|"
    "Siamak=سیامک|Bahram=بهرام|Yaser=یاسر|Yousef=یوسف|Ebrahim=ابراهیم|Esmaeil=اسماعیل|Nader=نادر|"
    "Farhad=فرهاد|Kourosh=کوروش|Arash=آرش|Babak=بابک|Samira=سمیرا|Neda=ندا|Sara=سارا|Mina=مینا|"
    "Mahnaz=مهناز|Shahla=شهلا|Tahereh=طاهره|Sakineh=سکینه|Kiana=کیانا|Seyed Ali=سیدعلی|Mohammad=محمد"
)
_LAST = (
    "Ahmadi=احمدی|Mohammadi=محمدی|Hosseini=حسینی|Rezaei=رضایی|Moradi=مرادی|Karimi=کریمی|Jafari=جعفری|"
    "Rahimi=رحیمی|Hashemi=هاشمی|Mousavi=موسوی|Sadeghi=صادقی|Ghasemi=قاسمی|Kazemi=کاظمی|Heidari=حیدری|"
    "Akbari=اکبری|Ebrahimi=ابراهیمی|Salehi=صالحی|Zare=زارع|Rostami=رستمی|Nazari=نظری|Amini=امینی|"
    "Bagheri=باقری|Shirazi=شیرازی|Tehrani=تهرانی|Esfahani=اصفهانی|Yazdani=یزدانی|Kermani=کرمانی|"
    "Roozbahani=روزبهانی|Farahani=فراهانی|Ansari=انصاری|Najafi=نجفی|Taheri=طاهری|Asadi=اسدی|"
    "Golestani=گلستانی|Khosravi=خسروی|Soltani=سلطانی|Abbasi=عباسی|Davoudi=داودی|Mirzaei=میرزایی|"
    "Ghorbani=قربانی|Sharifi=شریفی|Shahbazi=شهبازی|Nikbakht=نیکبخت|Pourmand=پورمند|Alizadeh=علیزاده|"
    "Hosseinzadeh=حسین زاده|Vahidi=وحیدی|Kamali=کمالی|Mahmoudi=محمودی|Rahmani=رحمانی|Babaei=بابایی|"
    "Shokri=شکری|Tavakoli=توکلی|Zamani=زمانی|Jalali=جلالی|Fallah=فلاح|Safari=صفری|Ranjbar=رنجبر|"
    "Abdollahi=عبداللهی|Darvishi=درویشی|Kiani=کیانی|Nouri=نوری|Sobhani=سبحانی|Eslami=اسلامی"
)
_TERMS = (
    "anxiety=اضطراب|depression=افسردگی|quality of life=کیفیت زندگی|job satisfaction=رضایت شغلی|"
    "hospital performance=عملکرد بیمارستان|health literacy=سواد سلامت|digital health=سلامت دیجیتال|"
    "artificial intelligence=هوش مصنوعی|patient safety=ایمنی بیمار|nursing care=مراقبت پرستاری|"
    "diabetes=دیابت|hypertension=فشار خون بالا|obesity=چاقی|oxidative stress=استرس اکسیداتیو|"
    "groundwater quality=کیفیت آب زیرزمینی|nitrate concentration=غلظت نیترات|soil erosion=فرسایش خاک|"
    "drought stress=تنش خشکی|grain yield=عملکرد دانه|genetic diversity=تنوع ژنتیکی|"
    "rainbow trout=قزل آلای رنگین کمان|growth performance=عملکرد رشد|digestive enzymes=آنزیمهای گوارشی|"
    "cutaneous leishmaniasis=لیشمانیوز جلدی|antibiotic resistance=مقاومت آنتی بیوتیکی|"
    "health system=نظام سلامت|health management=مدیریت سلامت|clinical decision making=تصمیم گیری بالینی|"
    "organizational culture=فرهنگ سازمانی|knowledge management=مدیریت دانش|"
    "medical education=آموزش پزشکی|occupational stress=استرس شغلی|breast cancer=سرطان پستان|"
    "COVID-19=کووید-۱۹|vaccination=واکسیناسیون|maternal health=سلامت مادران|"
    "physical activity=فعالیت بدنی|sleep quality=کیفیت خواب|self-efficacy=خودکارآمدی|"
    "social support=حمایت اجتماعی|resilience=تاب آوری|machine learning=یادگیری ماشین|"
    "remote sensing=سنجش از دور|land use=کاربری اراضی|climate change=تغییر اقلیم|"
    "water resources=منابع آب|slope stability=پایداری شیب|engineering geology=زمین شناسی مهندسی|"
    "health insurance=بیمه سلامت|health expenditure=هزینه های سلامت|telemedicine=پزشکی از راه دور|"
    "medical digital twin=دوقلوی دیجیتال پزشکی|primary health care=مراقبت های بهداشتی اولیه|"
    "emergency department=بخش اورژانس|burnout=فرسودگی شغلی|wheat=گندم|maize (Zea mays L.)=ذرت|"
    "salinity=شوری|essential oil=اسانس|antioxidant activity=فعالیت آنتی اکسیدانی"
)
_MODS = (
    "chronic=مزمن|perceived=ادراک شده|Iranian=ایرانی|regional=منطقه ای|clinical=بالینی|"
    "post-operative=پس از عمل|urban=شهری|rural=روستایی|long-term=بلندمدت|adolescent=نوجوانان|"
    "elderly=سالمندان|occupational=شغلی|community-based=جامعه محور|integrated=یکپارچه|"
    "systematic=نظام مند|experimental=تجربی|national=ملی|hospital=بیمارستانی|academic=دانشگاهی|"
    "digital=دیجیتال|sustainable=پایدار|early=زودهنگام|severe=شدید|mild=خفیف|seasonal=فصلی"
)
_POPS = (
    "nurses=پرستاران|medical students=دانشجویان پزشکی|patients with type 2 diabetes=بیماران دیابتی نوع ۲|"
    "elderly people=سالمندان|hospital managers=مدیران بیمارستان|pregnant women=زنان باردار|"
    "adolescents=نوجوانان|farmers=کشاورزان|health workers=کارکنان بهداشتی|"
    "primary school children=دانش آموزان دبستانی"
)
_CITIES = (
    "Tehran=تهران|Yazd=یزد|Isfahan=اصفهان|Shiraz=شیراز|Mashhad=مشهد|Tabriz=تبریز|Sari=ساری|Gonbad=گنبد|"
    "Kerman=کرمان|Ahvaz=اهواز|Rasht=رشت|Zanjan=زنجان|Hamadan=همدان|Qom=قم|Kashan=کاشان|Babol=بابل"
)
_UNIS = (
    "Shahid Sadoughi University of Medical Sciences=دانشگاه علوم پزشکی شهید صدوقی=ssu.ac.ir|"
    "Iran University of Science and Technology=دانشگاه علم و صنعت ایران=iust.ac.ir|"
    "Mazandaran University of Medical Sciences=دانشگاه علوم پزشکی مازندران=mazums.ac.ir|"
    "Gonbad Kavous University=دانشگاه گنبد کاووس=gonbad.ac.ir|Kharazmi University=دانشگاه خوارزمی=khu.ac.ir|"
    "Tehran University of Medical Sciences=دانشگاه علوم پزشکی تهران=tums.ac.ir|"
    "Shiraz University=دانشگاه شیراز=shirazu.ac.ir|University of Tabriz=دانشگاه تبریز=tabrizu.ac.ir|"
    "Isfahan University of Technology=دانشگاه صنعتی اصفهان=iut.ac.ir|"
    "Sari Agricultural Sciences and Natural Resources University=دانشگاه علوم کشاورزی و منابع طبیعی ساری"
    "=sanru.ac.ir|Iran University of Medical Sciences=دانشگاه علوم پزشکی ایران=iums.ac.ir|"
    "Ferdowsi University of Mashhad=دانشگاه فردوسی مشهد=um.ac.ir|University of Tehran=دانشگاه تهران=ut.ac.ir|"
    "Kerman University of Medical Sciences=دانشگاه علوم پزشکی کرمان=kmu.ac.ir|"
    "Islamic Azad University=دانشگاه آزاد اسلامی=iau.ac.ir|Payame Noor University=دانشگاه پیام نور=pnu.ac.ir"
)
_POSITIONS = (
    "Assistant Professor=استادیار|Associate Professor=دانشیار|Professor=استاد|PhD Student=دانشجوی دکتری|"
    "MSc Student=دانشجوی کارشناسی ارشد|PhD=دکتری|MSc=کارشناس ارشد|Lecturer=مربی|Researcher=پژوهشگر"
)
_FIELDS = (
    "Health Services Management=مدیریت خدمات بهداشتی و درمانی|Nursing=پرستاری|Epidemiology=اپیدمیولوژی|"
    "Nanotechnology Engineering=مهندسی نانو فناوری|Fisheries=شیلات|"
    "Agronomy and Plant Breeding=زراعت و اصلاح نباتات|"
    "Geology=زمین شناسی|Medical Entomology=حشره شناسی پزشکی|Biostatistics=آمار زیستی|"
    "Health Information Technology=فناوری اطلاعات سلامت|Internal Medicine=بیماریهای داخلی|"
    "Soil Science=علوم خاک|Water Engineering=مهندسی آب|Psychology=روانشناسی|Pharmacology=فارماکولوژی|"
    "Environmental Health=بهداشت محیط|Health Economics=اقتصاد سلامت|Medical Informatics=انفورماتیک پزشکی"
)
_SCHOOLS = (
    "School of Public Health=دانشکده بهداشت|School of Medicine=دانشکده پزشکی|"
    "School of Nursing and Midwifery=دانشکده پرستاری و مامایی|"
    "School of Advanced Technologies=دانشکده فناوریهای نوین|"
    "Faculty of Agriculture=دانشکده کشاورزی|Faculty of Natural Resources=دانشکده منابع طبیعی|"
    "Faculty of Earth Sciences=دانشکده علوم زمین|"
    "School of Management and Medical Informatics=دانشکده مدیریت و اطلاع رسانی پزشکی"
)
_SECTIONS = (
    "Health Management=مدیریت سلامت|Medical Entomology=حشره شناسی پزشکی|Special=تخصصي|General=عمومى|"
    "Hydrogeology=هیدروژئولوژی (آب های زیرزمینی)|Epidemiology=اپیدمیولوژی|Nursing=پرستاری|"
    "Plant Breeding=اصلاح نباتات|Fisheries=شیلات|Health Economics=اقتصاد سلامت|Basic Sciences=علوم پایه"
)
# Content types as written in real exports (data-quirks.md), with typos, mixed letters and odd pairings.
_CONTENT_TYPES = (
    "Original Article=مقاله پژوهشی|Research=پژوهشي|Original=پژوهشی|Original Articles=پژوهشی اصيل|"
    "Original Research=مقاله پژوهشی|Original Paper=مقاله اصیل|Research Article=پژوهشی|"
    "Research(Original)=پژوهشي-کامل|Scientific & Research=علمی پژوهشی|Orginal research papers=تحقيقي|"
    "Review=مروری|Review Article=مقاله مروری|Case Report=گزارش مورد|case report=گزارش مورد|"
    "Short Communication=مقاله کوتاه|Perspective=ديدگاه|Applicable=كاربردي|Research=مروری"
)
_CT_WEIGHTS = [30, 14, 10, 4, 8, 4, 8, 5, 3, 2, 6, 2, 3, 1, 2, 1, 1, 1]
_PLACEHOLDERS = ["", "", "", "", "8", "14", "13", "8888", "7", "000", "000000", "-", "doi"]
_SUBJECTS = [
    ("Medical Sciences", "علوم پزشکی"),
    ("Agriculture", "کشاورزی"),
    ("Basic Sciences", "علوم پایه"),
    ("Engineering", "فنی و مهندسی"),
    ("Humanities", "علوم انسانی"),
]

_EN_SENTENCES = [
    "This study aimed to investigate the relationship between {t1} and {t2} among {p} in {c}.",
    "With the rapid growth of {t1}, the assessment of {t2} has emerged as a priority for {p}.",
    "A total of {n} {p} were selected by stratified random sampling in {c} during {y}.",
    "Data were collected with a validated questionnaire and analysed with SPSS version 22 (p&lt;0.05).",
    "The findings indicate that {m} {t1} was significantly associated with {t2} (r = 0.{n}).",
    "Multivariate regression showed that {t2} explained {n2}0% of the variance in {t1}.",
    "This cross-sectional study was conducted in {y} in {c}, using the “{t1}” scale.",
    "Interventions targeting {m} {t2} are recommended for policymakers and managers.",
    "Strengthening collaboration among clinicians, engineers and policymakers is essential for {t1}.",
    "The mean score of {t1} was {n}.{n2} ± {n2}.{n}, which is above the national average.",
]
_FA_SENTENCES = [
    "هدف این مطالعه بررسی رابطه {t1} و {t2} در {p} شهر {c} بود.",
    "با گسترش کلان‌داده‌های سلامت، ارزیابی {t1} برای {p} اهمیت روزافزونی یافته است.",
    "در این پژوهش توصیفی‌تحلیلی {n} نفر از {p} به روش نمونه‌گیری تصادفی طبقه‌ای انتخاب شدند.",
    "داده‌ها با پرسشنامه‌ای روا و پایا گردآوری و با نرم‌افزار SPSS تحلیل شدند.",
    "یافته‌ها نشان داد که {t1} {m} با {t2} رابطه معناداری دارد (p&lt;0.05).",
    "میانگین نمره {t1} برابر {n} بود که از میانگین کشوری بالاتر است.",
    "نتایج می‌تواند به مدیران و سیاست‌گذاران در بهبود {t2} کمک کند.",
    "تقویت همکاری‌های بین‌رشته‌ای برای ارتقای {t1} ضروری است.",
    "مطالعه حاضر در سال {y} در استان {c} انجام شد.",
    "پیشنهاد می‌شود مداخلات آموزشی با تمرکز بر {t2} طراحی و اجرا شود.",
]
_EN_HEADS = [
    ("Background", "Methods", "Results", "Conclusion"),
    ("Objective", "Materials and Methods", "Findings", "Conclusions"),
]
_FA_HEADS = [("زمینه و هدف", "روش پژوهش", "یافته‌ها", "نتیجه‌گیری"), ("مقدمه", "روش بررسی", "یافته ها", "نتیجه گیری")]
_EN_TITLES = [
    "The effect of {m} {t1} on {t2} in {p}",
    "Investigating {t1} among {p} in {c} province",
    "A scoping review of {t1} and {t2}",
    "Relationship between {t1} and {t2} in {p}: a cross-sectional study in {c}",
    "Assessment of {m} {t1} in {c}, {y}-{y2}",
    "Modelling {t1} with {t2}: evidence from {c}",
]
_FA_TITLES = [
    "تاثیر {t1} {m} بر {t2} در {p}",
    "بررسی {t1} در {p} استان {c}",
    "مروری جامع بر {t1} و {t2}",
    "رابطه {t1} و {t2} در {p}: یک مطالعه مقطعی در {c}",
    "ارزیابی {t1} {m} در {c} {yf}",
    "مدلسازی {t1} با تأکید بر {t2}",
]
_SPAN_FA = '<span b="" lang="{lang}" nazanin="" style="font-family:">'
_SPAN_EN = '<span new="" roman="" style="font-family:" times="">'
_WRAP_FA = (
    '<span style="font-size:11pt"><span style="line-height:normal">'
    '<span style="text-autospace:none"><span style="direction:rtl"><span style="unicode-bidi:embed">'
    '<span calibri="" style="font-family:">'
)
_WRAP_EN = '<span style="font-size:11pt"><span style="line-height:97%"><span calibri="" style="font-family:">'


def _pairs(spec: str, width: int = 2) -> list[tuple[str, ...]]:
    return [tuple(item.split("=", width - 1)) for item in spec.split("|")]


def _issn(rng: random.Random) -> str:
    digits = f"{rng.randint(1000000, 9999999)}"
    return f"{digits[:4]}-{digits[4:]}{issn_check_digit(digits)}"


def _orcid(rng: random.Random) -> str:
    # Real iDs are issued from the blocks 0000-0001 to 0000-0003 and 0009-.
    digits = rng.choice(["00000001", "00000002", "00000003", "00090001"]) + f"{rng.randint(0, 9999999):07d}"
    d = digits + orcid_check_character(digits)
    return f"{d[0:4]}-{d[4:8]}-{d[8:12]}-{d[12:16]}"


def _esc(text: str) -> str:
    """XML text escaping for plain fields."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_html(html: str) -> str:
    """Escape an HTML fragment once more as XML text, as the exporter does (``&nbsp;`` -> ``&amp;nbsp;``);
    ZWNJ is written as the character reference ``&#8204;``, like the seed."""
    return (
        html.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace(ZWNJ, "&#8204;")
    )


def _zipf_cum(n: int, s: float, q: float = 1.0) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights ``1/(k+q)^s`` for ``random.choices``: a few items recur a lot,
    most recur rarely; ``q`` flattens the head so that no single item dominates."""
    return list(itertools.accumulate(1.0 / (k + q) ** s for k in range(n)))


@dataclass
class _Journal:
    slug: str
    host: str
    title: str
    title_fa: str
    short_title: str
    subject: tuple[str, str]
    issn: str
    issn_online: str
    ids: list[str]  # pii, doi, iranmedex, magiran, sid, nlai, science
    language: str
    sections: list[tuple[str, ...]]
    volume: int = 0
    number: int = 0
    first_volume: int = 1
    first_year: int = 1390
    issues_per_volume: int = 4


@dataclass
class _Person:
    first: tuple[str, ...]
    last: tuple[str, ...]
    email: str
    orcid: str
    affiliation: int
    arabic: bool  # this person's Persian name is typed with Arabic Yeh/Kaf


class _World:
    """The pools that articles draw from: journals, people, affiliations, keywords (all seeded)."""

    def __init__(self, rng: random.Random, articles: int, journals: int) -> None:
        self.rng = rng
        self.first = _pairs(_FIRST)
        self.last = _pairs(_LAST)
        self.terms = _pairs(_TERMS)
        self.mods = _pairs(_MODS)
        self.pops = _pairs(_POPS)
        self.cities = _pairs(_CITIES)
        self.unis = _pairs(_UNIS, 3)
        self.content_types = _pairs(_CONTENT_TYPES)
        self.affiliations = [self._affiliation() for _ in range(max(40, min(3000, articles // 4)))]
        self.aff_cum = _zipf_cum(len(self.affiliations), 0.9, 5.0)
        self.keywords = [(f"{m[0]} {t[0]}", f"{t[1]} {m[1]}") for t in self.terms for m in self.mods]
        self.keywords += [(t[0], t[1]) for t in self.terms]
        rng.shuffle(self.keywords)
        self.kw_cum = _zipf_cum(len(self.keywords), 1.0, 5.0)
        # About 0.9 distinct people per article and 60% of them in more than one article; the most
        # prolific author has ~130 articles in 10,000 (calibrated by sampling, see tests/test_bench.py).
        n_people = max(30, int(articles * 1.2))
        self.people = [self._person(i) for i in range(n_people)]
        self.people_cum = _zipf_cum(n_people, 0.9, 50.0)
        self.journals = [self._journal(i) for i in range(journals)]
        self.journal_cum = _zipf_cum(journals, 0.6)

    def _affiliation(self) -> tuple[str, str]:
        rng = self.rng
        pos, field_, school = rng.choice(_pairs(_POSITIONS)), rng.choice(_pairs(_FIELDS)), rng.choice(_pairs(_SCHOOLS))
        uni = rng.choice(self.unis)
        city = rng.choice(self.cities)
        en = f"{pos[0]}, Department of {field_[0]}, {school[0]}, {uni[0]}, {city[0]}, Iran"
        fa = f"{pos[1]}، گروه {field_[1]}، {school[1]}، {uni[1]}، {city[1]}، ایران"
        if rng.random() < 0.15:
            en = en.replace(", ", " , ", 1)
        return en, fa

    def _person(self, i: int) -> _Person:
        rng = self.rng
        first, last = rng.choice(self.first), rng.choice(self.last)
        aff = rng.choices(range(len(self.affiliations)), cum_weights=self.aff_cum)[0]
        domain = rng.choice([self.unis[aff % len(self.unis)][2], "gmail.com", "yahoo.com"])
        local = f"{first[0].split()[-1][0]}.{last[0]}" if rng.random() < 0.5 else last[0]
        email = f"{local.lower()}{i}@{domain}"
        orcid = _orcid(rng) if rng.random() < 0.35 else ""
        return _Person(first, last, email, orcid, aff, rng.random() < 0.3)

    def _journal(self, i: int) -> _Journal:
        rng = self.rng
        t, m = rng.choice(self.terms), rng.choice(self.mods)
        kind = rng.choice(
            [
                ("Journal of", "مجله"),
                ("Iranian Journal of", "مجله ایرانی"),
                ("Research in", "پژوهش در"),
                ("Strategies in", "راهبردهای"),
            ]
        )
        title = f"{kind[0]} {m[0].title()} {t[0].title()}"
        title_fa = f"{kind[1]} {t[1]} {m[1]}"
        if i == 3:
            title_fa = "عنوان نشریه"  # a real placeholder
        uni = rng.choice(self.unis)
        slug = "".join(w[0] for w in title.split() if w[0].isalpha()).lower() + f"{i}"
        short = rng.choice([title, "".join(w[0] for w in title.split()).upper(), f"{i + 1}", title_fa])
        issn = _issn(rng)
        online = issn if rng.random() < 0.2 else _issn(rng)
        doi = rng.choice(["", "", f"10.22034/{slug}", "10.22034", "doi", "8888"])
        ids = [rng.choice(_PLACEHOLDERS), doi] + [rng.choice(_PLACEHOLDERS) for _ in range(5)]
        subject = rng.choice(_SUBJECTS)
        sections = [rng.choice(_pairs(_SECTIONS)) for _ in range(4)]
        lang = "fa" if rng.random() < 0.8 else "en"
        return _Journal(slug, f"{slug}.{uni[2]}", title, title_fa, short, subject, issn, online, ids, lang, sections)

    def plan_volumes(self, issues: float) -> None:
        """Date each journal's volumes so that its last expected issue falls in Jalali 1404 or earlier.

        Small corpora get quarterly journals in the 1390s; large ones get monthly journals reaching further
        back, rather than issues dated in the future (which a validator may rightly reject).
        """
        total = self.journal_cum[-1]
        for k, j in enumerate(self.journals):
            share = (self.journal_cum[k] - (self.journal_cum[k - 1] if k else 0.0)) / total
            expected = issues * share
            j.issues_per_volume = 4 if expected <= 4 * 30 else 12
            j.first_volume = j.volume = self.rng.randint(1, 20)
            volumes = int(expected / j.issues_per_volume) + 2
            j.first_year = 1404 - volumes - self.rng.randint(0, 2)

    def person(self) -> _Person:
        return self.rng.choices(self.people, cum_weights=self.people_cum)[0]

    def keyword_list(self, k: int) -> list[tuple[str, str]]:
        return self.rng.choices(self.keywords, cum_weights=self.kw_cum, k=k)


def _fill(template: str, w: _World, fa: bool) -> str:
    rng = w.rng
    i = 1 if fa else 0
    n = rng.randint(12, 480)
    year = rng.randint(2009, 2024)
    return template.format(
        t1=rng.choice(w.terms)[i],
        t2=rng.choice(w.terms)[i],
        m=rng.choice(w.mods)[i],
        p=rng.choice(w.pops)[i],
        c=rng.choice(w.cities)[i],
        n=n,
        n2=rng.randint(1, 9),
        y=year,
        y2=year + rng.randint(1, 8),
        yf=f"{year - 621}".translate(_PERSIAN_DIGITS),
    )


def _abstract(w: _World, fa: bool) -> str:
    """A Word-pasted abstract: headed paragraphs in nested styled spans, ``<br>`` between paragraphs."""
    rng = w.rng
    heads = rng.choice(_FA_HEADS if fa else _EN_HEADS)
    sentences = _FA_SENTENCES if fa else _EN_SENTENCES
    wrap, close = (_WRAP_FA, "</span>" * 6) if fa else (_WRAP_EN, "</span>" * 3)
    paras = []
    for head in heads:
        body = " ".join(_fill(rng.choice(sentences), w, fa) for _ in range(rng.randint(1, 4)))
        if fa:
            span = _SPAN_FA.format(lang=rng.choice(["FA", "AR-SA"]))
            paras.append(f"{wrap}<b>{span}{head}:</span></b><b> </b>{span}{body}</span>{close}")
        else:
            paras.append(f"{wrap}<b>{_SPAN_EN}{head}:</span></b>{_SPAN_EN}&nbsp;{body}</span>{close}")
    html = '<div style="text-align: justify;">' + "<br>\n".join(paras) + "<br>\n&nbsp;</div>"
    return _esc_html(html.replace("“", "&ldquo;").replace("”", "&rdquo;"))


def _messy(text: str, rng: random.Random, p: float = 0.1) -> str:
    """Stray whitespace as in real titles: double spaces, a line break, leading/trailing blanks."""
    r = rng.random()
    if r < p / 3:
        return text.replace(" ", "  ", 1)
    if r < 2 * p / 3:
        words = text.split(" ")
        cut = len(words) // 2
        return " ".join(words[:cut]) + " \n" + " ".join(words[cut:]) + "\n"
    if r < p:
        return f" {text} "
    return text


def _keywords(pairs: list[tuple[str, str]], rng: random.Random, arabic: bool) -> tuple[str, str]:
    sep_en = rng.choice([", ", ", ", ", ", "; ", "،"])
    sep_fa = rng.choice([", ", "، ", "، ", "؛ ", "،"])
    en = sep_en.join(p[0] for p in pairs)
    fa = sep_fa.join(p[1] for p in pairs)
    r = rng.random()
    if r < 0.05:
        en = "Keywords: " + en
    elif r < 0.1:
        en, fa = en + sep_en.strip(), fa + sep_fa.strip()
    return en, (fa.translate(_ARABIC_LETTERS) if arabic else fa)


def _article_xml(w: _World, j: _Journal, art_id: int, page: int) -> tuple[str, int]:
    rng = w.rng
    arabic = rng.random() < 0.4
    title = _messy(_fill(rng.choice(_EN_TITLES), w, False), rng)
    title_fa = _fill(rng.choice(_FA_TITLES), w, True)
    if arabic:
        title_fa = title_fa.translate(_ARABIC_LETTERS)
    if rng.random() < 0.02:
        title_fa = title  # a _fa field holding English
    if rng.random() < 0.01:
        title = title.replace("effect of", "patients&#039; view of")
    title_fa = _messy(title_fa, rng)
    section = rng.choice(j.sections)
    ct = rng.choices(w.content_types, weights=_CT_WEIGHTS)[0]
    language = j.language if rng.random() < 0.83 else rng.choice(["fa", "en", "other"])
    n_pages = rng.randint(4, 22)
    start, end = str(page), str(page + n_pages)
    if rng.random() < 0.05:
        start, end = start.translate(_PERSIAN_DIGITS), end.translate(_PERSIAN_DIGITS)
    doi = ""
    if rng.random() < 0.25:
        doi = rng.choice(["{}", "https://doi.org/{}", "doi:{}", "{}"]).format(f"10.22034/{j.slug}.{art_id}")
        if rng.random() < 0.2:
            doi = doi.upper()
    kws = w.keyword_list(rng.randint(3, 7))
    kw_en, kw_fa = _keywords(kws, rng, arabic)
    url = f"http://{j.host}/browse.php?a_code=A-{j.volume}-{art_id}-1&amp;slc_lang=fa&amp;sid=1"
    parts = [
        "\t<article>\n\n\n",
        f"\t<language>{language}</language>\n",
        f"\t<article_id_doi>{_esc(doi)}</article_id_doi>\n",
        f"\t<title_fa>{_esc(title_fa)}</title_fa>\n",
        f"\t<title>{_esc(title)}</title>\n",
        f"\t<subject_fa>{section[1]}</subject_fa>\n",
        f"\t<subject>{section[0]}</subject>\n",
        f"\t<content_type_fa>{ct[1]}</content_type_fa>\n",
        f"\t<content_type>{_esc(ct[0])}</content_type>\n",
        f"\t<abstract_fa>{_abstract(w, True)}</abstract_fa>\n",
        f"\t<abstract>{_abstract(w, False)}</abstract>\n",
        f"\t<keyword_fa>{_esc(kw_fa)}</keyword_fa>\n",
        f"\t<keyword>{_esc(kw_en)}</keyword>\n",
        f"\t<start_page>{start}</start_page>\n",
        f"\t<end_page>{end}</end_page>\n",
        f"\t<web_url>{url}</web_url>\n\n\n<author_list>\n",
    ]
    n_authors = rng.choices(range(1, 9), weights=[8, 18, 22, 20, 14, 9, 5, 4])[0]
    corresponding = rng.randrange(n_authors)
    seen: set[int] = set()
    for pos in range(n_authors):
        p = w.person()
        while id(p) in seen:
            p = w.person()
        seen.add(id(p))
        parts.append(_author_xml(w, p, pos == corresponding))
    parts.append("\n\n</author_list>\n\n\n\t</article>\n")
    return "".join(parts), page + n_pages + 1


def _author_xml(w: _World, p: _Person, corresponding: bool) -> str:
    rng = w.rng
    aff = p.affiliation if rng.random() < 0.85 else rng.choices(range(len(w.affiliations)), cum_weights=w.aff_cum)[0]
    aff_en, aff_fa = w.affiliations[aff]
    if rng.random() < 0.05:
        aff_en = f"{aff_en}. , {p.email}"
    first_fa, last_fa = p.first[1], p.last[1]
    if p.arabic:
        first_fa, last_fa, aff_fa = (s.translate(_ARABIC_LETTERS) for s in (first_fa, last_fa, aff_fa))
    core = rng.choice(["Yes\n", "Yes", " Yes "]) if corresponding else rng.choice(["No", "No", "No\n"])
    return (
        "\t<author>\n"
        f"\t<first_name>{p.first[0]}</first_name>\n\t<middle_name></middle_name>\n"
        f"\t<last_name>{p.last[0]}</last_name>\n\t<suffix></suffix>\n"
        f"\t<first_name_fa>{first_fa}</first_name_fa>\n\t<middle_name_fa></middle_name_fa>\n"
        f"\t<last_name_fa>{last_fa}</last_name_fa>\n\t<suffix_fa></suffix_fa>\n"
        f"\t<email>{p.email}</email>\n\t<code></code>\n\t<orcid>{p.orcid}</orcid>\n"
        f"\t<coreauthor>{core}</coreauthor>\n"
        f"\t<affiliation>{_esc(aff_en)}</affiliation>\n"
        f"\t<affiliation_fa>{_esc(aff_fa)}</affiliation_fa>\n"
        "\t </author>\n"
    )


def _header_xml(j: _Journal) -> str:
    jy = j.first_year + j.volume - j.first_volume
    jm = j.number * 12 // j.issues_per_volume
    gm = jm + 3
    gy = jy + 621 + (1 if gm > 12 else 0)
    gm = (gm - 1) % 12 + 1
    ids = dict(zip(["pii", "doi", "iranmedex", "magiran", "sid", "nlai", "science"], j.ids, strict=True))
    id_xml = "".join(f"<journal_id_{k}>{_esc(v)}</journal_id_{k}>\n" for k, v in ids.items())
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<journal>\n'
        f"<title>{_esc(j.title)}</title>\n<title_fa>{_esc(j.title_fa)}</title_fa>\n"
        f"<short_title>{_esc(j.short_title)}</short_title>\n<subject>{j.subject[0]}</subject>\n"
        f"<web_url>http://{j.host}</web_url>\n"
        "<journal_hbi_system_id>1</journal_hbi_system_id>\n"
        "<journal_hbi_system_user>admin</journal_hbi_system_user>\n"
        f"<journal_id_issn>{j.issn}</journal_id_issn>\n"
        f"<journal_id_issn_online>{j.issn_online}</journal_id_issn_online>\n"
        f"{id_xml}<language>{j.language}</language>\n"
        f"<pubdate>\n\t<type>jalali</type>\n\t<year>{jy}</year>\n\t<month>{jm}</month>\n\t<day>1</day>\n"
        "</pubdate>\n"
        f"<pubdate>\n\t<type>gregorian</type>\n\t<year>{gy}</year>\n\t<month>{gm}</month>\n\t<day>1</day>\n"
        "</pubdate>\n"
        f"<volume>{j.volume}</volume>\n<number>{j.number}</number>\n"
        "<publish_type>online</publish_type>\n<publish_edition>1</publish_edition>\n"
        "<article_type>fulltext</article_type>\n<articleset>\n"
    )


_FOOTER = "</articleset>\n</journal>\n"


def generate_corpus(
    out_dir: Path, articles: int, seed: int = 1, articles_per_file: int | None = None, journals: int = 20
) -> list[Path]:
    """Write ``articles`` synthetic articles as journal exports under ``out_dir``; return the files, sorted.

    Issues hold 1-30 articles; about half the issues are written as one file for the whole issue and the
    rest as one file per article (the real systems export both ways). With ``articles_per_file`` every
    issue holds exactly that many articles (the last one fewer) and is written as one file, which makes
    file-count effects measurable. Article codes ``A-{volume}-{id}-1`` are unique across the corpus.
    The same seed gives byte-identical files.
    """
    if articles < 0:
        raise ValueError("articles must be >= 0")
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    world = _World(rng, articles, journals)
    world.plan_volumes(articles / (articles_per_file or 15.5))
    paths: list[Path] = []
    art_id = 100
    remaining = articles
    while remaining > 0:
        j = rng.choices(world.journals, cum_weights=world.journal_cum)[0]
        j.number += 1
        if j.number > j.issues_per_volume:
            j.volume, j.number = j.volume + 1, 1
        size = articles_per_file or rng.randint(1, 30)
        size = min(size, remaining)
        whole_issue = articles_per_file is not None or rng.random() < 0.5
        header = _header_xml(j)
        page = 1
        bodies = []
        for _ in range(size):
            art_id += 1
            body, page = _article_xml(world, j, art_id, page)
            bodies.append((art_id, body))
        if whole_issue:
            name = f"{j.slug}-v{j.volume}n{j.number}.xml"
            chunks = [(name, [b for _, b in bodies])]
        else:
            chunks = [(f"{j.slug}-v{j.volume}n{j.number}-a{a}.xml", [b]) for a, b in bodies]
        for name, chunk in chunks:
            path = out_dir / name
            path.write_text(header + "".join(chunk) + _FOOTER, encoding="utf-8")
            paths.append(path)
        remaining -= size
    log.info("wrote %d articles in %d files to %s", articles, len(paths), out_dir)
    return sorted(paths)


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.benchmarks.synthetic OUT_DIR N [SEED]``: write a corpus, e.g. to try ``kg build`` on it."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print("usage: python -m tests.benchmarks.synthetic OUT_DIR ARTICLES [SEED]", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    generate_corpus(Path(args[0]), int(args[1]), int(args[2]) if len(args) == 3 else 1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
