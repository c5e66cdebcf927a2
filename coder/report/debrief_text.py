"""The words of the peer-debriefing summary, in English and Dutch, and the summary as blocks.

`summary_blocks` writes the whole summary once, as headings, paragraphs, tables,
quotes, lists and a chart of plain text; `debrief_markdown` and `debrief_html` only
draw those blocks (and escape them), so the two formats say exactly the same thing.
Code and theme names are the codebook's own and are never translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from coder import __version__
from coder.report.debrief_data import QUOTES_PER_CELL, Debrief, Dispute
from coder.stats.agreement import (
    REASON_ALPHA_NO_VARIATION,
    REASON_ALPHA_POOLED,
    REASON_EVERY_UNIT,
    REASON_NO_VARIATION,
    REASON_ONE_CATEGORY,
    REASON_ONE_CODER_USED,
    REASON_TOO_FEW,
)
from coder.stats.presentation import ENGLISH, Reading, Wording, readings
from coder.storage.vocabulary import Pass

LANGUAGES = ("en", "nl")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Peer-debriefing summary",
        "made": "Made on {date} with coder {version}.",
        "glance": "The study at a glance",
        "transcripts": "Transcripts", "role": "Role",
        "participants": "Participants",
        "teacher": "teacher", "youth-care-worker": "youth-care worker", "mentor": "mentor",
        "interviewer": "interviewer",
        "coders": "Coders",
        "coder": "coder", "primary": "primary", "blind": "blind", "consensus": "consensus",
        "sample": "{assigned} of {a}'s {fragments} fragments were coded blind by {b}: {finished} finished"
                  " and {revealed} revealed before coding.",
        "drawn": "The sample was drawn at random with seed {seed}{strata}.",
        "drawn_many": "The sample was drawn at random in {count} draws, with seeds {seeds}{strata}.",
        "strata": ", per school type",
        "chosen": "The fragments for the blind pass were chosen by the team.",
        "interviews": "Interviews held from {first} to {last}.",
        "coded": "Coding done from {first} to {last}.",
        "agreement": "Agreement",
        "theme": "Theme", "code": "Code", "kappa": "Kappa", "interval": "95% interval",
        "observed": "Observed", "band": "Band", "n": "n", "overall": "Overall",
        "chart": "Kappa per {level} with its 95% interval",
        "method": (
            "Units are the fragments {a} marked in the primary coding that {b} coded blind,"
            " without seeing {a}'s codes ({units} units; {excluded} not (yet) coded by both and"
            " {revealed} revealed before coding are left out). For each {level} every unit is a pair"
            " (did {a} give it, did {b} give it){core}. Kappa is Cohen's (1960), with the"
            " large-sample standard error of Fleiss, Cohen & Everitt (1969) and the interval"
            " kappa ± 1.96·SE. {overall} Bands follow Landis & Koch (1977)."
        ),
        "core": "; a core element counts as its theme",
        "pseudonymised": "The data were pseudonymised before analysis: names of people, schools and places, e-mail"
                         " addresses and phone numbers were replaced by pseudonyms as the transcripts were imported,"
                         " with a key kept outside the study.",
        "overall_cohen": "Overall, every unit had one code from each coder, so kappa is computed over the codes.",
        "overall_pooled": (
            "Overall is the pooled kappa of De Vries et al. (2008), the 2×2 tables summed over the"
            " {levels}, with a 95% interval from a seeded bootstrap of 1,000 resamples."
        ),
        "level_theme": "theme", "level_code": "code", "levels_theme": "themes", "levels_code": "codes",
        "table": "Themes per school type",
        "table_intro": "Fragments (and distinct respondents speaking in them) in the final coding: the"
                       " consensus where a fragment was reviewed, {a}'s coding elsewhere.",
        "fragments": "fragments", "respondents": "respondents", "school_type": "School type",
        "themes": "Themes and quotes",
        "quote_rule": "At most {per} quotes per school type, from the final coding: fragments a coder"
                      " flagged as exemplary first, then fragments both coders coded the same in the"
                      " blind pass, then the longest.",
        "definition": "Definition",
        "no_quotes": "No fragments with this theme yet.",
        "why_exemplary": "flagged as exemplary", "why_agreed": "both coders agreed", "why_longest": "longest",
        "disputed": "What was disputed",
        "disputed_intro": "Every fragment {a} and {b} coded differently, with the decision taken in review.",
        "fragment": "Fragment", "decision": "Decision", "note": "Note",
        "segments": "segments {first}–{last}",
        "no_code": "no code", "revealed": "revealed",
        "keep_a": "kept {a}'s codes", "take_b": "took {b}'s codes", "both": "kept both",
        "neither": "neither: no code", "other": "another code", "undecided": "not decided yet",
        "adjusted": "boundaries adjusted",
        "by": "by {who}",
        "most_disputed": "Codes disputed most",
        "most_disputed_intro": "Times a code was given by one coder and not the other.",
        "flagged": "Memos for the debriefing",
        "questions": "Open questions",
        "source_memo": "memo", "source_decision": "review note", "source_no code": "note on “no code”",
        "none": "None.",
        **ENGLISH,
        "notes": "Notes",
        "pair": "This summary covers the coder pair {a} (first coder) and {b} (second coder).",
        "pairs": "The study has {count} coder pairs ({pairs}). The agreement, the review, the themes per school"
                 " type, the quotes and the disputed fragments here are those of {a} and {b}; the study at a"
                 " glance, the memos and the open questions cover the whole study. Another pair's summary:"
                 " coder export debrief --coders A,B.",
        "pair_names": "{first} and {second}",
        "review": "In the review, {decided} of the {ready} fragments ready for it were decided. Fragments whose"
                  " boundaries were adjusted (bijgesteld): {adjusted}; fragments {a} had missed, added in review"
                  " (aangevuld): {added}.",
        "unitizing": "Agreement on the fragments themselves: Krippendorff's αu {overall} (per {level}: {per}),"
                     " with each coder's own codings as character spans on the {documents} transcripts both"
                     " coded, interviewer turns left out (Krippendorff 2004, as DKPro Agreement computes it).",
        "u_alpha": "The uα family of Krippendorff et al. (2016): uα {u}, |uα {binary}, cuα {coded}.",
        "u_alpha_undefined": "The uα family of Krippendorff et al. (2016) is not defined on these spans;"
                             " coder agreement --mode unitizing says why.",
        "poor": "poor", "slight": "slight", "fair": "fair", "moderate": "moderate",
        "substantial": "substantial", "almost perfect": "almost perfect",
        "unknown": "unknown",
    },
    "nl": {
        "title": "Samenvatting voor de peer-debriefing",
        "made": "Gemaakt op {date} met coder {version}.",
        "glance": "De studie in één oogopslag",
        "transcripts": "Transcripten", "role": "Rol",
        "participants": "Deelnemers",
        "teacher": "leerkracht", "youth-care-worker": "jeugdhulpverlener", "mentor": "mentor",
        "interviewer": "interviewer",
        "coders": "Codeurs",
        "coder": "codeur", "primary": "primair", "blind": "blind", "consensus": "consensus",
        "sample": "{assigned} van de {fragments} fragmenten van {a} zijn blind gecodeerd door {b}:"
                  " {finished} afgerond en {revealed} bekeken vóór het coderen.",
        "drawn": "De steekproef is aselect getrokken met seed {seed}{strata}.",
        "drawn_many": "De steekproef is in {count} trekkingen aselect getrokken, met seeds {seeds}{strata}.",
        "strata": ", per schooltype",
        "chosen": "De fragmenten voor de blinde ronde zijn door het team gekozen.",
        "interviews": "Interviews gehouden van {first} tot en met {last}.",
        "coded": "Gecodeerd van {first} tot en met {last}.",
        "agreement": "Overeenstemming",
        "theme": "Thema", "code": "Code", "kappa": "Kappa", "interval": "95%-interval",
        "observed": "Waargenomen", "band": "Oordeel", "n": "n", "overall": "Totaal",
        "chart": "Kappa per {level} met 95%-interval",
        "method": (
            "De eenheden zijn de fragmenten die {a} in de primaire codering afbakende en die {b}"
            " blind codeerde, zonder de codes van {a} te zien ({units} eenheden; {excluded} nog niet"
            " door beiden gecodeerd en {revealed} vóór het coderen bekeken zijn weggelaten). Per"
            " {level} is elke eenheid een paar (gaf {a} het, gaf {b} het){core}. Kappa is die van"
            " Cohen (1960), met de standaardfout van Fleiss, Cohen & Everitt (1969) en het interval"
            " kappa ± 1,96·SE. {overall} De oordelen volgen Landis & Koch (1977)."
        ),
        "core": "; een kernelement telt mee voor zijn thema",
        "pseudonymised": "De gegevens zijn vóór de analyse gepseudonimiseerd: namen van personen, scholen en plaatsen,"
                         " e-mailadressen en telefoonnummers zijn bij het importeren van de transcripten door"
                         " pseudoniemen vervangen, met een sleutel die buiten de studie wordt bewaard.",
        "overall_cohen": "Totaal: elke eenheid had één code van elke codeur, dus kappa is over de codes berekend.",
        "overall_pooled": (
            "Totaal is de gepoolde kappa van De Vries e.a. (2008), met de 2×2-tabellen opgeteld over"
            " de {levels}, en een 95%-interval uit een bootstrap met vaste seed en 1.000 trekkingen."
        ),
        "level_theme": "thema", "level_code": "code", "levels_theme": "thema's", "levels_code": "codes",
        "table": "Thema's per schooltype",
        "table_intro": "Fragmenten (en verschillende respondenten die erin spreken) in de eindcodering:"
                       " de consensus waar een fragment besproken is, elders de codering van {a}.",
        "fragments": "fragmenten", "respondents": "respondenten", "school_type": "Schooltype",
        "themes": "Thema's en citaten",
        "quote_rule": "Hoogstens {per} citaten per schooltype, uit de eindcodering: eerst fragmenten die"
                      " een codeur als voorbeeld markeerde, dan fragmenten die beide codeurs in de"
                      " blinde ronde hetzelfde codeerden, dan de langste.",
        "definition": "Definitie",
        "no_quotes": "Nog geen fragmenten met dit thema.",
        "why_exemplary": "als voorbeeld gemarkeerd", "why_agreed": "beide codeurs eens", "why_longest": "langste",
        "disputed": "Waarover de codeurs verschilden",
        "disputed_intro": "Elk fragment dat {a} en {b} verschillend codeerden, met het besluit uit de bespreking.",
        "fragment": "Fragment", "decision": "Besluit", "note": "Toelichting",
        "segments": "segmenten {first}–{last}",
        "no_code": "geen code", "revealed": "bekeken",
        "keep_a": "codes van {a} behouden", "take_b": "codes van {b} overgenomen", "both": "beide behouden",
        "neither": "geen van beide: geen code", "other": "een andere code", "undecided": "nog niet besloten",
        "adjusted": "bijgesteld",
        "by": "door {who}",
        "most_disputed": "Meest besproken codes",
        "most_disputed_intro": "Hoe vaak een code door de ene codeur wel en de andere niet is gegeven.",
        "flagged": "Memo's voor de debriefing",
        "questions": "Open vragen",
        "source_memo": "memo", "source_decision": "toelichting bij besluit", "source_no code": "toelichting bij “geen code”",
        "none": "Geen.",
        "undefined": "niet gedefinieerd: {reason}",
        "clipped": "interval afgekapt op [−1, 1]",
        "prevalence": "hoge overeenstemming maar lage kappa (een zeldzame of bijna altijd gegeven code):"
                      " PABAK {pabak}, AC1 {ac1}",
        "caution": "Let op: er zijn maar {units} eenheden vergeleken; bij minder dan {least} verschuift één"
                   " eenheid de kappa flink en is het interval onbetrouwbaar.",
        "beside": "PABAK {pabak} · AC1 {ac1} · Krippendorffs alfa {alpha}",
        "mean": "Gemiddelde van de gedefinieerde kappa's per {level} {mean}",
        "alpha_missing": "— ({reason})",
        REASON_TOO_FEW: "minder dan twee eenheden",
        REASON_NO_VARIATION: "elke eenheid door beiden hetzelfde beoordeeld",
        REASON_ONE_CODER_USED: "maar één codeur gebruikte hem",
        REASON_EVERY_UNIT: "één codeur gaf hem aan elke eenheid",
        REASON_ONE_CATEGORY: "één codeur gaf elke eenheid dezelfde code",
        REASON_ALPHA_POOLED: "niet gedefinieerd voor gepoolde tabellen",
        REASON_ALPHA_NO_VARIATION: "geen variatie in de oordelen",
        "notes": "Opmerkingen",
        "pair": "Deze samenvatting gaat over het codeurspaar {a} (eerste codeur) en {b} (tweede codeur).",
        "pairs": "De studie heeft {count} codeursparen ({pairs}). De overeenstemming, de bespreking, de thema's"
                 " per schooltype, de citaten en de fragmenten waarover verschil was, zijn hier die van {a} en"
                 " {b}; de studie in één oogopslag, de memo's en de open vragen gaan over de hele studie. De"
                 " samenvatting van een ander paar: coder export debrief --coders A,B.",
        "pair_names": "{first} en {second}",
        "review": "In de bespreking is over {decided} van de {ready} fragmenten die klaar waren besloten."
                  " Fragmenten met bijgestelde grenzen: {adjusted}; fragmenten die {a} had gemist, aangevuld in"
                  " de bespreking: {added}.",
        "unitizing": "Overeenstemming over de fragmenten zelf: Krippendorffs αu {overall} (per {level}: {per}),"
                     " met de eigen coderingen van elke codeur als tekenreeksen op de {documents} transcripten"
                     " die beiden codeerden, zonder de beurten van de interviewer (Krippendorff 2004, zoals"
                     " DKPro Agreement hem berekent).",
        "u_alpha": "De uα-familie van Krippendorff e.a. (2016): uα {u}, |uα {binary}, cuα {coded}.",
        "u_alpha_undefined": "De uα-familie van Krippendorff e.a. (2016) is op deze fragmenten niet gedefinieerd;"
                             " coder agreement --mode unitizing zegt waarom.",
        "poor": "slecht", "slight": "gering", "fair": "redelijk", "moderate": "matig",
        "substantial": "substantieel", "almost perfect": "bijna perfect",
        "unknown": "onbekend",
    },
}


class Words:
    """The summary's labels in one language, and its number and date formats."""

    def __init__(self, lang: str, debrief: Debrief) -> None:
        self.lang = lang
        self.labels = LABELS[lang]
        self.debrief = debrief
        self.a, self.b = debrief.coders
        self.wording = Wording(self.labels, "," if lang == "nl" else ".")

    def __call__(self, key: str, **values: object) -> str:
        return self.labels[key].format(a=self.a, b=self.b, **values)

    def number(self, value: float | None) -> str:
        return self.wording.number(value)

    def interval(self, row: Reading) -> str:
        return self.wording.interval(row, "{low} – {high}")

    def band(self, row: Reading) -> str:
        return self.wording.band(row, self.labels)

    def level(self) -> str:
        return self(f"level_{self.debrief.level}")

    def method(self) -> str:
        report = self.debrief.report
        overall = (self("overall_cohen") if report.method == "cohen"
                   else self("overall_pooled", levels=self(f"levels_{self.debrief.level}")))
        method = self("method", units=report.units, excluded=report.excluded, revealed=report.revealed,
                      level=self.level(), core=self("core") if self.debrief.level == "theme" else "",
                      overall=overall)
        return f"{method} {self('pseudonymised')}" if self.debrief.pseudonymised else method

    def quote_rule(self) -> str:
        return self("quote_rule", per=QUOTES_PER_CELL)

    def sample(self) -> list[str]:
        sample = self.debrief.glance.sample
        lines = [self("sample", assigned=sample.assigned, fragments=sample.fragments,
                      finished=sample.finished, revealed=sample.revealed)]
        strata = self("strata") if any(draw.stratified for draw in sample.draws) else ""
        if len(sample.draws) == 1:
            lines.append(self("drawn", seed=sample.draws[0].seed, strata=strata))
        elif sample.draws:
            seeds = ", ".join(str(draw.seed) for draw in sample.draws)
            lines.append(self("drawn_many", count=len(sample.draws), seeds=seeds, strata=strata))
        elif sample.assigned:
            lines.append(self("chosen"))
        return lines

    def dates(self) -> list[str]:
        glance = self.debrief.glance
        lines = []
        if glance.interview_dates:
            lines.append(self("interviews", first=glance.interview_dates[0], last=glance.interview_dates[1]))
        if glance.coding_dates:
            first, last = (moment.date().isoformat() for moment in glance.coding_dates)
            lines.append(self("coded", first=first, last=last))
        return lines

    def decision(self, dispute: Dispute) -> str:
        """What was decided, with the consensus codes: "kept anna's codes → mutual-trust"."""
        if dispute.decision is None:
            return self("undecided")
        text = self(dispute.decision)
        codes = ", ".join(dispute.decided_codes) or self("no_code")
        text = f"{text} → {codes}"
        if dispute.adjusted:
            text += f" ({self('adjusted')})"
        return f"{text}, {self('by', who=dispute.decided_by)}"

    def codes(self, codes: tuple[str, ...], revealed: bool = False) -> str:
        text = ", ".join(codes) or self("no_code")
        return f"{text} ({self('revealed')})" if revealed else text

    def speaker(self, quote) -> str:
        roles = ", ".join(self.labels.get(role, role) for role in quote.role.split("+") if role)
        return f"{quote.speaker} ({roles}), {quote.transcript}"

    def rows(self) -> list[Reading]:
        """The agreement table's rows: each theme or code by its codebook name, then overall."""
        return readings(self.debrief.report, self.debrief.code_names, self("overall"))

    def pair(self) -> str:
        """Which coder pair the summary covers, and, where there are more, what covers the whole study."""
        d = self.debrief
        text = self("pair")
        if len(d.pairs) > 1:
            names = ", ".join(self("pair_names", first=first, second=second) for first, second in d.pairs)
            text += " " + self("pairs", count=len(d.pairs), pairs=names)
        return text

    def figures(self) -> list[str]:
        """What stands beside the table: the caution for few units, the overall figures, the review."""
        d = self.debrief
        caution = self.wording.caution(d.report.units)
        review = self("review", decided=d.review.decided, ready=d.review.ready, adjusted=d.review.adjusted,
                      added=d.review.added)
        return [*([caution] if caution else []), self.wording.beside(d.report, self.level()) + ".", review]

    def unitizing(self) -> list[str]:
        """Agreement on the fragments themselves, when both coders coded some transcript."""
        result = self.debrief.unitizing
        if result is None:
            return []
        per = ", ".join(f"{self.debrief.code_names.get(code, code)} {self.number(figures.alpha)}"
                        for code, figures in result.alpha_u.codes.items())
        family = result.u_alpha
        values = (family.u_alpha.value, family.binary_u_alpha.value, family.c_u_alpha.value)
        second = (self("u_alpha_undefined") if all(value is None for value in values)
                  else self("u_alpha", u=self.number(values[0]), binary=self.number(values[1]), coded=self.number(values[2])))
        return [self("unitizing", overall=self.number(result.alpha_u.overall), level=self.level(), per=per,
                     documents=len(result.data.documents)), second]


