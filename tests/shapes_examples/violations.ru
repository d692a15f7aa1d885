# One violating example per shape: each block is a SPARQL Update applied to a copy of article.ttl (or of
# runs.ttl with "# data: runs"). "### Name" is the shape kgsh:Name that must fire, "# also:" lists shapes
# that necessarily fire with it, "# message:" is the exact message. tests/test_shapes.py runs every block.
# Prefixes (schema:, fabio:, ... and the base https://data.example.org/) are added by the test.

### Journal-iri
# message: The journal's identifier (IRI) does not have the form {base}/id/journal/{ISSN}. This is a converter problem: report it to the KG team.
# also: Article-journal Issue-journal Journal-issnMissing Journal-name Journal-type Volume-journal
DELETE { ?j a schema:Periodical } INSERT { <id/journals/2476-6879> a schema:Periodical } WHERE { ?j a schema:Periodical } ;

### Journal-type
# message: The journal is not also typed fabio:Journal, so OpenCitations-style clients cannot find it. This is a converter problem: report it to the KG team.
DELETE DATA { <id/journal/2476-6879> a fabio:Journal } ;

### Journal-name
# message: The journal has no title in any language. Fill in the journal title (English and/or Persian) in the journal's settings and export again.
DELETE WHERE { <id/journal/2476-6879> schema:name ?n . <id/journal/2476-6879> dcterms:title ?t } ;

### Journal-nameLanguage
# message: A journal title has no language or a language other than Persian or English.
INSERT DATA { <id/journal/2476-6879> schema:name "MSHS" ; dcterms:title "MSHS" } ;

### Journal-nameUnique
# message: The journal has two different titles in the same language. Keep one English and one Persian title.
INSERT DATA { <id/journal/2476-6879> schema:name "Health Strategies"@en ; dcterms:title "Health Strategies"@en } ;

### Journal-placeholderTitle
# message: The Persian journal title is the template text «عنوان نشریه» ("journal title"). Enter the journal's real Persian title.
# also: Journal-nameUnique
INSERT DATA { <id/journal/2476-6879> schema:name "عنوان نشریه"@fa ; dcterms:title "عنوان نشریه"@fa } ;

### Journal-title
# message: The journal's dcterms:title and schema:name differ. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879> dcterms:title "Other title"@en } ;

### Journal-issn
# message: A journal ISSN is not written as NNNN-NNNC. Correct the ISSN in the journal's settings.
INSERT DATA { <id/journal/2476-6879> schema:issn "24766879" } ;

### Journal-issnMissing
# message: The journal has no valid ISSN (print or online). Enter the ISSNs exactly as registered at the ISSN portal.
DELETE WHERE { <id/journal/2476-6879> schema:issn ?i } ;

### Journal-printIssn
# message: The journal has more than one print ISSN, or a malformed one. Keep the single print ISSN registered for the journal.
INSERT DATA { <id/journal/2476-6879> prism:issn "2538-1563" } ;

### Journal-onlineIssn
# message: The journal has more than one online ISSN, or a malformed one. Keep the single online ISSN registered for the journal.
INSERT DATA { <id/journal/2476-6879> prism:eIssn "2476-6879" } ;

### Journal-language
# message: The journal's language is not a single language code such as "fa" or "en".
# also: Article-languageAgrees
INSERT DATA { <id/journal/2476-6879> schema:inLanguage "Persian" } ;

### Journal-url
# message: The journal has more than one web address, or one that is not a link. Give the journal's single home page URL.
INSERT DATA { <id/journal/2476-6879> schema:url "http://mshsj.ssu.ac.ir" } ;

### Journal-identifier
# message: A journal identifier link does not point to an identifier description. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879> datacite:hasIdentifier <id/journal/2476-6879/identifier/nlai> } ;

### Journal-doi
# message: The journal DOI is not a DOI of the form 10.NNNN/suffix. Correct or remove the journal DOI.
INSERT DATA { <id/journal/2476-6879> prism:doi "doi" } ;

### Journal-issnCheckDigit
# message: The ISSN 2476-6878 has a wrong check digit, so it is not a real ISSN. Correct it in the journal's settings.
DELETE DATA { <id/journal/2476-6879> schema:issn "2476-6879" } ;
INSERT DATA { <id/journal/2476-6879> schema:issn "2476-6878" } ;

### Volume-iri
# message: The volume's identifier (IRI) does not have the form {base}/id/journal/{ISSN}/volume/{number}. This is a converter problem: report it to the KG team.
# also: Issue-container Volume-iriMatchesJournal
DELETE WHERE { <id/journal/2476-6879/volume/10> a schema:PublicationVolume } ;
INSERT DATA { <id/journal/2476-6879/vol/10> a schema:PublicationVolume, fabio:JournalVolume ; schema:volumeNumber "10" ; fabio:hasSequenceIdentifier "10" ; schema:isPartOf <id/journal/2476-6879> ; frbr:partOf <id/journal/2476-6879> } ;

### Volume-type
# message: The volume is not also typed fabio:JournalVolume. This is a converter problem: report it to the KG team.
DELETE DATA { <id/journal/2476-6879/volume/10> a fabio:JournalVolume } ;

### Volume-number
# message: The volume has no volume number, or more than one. Give each issue export exactly one volume number.
DELETE WHERE { <id/journal/2476-6879/volume/10> schema:volumeNumber ?n ; fabio:hasSequenceIdentifier ?s } ;

### Volume-sequence
# message: The volume's fabio:hasSequenceIdentifier differs from its schema:volumeNumber. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/volume/10> fabio:hasSequenceIdentifier "X" } ;

### Volume-journal
# message: The volume is not linked to exactly one journal.
# also: Article-journal Issue-journal
DELETE WHERE { <id/journal/2476-6879/volume/10> schema:isPartOf ?j ; frbr:partOf ?k } ;

### Volume-partOf
# message: The volume's frbr:partOf and schema:isPartOf disagree. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/volume/10> frbr:partOf ?j } ;

### Volume-iriMatchesJournal
# message: The volume is linked to the journal https://data.example.org/id/journal/0000-0000, but its identifier names another journal. This is a converter problem: report it to the KG team.
# also: Article-iriMatchesJournal
INSERT DATA { <id/journal/0000-0000> a schema:Periodical, fabio:Journal ; schema:name "Other"@en ; dcterms:title "Other"@en ; schema:issn "2538-1563" } ;
DELETE WHERE { <id/journal/2476-6879/volume/10> schema:isPartOf ?j ; frbr:partOf ?k } ;
INSERT DATA { <id/journal/2476-6879/volume/10> schema:isPartOf <id/journal/0000-0000> ; frbr:partOf <id/journal/0000-0000> } ;

