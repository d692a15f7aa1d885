"""The search acceptance set: queries written from the bundled corpus and seed, each with the articles it must
find on the first page. Every orthographic variant the issue names is here at least once (the third field).

Keys are the last segment of the article IRIs of ``kg/sample`` (the seed and ``../shared/corpus``).
"""

from __future__ import annotations

LEISH, SAFETY, SCP, HEPATITIS = "t-aa7db8cae45e", "t-be3502898b84", "t-a6fd2f12643c", "t-c9220aeae80d"
PREBIOTIC, EVAN, BLOOD, KUTUM = "t-aa69619c3f40", "t-4023845207f3", "t-d0b34134c8ca", "t-b261a5e8d617"
WORM, PROBIOTIC, TWINS, SALINITY = "t-c52a5eaab2f3", "t-c2aa04a07a00", "A-10-968-1", "t-31e025a068d4"
BIRJAND, WHEAT, MAIZE, PARTRIDGE = "t-8fab856c3ce3", "t-7fec27bdf6c6", "t-858d928d9f61", "t-e85d9acb39be"
TARIFF, EXERCISE, ASAFOETIDA = "t-74d69e1facea", "t-f92b2bf14422", "t-246feeea6a64"

# (query, expected article keys, what it exercises)
CASES: list[tuple[str, set[str], str]] = [
    ("لیشمانیوز", {LEISH}, "plain Persian"),
    ("ليشمانيوز", {LEISH}, "Arabic Yeh"),
    ("لیشمـانیوز", {LEISH}, "tatweel"),
    ("۱۳۹۶", {LEISH}, "Persian digits"),
    ("١٣٨٨", {LEISH}, "Arabic-Indic digits"),
    ("Leishmaniasis MAZANDARAN", {LEISH}, "English case folding"),
    ("فرهنگ ایمنی بیمار", {SAFETY}, "plain Persian"),
    ("بیمارستان‌های مازندران", {SAFETY}, "ZWNJ where the title has nothing"),
    ("بيمارستان هاي", {SAFETY}, "Arabic Yeh, space before a plural suffix"),
    ("سال ۱۳۹۹", {SAFETY}, "digits glued to a word in the title"),
    ("patient safety culture hospitals", {SAFETY}, "English stemming"),
    ("تک‌یاخته", {SCP}, "ZWNJ where the title has nothing"),
    ("تاثیر پروتئین تکیاخته", {SCP}, "hamza on alef omitted"),
    ("تَأثیرِ پروتِئین", {SCP}, "diacritics"),
    ("پروتیین", {SCP}, "hamza on yeh omitted"),
    ("جیرهٔ غذایی", {SCP}, "ezafe written هٔ"),
    ("جیره‌ی غذایی", {SCP}, "ezafe written ه‌ی"),
    ("تأثیر پروبیوتیک", {PROBIOTIC}, "hamza on alef kept"),
    ("قزل آلای رنگین کمان", {SCP, WORM}, "two articles"),
    ("Oncorhynchus mykiss", {SCP, WORM}, "Latin name in both titles"),
    ("rainbow trout", {SCP, WORM}, "English"),
    ("هپاتیت A", {HEPATITIS}, "mixed scripts"),
    ("منطقه‌ای", {HEPATITIS}, "ZWNJ where the title has a space"),
    ("hepatitis outbreak", {HEPATITIS}, "English"),
    ("پری‌بیوتیک اینولین", {PREBIOTIC}, "ZWNJ where the title has a space (compound)"),
    ("ریخت‌شناسی روده", {PREBIOTIC, ASAFOETIDA}, "compound: space / nothing / ZWNJ"),
    ("جوجه‌های گوشتی", {PREBIOTIC, PROBIOTIC, ASAFOETIDA}, "plural: space / nothing / ZWNJ"),
    ("broiler chickens", {PREBIOTIC, ASAFOETIDA}, "English plural"),
    ("آب زیرزمینی", {EVAN, SALINITY}, "Persian"),
    ("groundwater", {EVAN, SALINITY, BIRJAND}, "English, three articles"),
    ("نیترات خوزستان", {EVAN}, "Persian"),
    ("تاکید نیترات", {EVAN}, "hamza on alef omitted"),
    ("گروه‌های خونی", {BLOOD}, "ZWNJ where the title has a space"),
    ("دیابت نوع ۲", {BLOOD}, "Persian digit against ASCII"),
    ("diabetes mellitus", {BLOOD}, "English"),
    ("abo rh", {BLOOD}, "English lower case"),
    ("بچه ماهی سفید", {KUTUM}, "Persian"),
    ("Rutilus frisii kutum", {KUTUM}, "Latin name"),
    ("كرم خاكی", {WORM}, "Arabic Kaf"),
    ("earth worm", {WORM}, "English"),
    ("فراسنجه‌های ایمنی", {PROBIOTIC}, "ZWNJ where the title has nothing"),
    ("دوقلوهای دیجیتال", {TWINS}, "title"),
    ("دوقلوی دیجیتال", {TWINS}, "keyword"),
    ("هوش مصنوعی", {TWINS}, "keyword"),
    ("digital twin", {TWINS}, "English stemming"),
    ('"digital twins"', {TWINS}, "exact phrase"),
    ("Roozbahani", {TWINS}, "author"),
    ("روزبهانی", {TWINS}, "author in Persian"),
    ("چالش‌های دیجیتال", {TWINS}, "ZWNJ where the title has nothing"),
    ("PRISMA guidelines", {TWINS}, "abstract"),
    ("هیدروشیمیایی بیرجند", {BIRJAND}, "Persian"),
    ("birjand plain", {BIRJAND}, "English, lower case"),
    ("تنش خشکی", {WHEAT, MAIZE}, "two articles"),
    ("drought stress", {WHEAT, MAIZE}, "English"),
    ("Triticum aestivum", {WHEAT}, "Latin name"),
    ("ذرت اینبرد", {MAIZE}, "Persian"),
    ("کبک", {PARTRIDGE}, "one short word"),
    ("تعرفه پرستاری", {TARIFF}, "Persian"),
    ("تریاژ سطح 1", {TARIFF}, "ASCII digit against Persian"),
    ("ورزشکاران سالمند", {EXERCISE}, "Persian"),
    ("تمرینات ورزشی در آب", {EXERCISE}, "stop word"),
    ("صمغ آنغوزه", {ASAFOETIDA}, "Persian"),
    ("آنتی بیوتیک", {ASAFOETIDA}, "space where the title has nothing"),
    ("leishmaniasis لیشمانیوز", {LEISH}, "bilingual query"),
]