# --- the summary as a sequence of blocks, the same for every format --------------------------

@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    lead: str = ""  # a label set in italics before the text, e.g. "Definition:"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-aligned columns


@dataclass(frozen=True)
class Quote:
    text: str
    source: str


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    """Kappa per theme or code with its interval: (name, kappa, low, high); HTML draws it."""

    title: str
    rows: tuple[tuple[str, float | None, float | None, float | None], ...]


Block = Heading | Para | Table | Quote | Items | Chart


def _table(header: list[str], rows: list[list[object]], numeric: list[bool]) -> Table:
    return Table(tuple(header), tuple(tuple(str(cell) for cell in row) for row in rows), tuple(numeric))


def _glance(w: Words) -> list[Block]:
    status = w.debrief.glance.status
    counts = {(c.coder, c.pass_): c.codings for c in status.codings}
    passes = tuple(Pass)
    return [
        Heading(2, w("glance")),
        _table([w("school_type"), w("transcripts")], [[k, v] for k, v in status.transcripts_by_school_type.items()],
               [False, True]),
        _table([w("role"), w("participants")], [[w.labels.get(k, k), v] for k, v in status.participants_by_role.items()],
               [False, True]),
        _table([w("coders"), *(w(p) for p in passes)],
               [[c, *(counts.get((c, p), 0) for p in passes)] for c in sorted({c.coder for c in status.codings})],
               [False, True, True, True]),
        Para(" ".join(w.sample() + w.dates())),
    ]