### Issue-iri
# message: The issue's identifier (IRI) does not have the form {base}/id/journal/{ISSN}/volume/{v}/issue/{n}. This is a converter problem: report it to the KG team.
# also: Issue-container Issue-dateMissing Issue-iriMatchesContainer Issue-journal
INSERT DATA { <id/journal/2476-6879/volume/10/number/4> a schema:PublicationIssue, fabio:JournalIssue ; schema:issueNumber "4" ; fabio:hasSequenceIdentifier "4" ; schema:isPartOf <id/journal/2476-6879/volume/10/number> ; frbr:partOf <id/journal/2476-6879/volume/10/number> } ;

### Issue-type
# message: The issue is not also typed fabio:JournalIssue. This is a converter problem: report it to the KG team.
DELETE DATA { <id/journal/2476-6879/volume/10/issue/4> a fabio:JournalIssue } ;

### Issue-number
# message: The issue has no issue number, or more than one. Give each issue export exactly one issue number.
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> schema:issueNumber ?n ; fabio:hasSequenceIdentifier ?s } ;

### Issue-sequence
# message: The issue's fabio:hasSequenceIdentifier differs from its schema:issueNumber. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/volume/10/issue/4> fabio:hasSequenceIdentifier "IV" } ;

### Issue-container
# message: The issue is not linked to exactly one volume (or, for journals without volumes, one journal).
# also: Article-journal Issue-journal
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> schema:isPartOf ?v ; frbr:partOf ?w } ;

### Issue-partOf
# message: The issue's frbr:partOf and schema:isPartOf disagree. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> frbr:partOf ?v } ;

### Issue-journal
# message: The issue does not lead, through its volume, to exactly one journal.
# also: Article-journal Volume-journal
DELETE WHERE { <id/journal/2476-6879> a schema:Periodical } ;

### Issue-date
# message: The issue's Gregorian publication date is not one valid date (year-month-day). Correct the Gregorian date of the issue.
INSERT DATA { <id/journal/2476-6879/volume/10/issue/4> schema:datePublished "2026-02-21"^^xsd:date ; prism:publicationDate "2026-02-21"^^xsd:date } ;

### Issue-dateMissing
# message: The issue has no Gregorian publication date, so search engines show no date for its articles. Add the Gregorian date of the issue.
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> schema:datePublished ?d ; prism:publicationDate ?e } ;

### Issue-prismDate
# message: The issue's prism:publicationDate and schema:datePublished disagree. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> prism:publicationDate ?d } ;

### Issue-jalali
# message: The issue's Jalali date is not one date description. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/volume/10/issue/4> time:hasTime <id/journal/2476-6879/volume/10/issue/4/date> } ;

### Issue-iriMatchesContainer
# message: The issue is linked to https://data.example.org/id/journal/2476-6879/volume/9, but its identifier names another volume or journal. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/volume/9> a schema:PublicationVolume, fabio:JournalVolume ; schema:volumeNumber "9" ; fabio:hasSequenceIdentifier "9" ; schema:isPartOf <id/journal/2476-6879> ; frbr:partOf <id/journal/2476-6879> } ;
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> schema:isPartOf ?v ; frbr:partOf ?w } ;
INSERT DATA { <id/journal/2476-6879/volume/10/issue/4> schema:isPartOf <id/journal/2476-6879/volume/9> ; frbr:partOf <id/journal/2476-6879/volume/9> } ;

### Issue-datesAgree
# message: The issue's Jalali date 1404-12-01 and Gregorian date 2026-03-05 are 13 days apart. Check both dates of the issue; they should name the same day.
# (2026-03-01 would be the exports' nominal date for 1404-12, which is not a disagreement: see test_shapes.py)
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> schema:datePublished ?d ; prism:publicationDate ?e } ;
INSERT DATA { <id/journal/2476-6879/volume/10/issue/4> schema:datePublished "2026-03-05"^^xsd:date ; prism:publicationDate "2026-03-05"^^xsd:date } ;

### JalaliInstant
# message: The Jalali date's identifier (IRI) does not have the form {issue}/date-jalali. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> time:hasTime ?t . ?t a time:Instant ; time:inDateTime ?d } ;
INSERT DATA { <id/journal/2476-6879/volume/10/issue/4> time:hasTime <id/journal/2476-6879/volume/10/issue/4/jalali> . <id/journal/2476-6879/volume/10/issue/4/jalali> a time:Instant ; time:inDateTime <id/journal/2476-6879/volume/10/issue/4/date-jalali/description> } ;

### JalaliInstant-description
# message: The Jalali date has no date description (year, month, day). This is a converter problem: report it to the KG team.
DELETE WHERE { ?t time:inDateTime ?d } ;

### JalaliInstant-issue
# message: The Jalali date belongs to no issue. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/volume/10/issue/4> time:hasTime ?t } ;

### JalaliDate
# message: The Jalali date description's identifier (IRI) does not have the form {issue}/date-jalali/description. This is a converter problem: report it to the KG team.
DELETE WHERE { ?i time:inDateTime ?d . ?d ?p ?o } ;
INSERT DATA { <id/journal/2476-6879/volume/10/issue/4/date-jalali> time:inDateTime <id/journal/2476-6879/volume/10/issue/4/jalali-date> . <id/journal/2476-6879/volume/10/issue/4/jalali-date> a time:GeneralDateTimeDescription ; time:hasTRS <id/calendar/solar-hijri> ; time:unitType time:unitDay ; time:year "1404"^^time:generalYear ; time:month "--12"^^time:generalMonth ; time:day "---01"^^time:generalDay } ;

### JalaliDate-calendar
# message: The Jalali date does not name the Solar Hijri calendar, so it would be read as a Gregorian date. This is a converter problem: report it to the KG team.
DELETE WHERE { ?d time:hasTRS ?c } ;
INSERT { ?d time:hasTRS <http://dbpedia.org/resource/Gregorian_calendar> } WHERE { ?d a time:GeneralDateTimeDescription } ;

### JalaliDate-unit
# message: The Jalali date does not say that it is precise to the day. This is a converter problem: report it to the KG team.
DELETE WHERE { ?d time:unitType ?u } ;

### JalaliDate-year
# message: The Jalali year of the issue is missing or is not a four-digit year. Correct the Jalali date of the issue.
DELETE WHERE { ?d time:year ?y } ;
INSERT { ?d time:year "1404"^^xsd:gYear } WHERE { ?d a time:GeneralDateTimeDescription } ;

### JalaliDate-month
# message: The Jalali month of the issue is missing or not between 1 and 12. Correct the Jalali date of the issue.
# also: Issue-datesAgree
DELETE WHERE { ?d time:month ?m } ;
INSERT { ?d time:month "--13"^^time:generalMonth } WHERE { ?d a time:GeneralDateTimeDescription } ;

### JalaliDate-day
# message: The Jalali day of the issue is missing or not between 1 and 31. Correct the Jalali date of the issue.
# also: Issue-datesAgree JalaliDate-dayInMonth
DELETE WHERE { ?d time:day ?m } ;
INSERT { ?d time:day "---32"^^time:generalDay } WHERE { ?d a time:GeneralDateTimeDescription } ;

### JalaliDate-plausibleYear
# message: The Jalali year of the issue is before 1300 or after 1499. Check that the Jalali date is not a Gregorian date typed into the Jalali field.
# also: Issue-datesAgree
DELETE WHERE { ?d time:year ?y } ;
INSERT { ?d time:year "2026"^^time:generalYear } WHERE { ?d a time:GeneralDateTimeDescription } ;

### JalaliDate-dayInMonth
# message: The Jalali date has day 31 in month 12, which has only 30 days or fewer. Correct the Jalali date of the issue.
# also: Issue-datesAgree
DELETE WHERE { ?d time:day ?m } ;
INSERT { ?d time:day "---31"^^time:generalDay } WHERE { ?d a time:GeneralDateTimeDescription } ;

### Calendar
# message: The calendar's identifier (IRI) does not have the form {base}/id/calendar/{name}. This is a converter problem: report it to the KG team.
# also: JalaliDate-calendar
DELETE WHERE { <id/calendar/solar-hijri> ?p ?o } ;
DELETE WHERE { ?d time:hasTRS ?c } ;
INSERT { ?d time:hasTRS <id/calendars/solar-hijri> . <id/calendars/solar-hijri> a time:TRS ; schema:name "Solar Hijri calendar"@en } WHERE { ?d a time:GeneralDateTimeDescription } ;

### Calendar-name
# message: The calendar has no name, or names that are not one per language (Persian, English). This is a converter problem: report it to the KG team.
DELETE WHERE { <id/calendar/solar-hijri> schema:name ?n } ;

### Article-iri
# message: The article's identifier (IRI) does not have the form {base}/id/journal/{ISSN}/article/{code}. This is a converter problem: report it to the KG team.
# also: Article-iriMatchesJournal Authorship-article Authorship-document
DELETE WHERE { ?a a schema:ScholarlyArticle } ;
INSERT DATA { <id/journal/2476-6879/articles/1> a schema:ScholarlyArticle, fabio:JournalArticle ; schema:headline "Title"@en ; schema:name "Title"@en ; dcterms:title "Title"@en ; schema:isPartOf <id/journal/2476-6879/volume/10/issue/4> ; frbr:partOf <id/journal/2476-6879/volume/10/issue/4> ; schema:inLanguage "fa" ; schema:abstract "Abstract"@en ; dcterms:abstract "Abstract"@en ; schema:author <id/person/h-drpjllyt5vjrhyxj> ; schema:genre <id/article-type/review-article> ; schema:datePublished "2026-02-20"^^xsd:date ; schema:isBasedOn <id/source/sha256-b7d32c989570dffcf8227b5d4ef6889e> } ;

### Article-type
# message: The article is not also typed fabio:JournalArticle (or fabio:JournalEditorial). This is a converter problem: report it to the KG team.
DELETE DATA { <id/journal/2476-6879/article/A-10-968-1> a fabio:JournalArticle } ;

### Article-workType
# message: The article is typed with a FaBiO Work class, which contradicts its type as a journal article. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> a fabio:ReviewPaper } ;

### Article-title
# message: The article has no title in any language. Add the article's title (Persian and/or English) and export again.
# also: Article-name
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:headline ?h } ;

### Article-titleLanguage
# message: An article title has no language or a language other than Persian or English.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:headline "Untagged title" ; schema:name "Untagged title" } ;

### Article-titleUnique
# message: The article has two different titles in the same language. Keep one Persian and one English title.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:headline "Digital twins in medicine"@en ; schema:name "Digital twins in medicine"@en } ;

### Article-name
# message: The article's schema:name and schema:headline differ. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:name "Digital twins in medicine"@en } ;

### Article-originalTitle
# message: The article does not have exactly one title in its original language (dcterms:title). This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> dcterms:title "Digital twins in medicine"@en } ;

### Article-translatedTitle
# message: The article has more than one translated title. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> fabio:hasTranslatedTitle "Digital twins in medicine"@en } ;

### Article-abstract
# message: The article has no abstract in any language. Add the abstract (Persian and/or English) if the article has one.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:abstract ?x ; dcterms:abstract ?y } ;

### Article-abstractLanguage
# message: The article has an abstract without a Persian or English language, or two abstracts in the same language. Keep one Persian and one English abstract.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:abstract "Second abstract."@en ; dcterms:abstract "Second abstract."@en } ;

### Article-abstractLayers
# message: The article's dcterms:abstract and schema:abstract differ. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> dcterms:abstract ?y } ;

### Article-authors
# message: The article has no authors. Add the author list (names in Persian and English, in the printed order) unless the article really has none.
# also: Person-author
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:author ?p } ;

### Article-authorClass
# message: An author link of the article does not point to a described person. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:author <id/person/unknown> } ;

### Article-issue
# message: The article is not linked to exactly one issue. Export the article with its volume and issue numbers.
# also: Article-journal
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:isPartOf ?i ; frbr:partOf ?j } ;

### Article-partOf
# message: The article's frbr:partOf and schema:isPartOf disagree. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> frbr:partOf ?i } ;

### Article-journal
# message: The article does not lead, through its issue and volume, to exactly one journal.
# also: Article-iriMatchesJournal Issue-container Issue-iriMatchesContainer Issue-journal
INSERT DATA { <id/journal/2476-6879/volume/10/issue/4> schema:isPartOf <id/journal/2538-1563> ; frbr:partOf <id/journal/2538-1563> . <id/journal/2538-1563> a schema:Periodical, fabio:Journal ; schema:name "Other"@en ; dcterms:title "Other"@en ; schema:issn "2538-1563" } ;

### Article-language
# message: The article's language is not a single language code such as "fa" or "en".
# also: Article-languageAgrees
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:inLanguage ?l } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:inLanguage "other" } ;

### Article-languageMissing
# message: The article's language is missing or not recognised (expected fa or en). Set the article's language.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:inLanguage ?l } ;

### Article-languageAgrees
# message: The article's language (en) differs from the journal's language (fa). Check the language of the article and of the journal.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:inLanguage ?l } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:inLanguage "en" } ;