def _agreement(w: Words) -> list[Block]:
    rows = w.rows()
    return [
        Heading(2, w("agreement")),
        _table([w("theme") if w.debrief.level == "theme" else w("code"), w("kappa"), w("interval"), w("observed"),
                w("band"), w("n"), w("notes")],
               [[r.name, w.number(r.stats.kappa), w.interval(r), w.number(r.stats.observed), w.band(r), r.n,
                 w.wording.notes(r)] for r in rows],
               [False, True, True, True, False, True, False]),
        Chart(w("chart", level=w.level()),
              tuple((r.name, r.stats.kappa, *(r.interval or (None, None))) for r in rows)),
        Para(" ".join(w.figures())),
        Para(w.method()),
        *([Para(" ".join(w.unitizing()))] if w.debrief.unitizing else []),
    ]


def _themes(w: Words) -> list[Block]:
    d = w.debrief
    blocks: list[Block] = [
        Heading(2, w("table")), Para(w("table_intro")),
        _table([w("theme"), *d.school_types],
               [[d.code_names[theme], *(f"{f} ({r})" for f, r in (by_type[st] for st in d.school_types))]
                for theme, by_type in d.table.items()],
               [False, *[True] * len(d.school_types)]),
        Para(f"{w('fragments')} ({w('respondents')})"),
        Heading(2, w("themes")), Para(w.quote_rule()),
    ]
    for section in d.themes:
        blocks += [Heading(3, section.name), Para(section.definition, lead=w("definition"))]
        if not section.quotes:
            blocks.append(Para(w("no_quotes")))
        for school_type, quotes in section.quotes.items():
            blocks.append(Heading(4, school_type))
            blocks += [Quote(q.text, f"{w.speaker(q)}; {', '.join(q.codes)} ({w('why_' + q.why)})") for q in quotes]
    return blocks