### Article-genre
# message: The article type (content type) is missing or could not be recognised, so the article is published as a plain journal article. Use a standard type such as Original Research, Review, Case Report, Short Communication, Letter or Editorial.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:genre ?g } ;

### Article-genreClass
# message: The article has more than one article type, or one that is not a described term. This is a converter problem: report it to the KG team.
# also: ArticleType-fabio ArticleType-scheme
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:genre <id/article-type/unknown> } ;

### Article-pageStart
# message: The article has more than one first page. Give one first page.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:pageStart "356" } ;

### Article-pageEnd
# message: The article has more than one last page. Give one last page.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:pageEnd "374" } ;

### Article-embodiment
# message: The article's page description (manifestation) is missing its type or is not unique. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> frbr:embodiment <id/journal/2476-6879/article/A-10-968-1/pdf> } ;

### Article-doi
# message: The article's DOI is not a DOI of the form 10.NNNN/suffix, or there is more than one. Correct the article DOI.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> prism:doi ?d } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> prism:doi "doi:10.22034/mshsj.10.4.355" } ;

### Article-doiLink
# message: The article's DOI link is not of the form https://doi.org/10.NNNN/suffix. Correct the article DOI.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:sameAs <http://dx.doi.org/10.22034/mshsj.10.4.355> } ;

### Article-date
# message: The article's publication date is not one valid Gregorian date. Correct the Gregorian date of the issue.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:datePublished "1404-12-01"^^xsd:string } ;

### Article-dateMissing
# message: The article has no Gregorian publication date (it comes from the issue), so search engines show no date. Add the issue's Gregorian date.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:datePublished ?d } ;

### Article-url
# message: The article has more than one web address, or one that is not a link. Give the article's single page URL at the journal site.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:url <http://mshsj.ssu.ac.ir/article-968.html> } ;

### Article-roles
# message: An authorship link of the article does not point to a described authorship. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> pro:isDocumentContextFor <id/person/h-drpjllyt5vjrhyxj> } ;

### Article-keywords
# message: A keyword has no Persian or English language tag. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:keywords "twins" ; prism:keyword "twins" } ;

### Article-keywordLayers
# message: The article's prism:keyword and schema:keywords differ. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> prism:keyword "Digital twins"@en } ;

### Article-subject
# message: A keyword link of the article does not point to a described keyword concept. This is a converter problem: report it to the KG team.
# also: Keyword Keyword-label Keyword-scheme Keyword-type
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> dcterms:subject <http://id.loc.gov/authorities/subjects/sh85060157> } ;

### Article-section
# message: The article's section (subject) is not one described section term. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> fabio:hasSubjectTerm <id/journal/2476-6879/section/other> } ;

### Article-source
# message: The article cannot be traced to exactly one source file. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:isBasedOn ?s } ;

### Article-identifier
# message: An identifier link of the article does not point to an identifier description. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> datacite:hasIdentifier <id/journal/2476-6879/article/A-10-968-1/identifier/pii> } ;

### Article-iriMatchesJournal
# message: The article is in an issue of the journal https://data.example.org/id/journal/2476-6879, but its identifier names another journal. This is a converter problem: report it to the KG team.
DELETE WHERE { ?a a schema:ScholarlyArticle . ?a ?p ?o } ;
DELETE WHERE { ?x pro:relatesToDocument ?a } ;
INSERT DATA { <id/journal/2538-1563/article/A-10-968-1> a schema:ScholarlyArticle, fabio:JournalArticle ; schema:headline "Title"@en ; schema:name "Title"@en ; dcterms:title "Title"@en ; schema:isPartOf <id/journal/2476-6879/volume/10/issue/4> ; frbr:partOf <id/journal/2476-6879/volume/10/issue/4> ; schema:inLanguage "fa" ; schema:abstract "Abstract"@en ; dcterms:abstract "Abstract"@en ; schema:author <id/person/h-drpjllyt5vjrhyxj>, <id/person/orcid-0000-0002-1825-0097> ; schema:genre <id/article-type/review-article> ; schema:datePublished "2026-02-20"^^xsd:date ; schema:isBasedOn <id/source/sha256-b7d32c989570dffcf8227b5d4ef6889e> ; datacite:hasIdentifier <id/journal/2476-6879/article/A-10-968-1/identifier/doi> ; dcterms:subject <id/concept/18457d4e3a69>, <id/concept/21839c83f19b>, <id/concept/268c59828684>, <id/concept/c7e26777d8d9>, <id/concept/d7b1a3358d29> ; frbr:embodiment <id/journal/2476-6879/article/A-10-968-1/manifestation> ; pro:isDocumentContextFor <id/journal/2476-6879/article/A-10-968-1/author/1>, <id/journal/2476-6879/article/A-10-968-1/author/2>, <id/journal/2476-6879/article/A-10-968-1/author/1/corresponding> } ;

### Article-pageOrder
# message: The first page (373) comes after the last page (355). Check the page numbers of the article.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:pageStart ?s ; schema:pageEnd ?e } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:pageStart "373" ; schema:pageEnd "355" } ;

### Article-authorOrder
# message: The article's 2 authors are not numbered 1 to 2 without gaps or repeats (positions 1 to 3, 0 for a missing one), or are not joined by 2 - 1 oco:hasNext links (found 1). This is a converter problem: report it to the KG team.
# also: Authorship-chain
DELETE DATA { <id/journal/2476-6879/article/A-10-968-1/author/2> schema:position 2 } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/2> schema:position 3 } ;

### Manifestation
# message: The page description's identifier (IRI) does not have the form {article}/manifestation. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> frbr:embodiment ?m . ?m ?p ?o } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> frbr:embodiment <id/journal/2476-6879/article/A-10-968-1/print> . <id/journal/2476-6879/article/A-10-968-1/print> a fabio:DigitalManifestation } ;

### Manifestation-article
# message: The page description belongs to no article, or to several. This is a converter problem: report it to the KG team.
# also: Manifestation
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/manifestation-2> a fabio:DigitalManifestation } ;

### Manifestation-pages
# message: The page description has more than one first page. Give one first page.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/manifestation> prism:startingPage "1" } ;

### Authorship-iri
# message: The authorship's identifier (IRI) does not have the form {article}/author/{position}. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> pro:isDocumentContextFor <id/journal/2476-6879/article/A-10-968-1/editor> . <id/journal/2476-6879/article/A-10-968-1/editor> a pro:RoleInTime ; pro:withRole scoro:corresponding-author ; pro:isHeldBy <id/person/h-drpjllyt5vjrhyxj> } ;

### Authorship-role
# message: The authorship does not have exactly one role (author or corresponding author). This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/1/corresponding> pro:withRole pro:editor } ;

### Authorship-person
# message: The authorship is not held by exactly one described person. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1/author/1/corresponding> pro:isHeldBy ?p } ;

### Authorship-article
# message: The authorship belongs to no article, or to several. This is a converter problem: report it to the KG team.
DELETE WHERE { ?a pro:isDocumentContextFor <id/journal/2476-6879/article/A-10-968-1/author/1/corresponding> } ;

### Authorship-document
# message: The authorship's pro:relatesToDocument does not name one described article. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/1/corresponding> pro:relatesToDocument <id/journal/2476-6879> } ;

### Authorship-position
# message: The authorship's position is not one whole number from 1 up. This is a converter problem: report it to the KG team.
# also: Article-authorOrder Authorship-chain
DELETE DATA { <id/journal/2476-6879/article/A-10-968-1/author/2> schema:position 2 } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/2> schema:position "2" } ;

### Authorship-next
# message: The authorship is followed by more than one next author, or by something that is not an authorship. This is a converter problem: report it to the KG team.
# also: Article-authorOrder Authorship-chain Authorship-chainedRole
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/1> oco:hasNext <id/person/h-drpjllyt5vjrhyxj> } ;

### Authorship-previous
# message: The authorship follows more than one previous author. This is a converter problem: report it to the KG team.
# also: Authorship-chain
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/2> oco:hasNext <id/journal/2476-6879/article/A-10-968-1/author/2> } ;

### Authorship-organization
# message: The authorship's affiliation does not point to a described organization. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/2> pro:relatesToOrganization <id/org/h-000000000000> } ;

### Authorship-positionRequired
# message: An author role has no position in the author list. This is a converter problem: report it to the KG team.
# also: Article-authorOrder Authorship-chain
DELETE DATA { <id/journal/2476-6879/article/A-10-968-1/author/2> schema:position 2 } ;

### Authorship-chainedRole
# message: A role that is not an author role (for example the corresponding-author role) has a position or is linked into the author chain. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/1/corresponding> schema:position 3 } ;

### Authorship-chain
# message: The author chain (oco:hasNext) goes from position 1 to position 1 or to another article; it must go to the next position of the same article. This is a converter problem: report it to the KG team.
DELETE DATA { <id/journal/2476-6879/article/A-10-968-1/author/1> oco:hasNext <id/journal/2476-6879/article/A-10-968-1/author/2> } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/author/1> oco:hasNext <id/journal/2476-6879/article/A-10-968-1/author/1> } ;

### Person-iri
# message: The person's identifier (IRI) does not have the form {base}/id/person/{orcid-…|code-…|h-…|a-…}. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:author <id/people/1> . <id/people/1> a schema:Person, foaf:Person ; schema:name "A. Author"@en ; foaf:name "A. Author"@en } ;

### Person-type
# message: The person is not also typed foaf:Person. This is a converter problem: report it to the KG team.
DELETE DATA { <id/person/h-drpjllyt5vjrhyxj> a foaf:Person } ;

### Person-name
# message: An author has no name in any language. Fill in the author's first and last name (Persian and/or English).
DELETE WHERE { <id/person/h-drpjllyt5vjrhyxj> schema:name ?n ; foaf:name ?m } ;

### Person-nameLanguage
# message: An author's name has no Persian or English language tag. This is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:name "M. H. Roozbahani" ; foaf:name "M. H. Roozbahani" } ;

### Person-nameUnique
# message: The same author (same ORCID or author code) is written with different names in the same language. Check the spelling of the author's name across articles.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:name "Mohammadhossein Roozbahani"@en ; foaf:name "Mohammadhossein Roozbahani"@en } ;

### Person-nameLayers
# message: The person's foaf:name and schema:name differ. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/person/h-drpjllyt5vjrhyxj> foaf:name ?n } ;

### Person-givenName
# message: An author's first name has no Persian or English language tag. This is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:givenName "M." } ;

### Person-familyName
# message: An author's last name has no Persian or English language tag. This is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:familyName "R." } ;

### Person-email
# message: An author's e-mail address would be published. E-mail addresses must never be published; this is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:email "roozbahani@iust.ac.ir" } ;

### Person-mbox
# message: An author's e-mail address (foaf:mbox) would be published. E-mail addresses must never be published; this is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> foaf:mbox <mailto:roozbahani@iust.ac.ir> } ;

### Person-mboxHash
# message: A hash of an author's e-mail address (foaf:mbox_sha1sum) would be published; such hashes can be reversed. This is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> foaf:mbox_sha1sum "0f4b1e1c5f5b7e6b9d1c7b0c3c9a4d2e1f0a9b8c" } ;

### Person-sameAs
# message: An author's ORCID link is not one link of the form https://orcid.org/NNNN-NNNN-NNNN-NNNC. Correct the author's ORCID iD.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:sameAs <http://orcid.org/0000-0002-1825-0097> } ;

### Person-affiliation
# message: An author's affiliation does not point to a described organization. This is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:affiliation <id/org/h-000000000000> } ;

### Person-identifier
# message: An identifier link of the author does not point to an identifier description. This is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> datacite:hasIdentifier <id/person/h-drpjllyt5vjrhyxj/identifier/orcid> } ;

### Person-author
# message: The person is described but is not an author of any article. This is a converter problem: report it to the KG team.
INSERT DATA { <id/person/a-2476-6879-A-10-968-1-9> a schema:Person, foaf:Person ; schema:name "Nobody"@en ; foaf:name "Nobody"@en } ;

### Person-orcidMatchesIri
# message: The person's identifier is built from an ORCID iD but the person does not link to that iD (https://orcid.org/ and an ORCID identifier node). This is a converter problem: report it to the KG team.
DELETE WHERE { <id/person/orcid-0000-0002-1825-0097> schema:sameAs ?o } ;

### Organization-iri
# message: The organization's identifier (IRI) does not have the form {base}/id/org/h-{hash}. This is a converter problem: report it to the KG team.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:affiliation <id/org/iust> . <id/org/iust> a schema:Organization, foaf:Organization ; schema:name "IUST"@en ; foaf:name "IUST"@en } ;

### Organization-type
# message: The organization is not also typed foaf:Organization. This is a converter problem: report it to the KG team.
DELETE WHERE { ?o a foaf:Organization } ;

### Organization-name
# message: An affiliation has no text in any language. Fill in the author's affiliation or leave it out entirely.
DELETE WHERE { <id/org/h-128346cdcdfd> schema:name ?n ; foaf:name ?m } ;

### Organization-nameLanguage
# message: An affiliation has no Persian or English language tag. This is a converter problem: report it to the KG team.
INSERT DATA { <id/org/h-128346cdcdfd> schema:name "SSU" ; foaf:name "SSU" } ;