def _disputes(w: Words) -> list[Block]:
    d = w.debrief
    blocks: list[Block] = [Heading(2, w("disputed")), Para(w("disputed_intro"))]
    if not d.disputes:
        return blocks + [Para(w("none"))]
    blocks.append(_table(
        [w("fragment"), w.a, w.b, w("decision"), w("note")],
        [[f"{x.transcript}, {w('segments', first=x.first + 1, last=x.last + 1)}: “{x.text}”", w.codes(x.a_codes),
          w.codes(x.b_codes, x.revealed), w.decision(x), x.note] for x in d.disputes],
        [False] * 5,
    ))
    return blocks + [
        Heading(3, w("most_disputed")), Para(w("most_disputed_intro")),
        _table([w("code"), "n"], [[code, n] for code, n in d.most_disputed], [False, True]),
    ]


def _notes(w: Words) -> list[Block]:
    blocks: list[Block] = []
    for key, notes in (("flagged", w.debrief.flagged), ("questions", w.debrief.questions)):
        items = tuple(f"{n.text} ({w('source_' + n.source)}, {n.author}, {n.transcript})" for n in notes)
        blocks += [Heading(2, w(key)), Items(items) if items else Para(w("none"))]
    return blocks


def summary_blocks(debrief: Debrief, lang: str) -> list[Block]:
    """The whole summary, in order: what both renderers draw."""
    w = Words(lang, debrief)
    return [
        Heading(1, w("title")),
        Para(w("made", date=debrief.generated_at.date().isoformat(), version=__version__)),
        Para(w.pair()),
        *_glance(w), *_agreement(w), *_themes(w), *_disputes(w), *_notes(w),
    ]