### Organization-nameUnique
# message: The same affiliation is written in two different ways in one language (for example two Persian spellings of one English affiliation). Check that authors write their affiliation the same way.
INSERT DATA { <id/org/h-128346cdcdfd> schema:name "دانشگاه علوم پزشکی یزد"@fa ; foaf:name "دانشگاه علوم پزشکی یزد"@fa } ;

### Organization-nameLayers
# message: The organization's foaf:name and schema:name differ. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/org/h-128346cdcdfd> foaf:name ?n } ;

### Organization-sameAs
# message: An organization link is not a ROR identifier of the form https://ror.org/0xxxxxxNN. This is a converter problem: report it to the KG team.
INSERT DATA { <id/org/h-128346cdcdfd> schema:sameAs <https://www.grid.ac/institutes/grid.412505.7> } ;

### Keyword
# message: The keyword's identifier (IRI) does not have the form {base}/id/concept/{hash}. This is a converter problem: report it to the KG team.
# also: Term
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> dcterms:subject <id/keyword/twins> . <id/keyword/twins> a skos:Concept, schema:DefinedTerm ; skos:prefLabel "Twins"@en ; schema:name "Twins"@en ; skos:inScheme <id/scheme/author-keywords> ; schema:inDefinedTermSet <id/scheme/author-keywords> } ;

### Keyword-type
# message: The keyword is not typed schema:DefinedTerm. This is a converter problem: report it to the KG team.
DELETE DATA { <id/concept/18457d4e3a69> a schema:DefinedTerm } ;

### Keyword-label
# message: A keyword has no label in any language. Remove empty keywords from the keyword list.
# also: Term-name
DELETE WHERE { <id/concept/18457d4e3a69> skos:prefLabel ?l ; schema:name ?n } ;

### Keyword-labelLanguage
# message: A keyword label has no Persian or English language tag. This is a converter problem: report it to the KG team.
# also: Term-nameLanguage
INSERT DATA { <id/concept/18457d4e3a69> skos:prefLabel "twins" ; schema:name "twins" } ;

### Keyword-labelUnique
# message: A keyword has two different labels in the same language. Check that the Persian and English keyword lists are in the same order and have the same number of keywords.
# also: Term-nameUnique
INSERT DATA { <id/concept/18457d4e3a69> skos:prefLabel "Twins"@en ; schema:name "Twins"@en } ;

### Keyword-name
# message: The keyword's schema:name and skos:prefLabel differ. This is a converter problem: report it to the KG team.
# also: Term-label Term-name
DELETE WHERE { <id/concept/18457d4e3a69> schema:name ?n } ;

### Keyword-scheme
# message: The keyword is not in the author-keywords scheme. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/concept/18457d4e3a69> skos:inScheme ?s ; schema:inDefinedTermSet ?t } ;

### Keyword-termSet
# message: The keyword's schema:inDefinedTermSet and skos:inScheme differ. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/concept/18457d4e3a69> schema:inDefinedTermSet ?t } ;

### Keyword-paired
# message: The keyword's pairing flag is not one boolean. This is a converter problem: report it to the KG team.
INSERT DATA { <id/concept/18457d4e3a69> kg:pairedByPosition "yes" } ;

### KeywordItem
# message: A keyword position is not a schema:ListItem at {article}/keyword/{i}. This is a converter problem: report it to the KG team.
# also: Authorship-chainedRole
DELETE DATA { <id/journal/2476-6879/article/A-10-968-1/keyword/1> a schema:ListItem } ;

### KeywordItem-position
# message: A keyword position has not exactly one positive integer position. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/keyword/1> schema:position 7 } ;

### KeywordItem-item
# message: A keyword position does not name exactly one keyword concept. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1/keyword/1> schema:item ?c } ;

### ConceptScheme
# message: The concept scheme's identifier (IRI) does not have the form {base}/id/scheme/{name}. This is a converter problem: report it to the KG team.
INSERT DATA { <id/schemes/other> a skos:ConceptScheme, schema:DefinedTermSet ; schema:name "Other"@en } ;

### ConceptScheme-type
# message: The concept scheme is not also typed schema:DefinedTermSet. This is a converter problem: report it to the KG team.
DELETE DATA { <id/scheme/author-keywords> a schema:DefinedTermSet } ;

### ConceptScheme-name
# message: The concept scheme has no name, or names that are not one per language (Persian, English). This is a converter problem: report it to the KG team.
DELETE WHERE { <id/scheme/author-keywords> schema:name ?n } ;

### Term
# message: The term's identifier (IRI) is not a keyword, article-type, section or subject IRI. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:about <id/topics/twins> . <id/topics/twins> a schema:DefinedTerm, skos:Concept ; schema:name "Twins"@en ; skos:prefLabel "Twins"@en } ;

### Term-type
# message: The term is not also typed skos:Concept. This is a converter problem: report it to the KG team.
DELETE DATA { <id/article-type/review-article> a skos:Concept } ;

### Term-name
# message: A term (section, subject or article type) has no name in any language. Fill in its label.
DELETE WHERE { <id/article-type/review-article> schema:name ?n ; skos:prefLabel ?l } ;

### Term-nameLanguage
# message: A term's name has no Persian or English language tag. This is a converter problem: report it to the KG team.
INSERT DATA { <id/article-type/review-article> schema:name "Review" ; skos:prefLabel "Review" } ;

### Term-nameUnique
# message: A section or subject has two different names in the same language (for example different Persian names for one English section in two issues). Use the same section names in every issue.
INSERT DATA { <id/article-type/review-article> schema:name "Review"@en ; skos:prefLabel "Review"@en } ;

### Term-label
# message: The term's skos:prefLabel and schema:name differ. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/article-type/review-article> skos:prefLabel ?l } ;

### ArticleType
# message: The article type's identifier (IRI) does not have the form {base}/id/article-type/{slug}. This is a converter problem: report it to the KG team.
# also: ArticleType-fabio ArticleType-scheme
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1> schema:genre ?g } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> schema:genre <id/journal/2476-6879/section/health-management> } ;

### ArticleType-scheme
# message: The article type is not in the article-types scheme. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/article-type/review-article> skos:inScheme ?s } ;

### ArticleType-fabio
# message: The article type does not point to its FaBiO class. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/article-type/review-article> schema:sameAs ?s } ;

### Section
# message: The section's identifier (IRI) does not have the form {journal}/section/{slug}. This is a converter problem: report it to the KG team.
# also: Article-section
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1> fabio:hasSubjectTerm <id/article-type/review-article> . <id/article-type/review-article> a fabio:SubjectTerm } ;

### Subject
# message: The journal subject's identifier (IRI) does not have the form {journal}/subject/{slug}. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879> fabio:hasDiscipline <id/concept/18457d4e3a69> . <id/concept/18457d4e3a69> a fabio:SubjectDiscipline } ;

### Subject-type
# message: The journal subject is not typed fabio:SubjectDiscipline. This is a converter problem: report it to the KG team.
DELETE DATA { <id/journal/2476-6879/subject/medical-sciences> a fabio:SubjectDiscipline } ;

### Identifier-iri
# message: The identifier node's IRI does not have the form {thing}/identifier/{scheme}. This is a converter problem: report it to the KG team.
INSERT DATA { <id/journal/2476-6879> datacite:hasIdentifier <id/identifier/issn-l> . <id/identifier/issn-l> a datacite:Identifier, schema:PropertyValue ; datacite:usesIdentifierScheme datacite:issn ; literal:hasLiteralValue "2476-6879" ; schema:value "2476-6879" ; schema:propertyID "ISSN-L" } ;

### Identifier-type
# message: The identifier is not also typed schema:PropertyValue. This is a converter problem: report it to the KG team.
DELETE DATA { <id/journal/2476-6879/identifier/issn-print> a schema:PropertyValue } ;

### Identifier-scheme
# message: The identifier does not name exactly one known identifier scheme. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/identifier/issn-print> datacite:usesIdentifierScheme ?s } ;
INSERT DATA { <id/journal/2476-6879/identifier/issn-print> datacite:usesIdentifierScheme datacite:isbn } ;

### Identifier-value
# message: The identifier has no value, or more than one. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/identifier/issn-print> literal:hasLiteralValue ?v ; schema:value ?w } ;

### Identifier-valueLayers
# message: The identifier's schema:value and literal:hasLiteralValue differ. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/identifier/issn-print> schema:value ?w } ;

### Identifier-propertyId
# message: The identifier does not name its kind (schema:propertyID) exactly once. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/journal/2476-6879/identifier/issn-print> schema:propertyID ?w } ;

### Identifier-owner
# message: The identifier belongs to no journal, article or person, or to several. This is a converter problem: report it to the KG team.
DELETE WHERE { ?j datacite:hasIdentifier <id/journal/2476-6879/identifier/issn-print> } ;

### Identifier-issnCheckDigit
# message: The ISSN 2476-6878 is malformed or has a wrong check digit, so it is not a real ISSN. Correct it in the journal's settings.
DELETE WHERE { <id/journal/2476-6879/identifier/issn-print> literal:hasLiteralValue ?v ; schema:value ?w } ;
INSERT DATA { <id/journal/2476-6879/identifier/issn-print> literal:hasLiteralValue "2476-6878" ; schema:value "2476-6878" } ;

### Identifier-doiSyntax
# message: The DOI 10.22034 is not of the form 10.NNNN/suffix. Correct the DOI, or leave the field empty if there is none.
DELETE WHERE { <id/journal/2476-6879/article/A-10-968-1/identifier/doi> literal:hasLiteralValue ?v ; schema:value ?w } ;
INSERT DATA { <id/journal/2476-6879/article/A-10-968-1/identifier/doi> literal:hasLiteralValue "10.22034" ; schema:value "10.22034" } ;

### Identifier-orcidChecksum
# message: The ORCID iD 0000-0002-1825-0098 is malformed or has a wrong check character, so it is not a real ORCID iD. Correct the author's ORCID iD.
# also: Person-orcidMatchesIri
DELETE WHERE { <id/person/orcid-0000-0002-1825-0097/identifier/orcid> literal:hasLiteralValue ?v ; schema:value ?w } ;
INSERT DATA { <id/person/orcid-0000-0002-1825-0097/identifier/orcid> literal:hasLiteralValue "0000-0002-1825-0098" ; schema:value "0000-0002-1825-0098" } ;

### Identifier-placeholder
# message: The identifier 8888 looks like a template value, not a real database number. Enter the journal's real number in that database, or leave the field empty.
INSERT DATA { <id/journal/2476-6879> datacite:hasIdentifier <id/journal/2476-6879/identifier/nlai> . <id/journal/2476-6879/identifier/nlai> a datacite:Identifier, schema:PropertyValue ; datacite:usesIdentifierScheme datacite:local-resource-identifier-scheme ; literal:hasLiteralValue "8888" ; schema:value "8888" ; schema:propertyID "NLAI" } ;

### ArticleGraph
# message: The article graph's name does not have the form {base}/graph/journal/{ISSN}/article/{code}. This is a converter problem: report it to the KG team.
DELETE WHERE { <graph/journal/2476-6879/article/A-10-968-1> ?p ?o } ;
INSERT DATA { <graph/2476-6879/A-10-968-1> a prov:Entity ; prov:wasDerivedFrom <id/source/sha256-b7d32c989570dffcf8227b5d4ef6889e> } ;

### ArticleGraph-type
# message: The article graph is not described as a prov:Entity. This is a converter problem: report it to the KG team.
DELETE DATA { <graph/journal/2476-6879/article/A-10-968-1> a prov:Entity } ;

### ArticleGraph-source
# message: The article graph is derived from more than one source file, or from an undescribed one. This is a converter problem: report it to the KG team.
# also: SourceFile-format SourceFile-name SourceFile-type
INSERT DATA { <graph/journal/2476-6879/article/A-10-968-1> prov:wasDerivedFrom <id/source/sha256-00000000000000000000000000000000> } ;

### ArticleGraph-primarySource
# message: The article graph names more than one primary source (journal web page), or one that is not a link. Give one article URL.
INSERT DATA { <graph/journal/2476-6879/article/A-10-968-1> prov:hadPrimarySource "http://mshsj.ssu.ac.ir" } ;

### SourceFile
# message: The source file's identifier (IRI) does not have the form {base}/id/source/sha256-{hash}. This is a converter problem: report it to the KG team.
DELETE WHERE { ?x prov:wasDerivedFrom ?s . ?a schema:isBasedOn ?t } ;
INSERT DATA { <graph/journal/2476-6879/article/A-10-968-1> prov:wasDerivedFrom <id/source/mshsj-v10n4-a968.xml> . <id/journal/2476-6879/article/A-10-968-1> schema:isBasedOn <id/source/mshsj-v10n4-a968.xml> . <id/source/mshsj-v10n4-a968.xml> a prov:Entity ; dcterms:identifier "mshsj-v10n4-a968.xml" ; dcterms:format "application/xml" } ;

### SourceFile-type
# message: The source file is not described as a prov:Entity. This is a converter problem: report it to the KG team.
# also: Article-source ArticleGraph-source
DELETE DATA { <id/source/sha256-b7d32c989570dffcf8227b5d4ef6889e> a prov:Entity } ;

### SourceFile-name
# message: The source file has no file name. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/source/sha256-b7d32c989570dffcf8227b5d4ef6889e> dcterms:identifier ?n } ;

### SourceFile-format
# message: The source file does not have one media type such as application/xml. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/source/sha256-b7d32c989570dffcf8227b5d4ef6889e> dcterms:format ?n } ;

### SourceFile-size
# message: The source file's size is not one whole number of bytes. This is a converter problem: report it to the KG team.
DELETE WHERE { <id/source/sha256-b7d32c989570dffcf8227b5d4ef6889e> dcterms:extent ?n } ;
INSERT DATA { <id/source/sha256-b7d32c989570dffcf8227b5d4ef6889e> dcterms:extent "12 KB" } ;

### Text-persianTaggedEnglish
# message: Persian text is labelled as English. Put Persian text in the Persian (_fa) field and English text in the English field.
INSERT DATA { <id/person/h-drpjllyt5vjrhyxj> schema:givenName "محمدحسین"@en } ;

### Text-englishTaggedPersian
# message: Latin-script text is labelled as Persian. Put English text in the English field; a Persian field must hold Persian text.
# also: Keyword-labelUnique Term-nameUnique
INSERT DATA { <id/concept/18457d4e3a69> schema:name "COVID-19"@fa ; skos:prefLabel "COVID-19"@fa } ;

### Run
# message: The build run's identifier (IRI) does not have the form {base}/id/run/{time}. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { <id/run/20261129T050000Z> ?p ?o . ?g prov:wasGeneratedBy ?r } ;
INSERT DATA { <id/runs/1> a prov:Activity ; prov:startedAtTime "2026-11-29T05:00:00Z"^^xsd:dateTime ; prov:wasAssociatedWith <id/agent/kg-0.1.0> . <graph/journal/2476-6879/article/A-10-968-1> prov:wasGeneratedBy <id/runs/1> } ;

### Run-started
# message: The build run does not have one start time. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { <id/run/20261129T050000Z> prov:startedAtTime ?t } ;

### Run-ended
# message: The build run has more than one end time, or one that is not a date-time. This is a converter problem: report it to the KG team.
# data: runs
INSERT DATA { <id/run/20261129T050000Z> prov:endedAtTime "2026-11-29T05:01:00"^^xsd:dateTime } ;

### Run-agent
# message: The build run does not name the software (with its version) that made it. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { <id/run/20261129T050000Z> prov:wasAssociatedWith ?a } ;

### Run-used
# message: The build run names an input that is not a source file IRI. This is a converter problem: report it to the KG team.
# data: runs
INSERT DATA { <id/run/20261129T050000Z> prov:used <file:///home/editor/mshsj.xml> } ;

### GeneratedGraph
# message: A build run generated something that is not an article graph. This is a converter problem: report it to the KG team.
# data: runs
INSERT DATA { <id/dataset> prov:wasGeneratedBy <id/run/20261129T050000Z> ; prov:generatedAtTime "2026-11-29T05:01:00Z"^^xsd:dateTime } ;

### GeneratedGraph-run
# message: The article graph names a build run that is not described. This is a converter problem: report it to the KG team.
# data: runs
INSERT DATA { <graph/journal/2476-6879/article/A-10-968-1> prov:wasGeneratedBy <id/run/unknown> } ;

### GeneratedGraph-time
# message: The article graph has no generation time. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { ?g prov:generatedAtTime ?t } ;

### SoftwareAgent
# message: The software agent's identifier (IRI) does not have the form {base}/id/agent/{name-version}. This is a converter problem: report it to the KG team.
# data: runs
INSERT DATA { <urn:kg:0.1.0> a prov:SoftwareAgent ; rdfs:label "kg 0.1.0"@en } ;

### SoftwareAgent-label
# message: The software agent has no name. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { <id/agent/kg-0.1.0> rdfs:label ?l } ;

### Dataset
# message: The dataset's identifier (IRI) does not have the form {base}/id/dataset. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { <id/dataset> ?p ?o } ;
INSERT DATA { <id/kg> a void:Dataset, dcat:Dataset, schema:Dataset ; schema:name "kg"@en ; schema:description "Journal metadata."@en ; dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ; void:dataDump <dumps/2026-11-29/kg.nq.gz> ; void:uriSpace "https://data.example.org/id/" } ;

### Dataset-types
# message: The dataset is not described as void:Dataset, dcat:Dataset and schema:Dataset at once. This is a converter problem: report it to the KG team.
# data: runs
DELETE DATA { <id/dataset> a dcat:Dataset } ;

### Dataset-name
# message: The dataset has no name, or names that are not one per language (Persian, English); Google Dataset Search requires a name.
# data: runs
DELETE WHERE { <id/dataset> schema:name ?n } ;

### Dataset-description
# message: The dataset has no description, or descriptions that are not one per language; Google Dataset Search requires a description.
# data: runs
DELETE WHERE { <id/dataset> schema:description ?n } ;

### Dataset-license
# message: The dataset states no licence (as a link). Configure the licence of the published data.
# data: runs
DELETE WHERE { <id/dataset> dcterms:license ?n } ;

### Dataset-dump
# message: The dataset lists no downloadable dump. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { <id/dataset> void:dataDump ?n } ;

### Dataset-endpoint
# message: The dataset's SPARQL endpoint is not one {base}/sparql link. This is a converter problem: report it to the KG team.
# data: runs
INSERT DATA { <id/dataset> void:sparqlEndpoint <query> } ;

### Dataset-uriSpace
# message: The dataset's URI space is not one {base}/id/ prefix. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { <id/dataset> void:uriSpace ?n } ;
INSERT DATA { <id/dataset> void:uriSpace "https://data.example.org/" } ;

### Dataset-triples
# message: The dataset's triple count is not one whole number. This is a converter problem: report it to the KG team.
# data: runs
INSERT DATA { <id/dataset> void:triples "about 300" } ;

### Dataset-modified
# message: The dataset's modification date is not one date or date-time. This is a converter problem: report it to the KG team.
# data: runs
INSERT DATA { <id/dataset> dcterms:modified "yesterday" } ;

### Distribution-download
# message: A dump (distribution) has no single download URL. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { ?d dcat:downloadURL ?u } ;

### Distribution-mediaType
# message: A dump (distribution) does not give one IANA media type IRI. This is a converter problem: report it to the KG team.
# data: runs
DELETE WHERE { ?d dcat:mediaType ?u } ;
INSERT { ?d dcat:mediaType "application/n-quads" } WHERE { ?d dcat:downloadURL ?u } ;
