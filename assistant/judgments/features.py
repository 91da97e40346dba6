"""Explainable features of a goal draft or a feedback line: named patterns whose matches can be quoted.

Each learned judgment (see :mod:`assistant.judgments.model`) reads the text's embedding plus these
features. A feature is a yes/no signal with the words that raised it, so the "why" shown to a
participant quotes the draft instead of a bare probability. The patterns are deliberately plain
(dates, numbers, tools, verbs, hedges, "always/never"); the weights that combine them are learned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})

_MAY = "|".join(rf"(?<=\b{word} )may" for word in ("in", "by", "of", "end", "mid", "early", "late", "before", "until"))
MONTH = (
    rf"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|{_MAY}"
    r"|may(?= \d)|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|a dozen|dozen)"
)
NUM = rf"(?:\d+(?:[.,]\d+)?k?|{NUMBER_WORD})"
PERIOD_UNIT = r"(?:days?|weeks?|weekends?|fortnights?|months?|years?|quarters?|sprints?|semesters?|terms?)"
EVENT = (
    r"(?:session|review|appraisal|meeting|audit|presentation|launch|conference|workshop|deadline|all-hands|offsite|"
    r"kick-?off|retreat|holidays?|break|trip|cohort|program(?:me)?|course|exam|pitch|demo|go-?live|rollout|"
    r"roll-out|event|summit|board|migration|cutover|handover|reorg|merger|audit|inspection|season|fair|"
    r"year-end|month-end|quarter-end|retirement|peak|semester|hols|restructure|sim check|exams?|"
    r"open day|trade show|expo|kick-?off|sprint|release|deployment|switchover|upgrade)"
)
TIME_WORD = (
    rf"(?:{MONTH}|{WEEKDAY}|q[1-4]|h[12]|summer|winter|spring|autumn|fall|christmas|easter|new year|tomorrow|tonight|"
    rf"today|week|weekend|month|quarter|year|term|mid-?point|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+(?:of\s+)?{MONTH})?\b|\d{{4}}\b|"
    rf"{EVENT})"
)


@dataclass(frozen=True)
class Match:
    feature: str
    start: int
    end: int


@dataclass(frozen=True)
class Feature:
    """One named signal; ``find`` returns the spans that raise it (empty when it does not fire)."""

    name: str
    find: Callable[[str], list[tuple[int, int]]]
    reason: str


def plain(text: str) -> str:
    """Typographic quotes and dashes as ASCII, same length, so offsets still index the original."""
    return text.translate(_PLAIN)


def regex_finder(pattern: str, flags: int = re.IGNORECASE) -> Callable[[str], list[tuple[int, int]]]:
    compiled = re.compile(pattern, flags)
    return lambda text: [m.span() for m in compiled.finditer(text) if m.end() > m.start()]


def _words(words: str, suffix: str = r"(?:s|es|ed|d|ing)?") -> str:
    return r"\b(?:" + "|".join(w.replace(" ", r"\s+") for w in words.split("|")) + rf"){suffix}\b"


def _outside_quotes(find: Callable[[str], list[tuple[int, int]]]) -> Callable[[str], list[tuple[int, int]]]:
    """Ignore matches inside quoted speech: the other person's own words are not the speaker's claim."""

    def run(text: str) -> list[tuple[int, int]]:
        quoted = [m.span() for m in QUOTED.finditer(text)]
        return [(s, e) for s, e in find(text) if not any(qs <= s and e <= qe for qs, qe in quoted)]

    return run


QUOTED = re.compile(r"\"[^\"]{2,200}\"|(?<!\w)'[^']{2,200}'(?!\w)")

TOOLS = (
    r"excel|power ?bi|powerpoint|power automate|power apps|outlook|word|onenote|one ?drive|sharepoint|teams|"
    r"slack|zoom|webex|google (?:meet|sheets|docs|drive|calendar|analytics)|gmail|copilot|chat ?gpt|gpt|gemini|"
    r"claude|midjourney|dall-?e|canva|figma|miro|mural|trello|asana|jira|confluence|notion|monday\.com|"
    r"salesforce|hubspot|sap|workday|tableau|looker|python|sql|r studio|vba|macros?|pivot ?tables?|vlookup|"
    r"xlookup|linkedin|instagram|tiktok|facebook|youtube|twitter|x\.com|whatsapp|threads|snapchat|pinterest|"
    r"wordpress|shopify|mailchimp|loom|calendly|doodle|dropbox|github|git|kahoot|mentimeter|slido|yammer|viva|"
    r"planner|forms|sway|clipchamp|capcut|photoshop|lightroom|premiere|imovie|qr codes?|two-factor|2fa|mfa|"
    r"password manager|vpn|cloud|crm|erp|intranet|wiki|chatbot|ai assistant|spreadsheets?|dashboards?|"
    r"podcasts?|newsletters?|hashtags?|live captions?|breakout rooms?|screen ?shar\w*|video calls?|webinars?|"
    r"e-?signatures?|docusign|adobe|acrobat|pdf|keyboard shortcuts?|smartphone|tablet|ipad|iphone|android|"
    r"ai tools?|prompts?|prompting|automation|workflows?|templates?|blog|vlog|reels|stories|emails?|inbox"
)
GENERIC_TECH = (
    r"tech|technology|technologies|digital|computers?|the internet|online stuff|apps|new tools|some tools|"
    r"software|gadgets|devices|it skills|digital skills|social media stuff|new things|modern stuff|ai stuff|"
    r"stuff|things|the basics|new apps|tools"
)
DELIVERABLE_NOUN = (
    r"dashboards?|templates?|videos?|reports?|presentations?|decks?|checklists?|guides?|posts?|articles?|"
    r"newsletters?|spreadsheets?|workbooks?|macros?|websites?|pages?|channels?|summar(?:y|ies)|tutorials?|"
    r"podcasts?|documents?|forms?|surveys?|polls?|prototypes?|chatbots?|bots?|workflows?|automations?|flows?|"
    r"scripts?|trackers?|agendas?|portfolios?|demos?|maps?|boards?|webinars?|blogs?|reels?|handbooks?|manuals?|"
    r"faqs?|wikis?|databases?|certificates?|certifications?|profiles?|quiz(?:zes)?|model|playbooks?|"
    r"one-pagers?|case studies|case study|recordings?|episodes?|apps?|sites?|calendars?|folders?|lists?|plans?"
)
ACTION_VERBS = (
    "build|create|make|write|post|publish|record|film|run|host|share|set up|automate|replace|schedule|edit|"
    "design|summarise|summarize|send|present|draft|organise|organize|migrate|move|convert|clean up|analyse|"
    "analyze|track|upload|configure|install|prepare|produce|launch|facilitate|moderate|chair|show|teach|train|"
    "demo|invite|collect|digitise|digitize|scan|back up|enable|turn on|caption|transcribe|visualise|visualize|"
    "merge|format|filter|calculate|forecast|code|fix|test|switch|add|map|delegate|archive|reply|answer|use|"
    "complete|finish|pass|submit|deliver|lead|coach|mentor|interview|reduce|cut|save|respond|join|attend"
)
LEARNING = (
    "learn|understand|get better|get more comfortable|become more comfortable|be more comfortable|feel more|"
    "feel comfortable|feel confident|improve|know more|study|master|explore|familiari[sz]e|get familiar|"
    "get to know|brush up|keep up|get into|catch up|be better|be more|become better|become more|get used to|"
    "develop|enhance|upskill|level up|get to grips with|get my head around|read up on|pick up|get the hang of|"
    "play with|playing with|look into|dig into|get across|figure out|know about|be able to|be at ease|be less"
)
# The draft opens with learning or with an outcome, after "I want to", "my goal is to", "- " and the like.
_LEAD = (
    r"^\W*(?:(?:i|we)\s+(?:really\s+)?(?:want|would like|'d like|wanna|hope|plan|intend|aim|need|will|must|should)"
    r"\s+(?:to\s+)?|(?:my\s+)?goal\s*(?:is\s+to|:)\s*|to\s+|i\s+will\s+)?"
)
LEAD_LEARNING = _LEAD + _words(LEARNING).removeprefix(r"\b")
LEAD_ACTION = _LEAD + _words(
    ACTION_VERBS + "|repair|declutter|introduce|do|have|put|move|host|fly|stop|start|ask|take"
).removeprefix(r"\b")
VAGUE_MEASURE = (
    r"\b(?:the basics|basics|properly|better|more comfortable|more confident|more familiar|comfortable|confident|"
    r"familiar|fluent|master|mastery|expert|a pro|good at|improve\w*|enhance\w*|more about|get the hang|some)\b"
)
OVER_AMBITION = (
    r"\b(?:perfect(?:ly)?|flawless(?:ly)?|completely|fluent(?:ly)?|native-level|master (?:every|all)|"
    r"(?:every|all|any) (?:\w+ ){0,2}(?:tools?|apps?|platforms?|software|programs?|technolog(?:y|ies)|systems?|"
    r"languages?|features?)|(?:absolutely )?everything|expert in|world-?class|top (?:1|one)|number one|"
    r"viral|famous|influencer|millions?|replace (?:the|our) (?:whole|entire)|(?:whole|entire) (?:system|crm|erp|"
    r"platform|website)|by myself from scratch|single-?handedly|never again|phd|full-?stack)\b"
)
BIG_NUMBER = r"\b(?:\d{3,}(?:[.,]\d{3})*|\d+k|\d+ ?%|hundreds|thousands|millions?|fifty|forty|thirty|twenty)\b"
SHORT_PERIOD = (
    rf"\b(?:today|tomorrow|tonight|(?:this|next|one|a|in a|within a|in one) (?:week|weekend|day|afternoon)|by "
    rf"{WEEKDAY}|(?:in|within) (?:\d|one|two|three|a few) days|overnight|(?:in|within) (?:an|one|\d) hours?|"
    rf"by end of (?:the )?(?:day|week)|end of (?:the|this) week|by the weekend|over the weekend)\b"
)
HOBBY = (
    r"\b(?:marathons?|half-marathon|running|run a|jog\w*|gym|fitness|weight|kilos?|kg|lose \d+|yoga|pilates|"
    r"swim\w*|cycl\w*|bike|tennis|golf|football|ski\w*|hik\w*|climb\w*|bak\w*|cook\w*|recipes?|sourdough|"
    r"bread|cakes?|knit\w*|crochet|sew\w*|paint(?:ing)? (?:my|the|our) (?:house|kitchen|walls?|fence)|watercolou?r|"
    r"guitar|piano|violin|ukulele|drums|sing\w*|choir|garden\w*|allotment|vegetables|holiday|vacation|"
    r"italian|spanish|french|japanese|portuguese|greek|mandarin|duolingo|renovat\w*|diy|bathroom|kitchen|"
    r"chess|crossword|sudoku|fishing|birdwatching|photography|wedding|grandchildren|grandkids|family tree|"
    r"dog|puppy|cat|horse|sailing|dance|dancing|salsa|novel|poetry|meditat\w*|sleep|diet|smoking)\b"
)
WORK_LINK = (
    r"\b(?:team|team's|colleagues?|co-?workers?|department|clients?|customers?|stakeholders?|suppliers?|company|"
    r"organi[sz]ation|business|brand|direct reports|staff|manager|boss|employees?|patients?|students?|pupils|"
    r"ward|shift|site|plant|warehouse|store|branch|office|firm|practice|project|projects|role|job|work|"
    r"meetings?|mentee|mentor|program(?:me)?|sessions?|review|audit|sales|reports?|career|promotion|interview|"
    r"board|partners?|vendors?|tenders?|contracts?|cases?|invoices?|budget|forecast|payroll|onboarding|hr)\b"
)
DIGITAL_TOPIC = (
    rf"\b(?:{TOOLS}|{GENERIC_TECH}|ai|online|virtual|remote|hybrid|video|social media|posts?|post|feed|followers|"
    r"app|platform|data|cyber\w*|phishing|passwords?|privacy|trends?|gen z|tiktok)\b"
)
PERSONAL = (
    r"\b(?:my (?:wife|husband|kids|children|son|daughter|family|partner|grandchildren)|at home|personal|hobby|"
    r"for fun|in my free time|weekends?)\b"
)

TIME_FRAME = (
    rf"\b(?:by|before|until|till|no later than|due|ahead of|in time for)\s+(?:(?:the|our|my|this|next|end|of|"
    rf"early|mid|late|new|first|final|closing|last|annual|quarterly|team|team's|performance|[a-z]+'s)\s+){{0,5}}"
    rf"{TIME_WORD}"
    rf"|\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?:{MONTH}|q[1-4]|month|year|quarter|week|term|program(?:me)?|cohort|"
    rf"mentoring|pilot|project|{EVENT})"
    rf"|\b(?:within|in|over|for|during)\s+(?:the\s+)?(?:next\s+|coming\s+|first\s+)?(?:{NUM}|a|an|one)\s+{PERIOD_UNIT}\b"
    rf"|\b(?:in|over|for|during)\s+the\s+(?:next|coming)\s+{PERIOD_UNIT}\b"
    rf"|\b(?:this|next|coming)\s+(?:week|weekend|month|quarter|year|term|summer|autumn|spring|winter|fall|semester|"
    rf"{MONTH}|{WEEKDAY})\b"
    rf"|\b(?:today|tomorrow|tonight|next\s+{WEEKDAY}|this\s+{WEEKDAY})\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b|\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b(?:in|by|before|until|during|end of|mid|early|late)\s+(?:-\s*)?(?:{MONTH}|q[1-4]|h[12]|20\d\d)\b"
    rf"|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b|\b20\d\d-\d\d-\d\d\b"
    rf"|\b(?:before|after|once|when)\s+(?:the|our|my|we)\s+(?:\w+\s+){{0,3}}(?:ends?|starts?|begins?|goes live|"
    rf"launch\w*|finish\w*|close\w*|wrap\w*|is over)"
    rf"|\b(?:next|my next|our next|the next|this (?:year's|month's|quarter's))\s+(?:\w+\s+){{0,2}}"
    rf"(?:{EVENT}|call|meeting)\b"
    rf"|\b(?:before|b4|ahead of|in time for)\s+(?:the|my|our|we|i|it|they|this|next|end|go-?live|launch)\b"
    rf"|\bfy\s?'?\d{{2,4}}\b"
    rf"|\b(?:over|during)\s+(?:the\s+)?(?:summer|winter|spring|autumn|holidays?|hols|break|weekend)\b"
    rf"|\b(?:in|within)\s+(?:a|one|the)\s+(?:single\s+)?(?:afternoon|morning|evening|day|night|sitting)\b"
    rf"|\bafter\s+{NUM}\s+{PERIOD_UNIT}\b|\buntil\s+the\s+end\b"
)
VAGUE_TIME = (
    r"\b(?:someday|some day|one day|eventually|soon|sooner or later|at some point|in the future|some time|"
    r"sometime|when i have time|when i can|asap)\b"
)
FREQUENCY = (
    rf"\b(?:every|each|per|once a|twice a|{NUM}\s+times?\s+(?:a|per|each|every))\s+(?:other\s+|single\s+)?"
    rf"(?:day|week|fortnight|month|quarter|morning|weekday|working day|{WEEKDAY}|meeting|session|call|sprint)s?\b"
    r"|\b(?:daily|weekly|monthly|fortnightly)\b"
)
COUNT = (
    rf"\b(?:at least\s+|up to\s+|no more than\s+)?{NUM}(?:\s+|-)(?!(?:{PERIOD_UNIT}|hours?|minutes?|times?|{MONTH}|"
    rf"learn|b|be|do|go|get|use|make)\b)"
    r"(?:[\w-]+\s+){0,2}[\w-]+"
)
DELIVERABLE = (
    rf"\b(?:a|an|one|my first|a first|our first|the first|my own|a working|a short|a simple)\s+(?:[\w'-]+\s+){{0,3}}"
    rf"(?:{DELIVERABLE_NOUN})\b"
)
COMPLETION = (
    r"\b(?:finish\w*|complet\w*|pass\w*|get certified|certificat\w*|submit\w*|publish\w*|launch\w*|present\w*|"
    r"deliver\w*|go live|roll(?:ed)? out|share (?:it|them) with|hand in|sign(?:ed)? off|without (?:asking|help|"
    r"any help|assistance|looking|calling|my pa|needing)|on my own|by myself|independently|unaided)\b"
)

PURPOSE = r"\b(?:so that|so (?:i|we) can|in order to|because|to help|to support)\b"

GOAL_FEATURES: tuple[Feature, ...] = (
    Feature("named_tool", regex_finder(rf"\b(?:{TOOLS})\b"), "names a concrete tool or platform"),
    Feature("generic_tech", regex_finder(rf"\b(?:{GENERIC_TECH})\b"), "speaks of technology in general"),
    Feature("action_verb", regex_finder(_words(ACTION_VERBS)), "names an action to take"),
    Feature("learning_verb", regex_finder(_words(LEARNING)), "is about learning or improving, not an outcome"),
    Feature("lead_learning", regex_finder(LEAD_LEARNING), "opens with learning rather than an outcome"),
    Feature("lead_action", regex_finder(LEAD_ACTION), "opens with an action"),
    Feature("proper_noun", regex_finder(r"(?<=[a-z,] )[A-Z][\w+.-]*[A-Za-z]", 0), "names something specific"),
    Feature("count", regex_finder(COUNT), "gives a number to check"),
    Feature("percent", regex_finder(rf"{NUM}\s*(?:%|per ?cent)"), "gives a number to check"),
    Feature("deliverable", regex_finder(DELIVERABLE), "names a deliverable that either exists or not"),
    Feature("completion", regex_finder(COMPLETION), "names an observable completion"),
    Feature("frequency", regex_finder(FREQUENCY), "sets a frequency that can be checked"),
    Feature("vague_measure", regex_finder(VAGUE_MEASURE), "describes a feeling or level nobody can check"),
    Feature("time_frame", regex_finder(TIME_FRAME), "sets a deadline or a time frame"),
    Feature("vague_time", regex_finder(VAGUE_TIME), "puts it off without a date"),
    Feature("over_ambition", regex_finder(OVER_AMBITION), "sets an absolute standard or an unbounded scope"),
    Feature("big_number", regex_finder(BIG_NUMBER), "asks for a large amount"),
    Feature("short_period", regex_finder(SHORT_PERIOD), "allows very little time"),
    Feature("hobby", regex_finder(HOBBY), "is about a hobby or private life"),
    Feature("work_link", regex_finder(WORK_LINK), "ties the goal to work"),
    Feature("digital_topic", regex_finder(DIGITAL_TOPIC), "is about digital tools or online communication"),
    Feature("personal", regex_finder(PERSONAL), "is set in private life"),
    Feature("purpose", regex_finder(PURPOSE), "states a purpose"),
)

EVENT_TIME = (
    rf"\b(?:(?:on|last|this|during|in|at|from)\s+(?:the\s+)?)?{WEEKDAY}(?:'s)?(?:\s+(?:[\w-]+\s+)?(?:morning|"
    rf"afternoon|evening|night|{EVENT}|call|stand-?up|standup|huddle|sync|one-to-one|1:1|catch-?up|briefing|"
    rf"handover|round|shift|class|lesson))?\b"
    rf"|\b(?:earlier\s+)?today|\byesterday|\bthis\s+(?:morning|afternoon|evening)|\btonight|\bjust\s+now\b"
    rf"|\blast\s+(?:night|week|month|time|year|quarter|shift|friday|monday)"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b|\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b(?:in|at|during|on|after|before)\s+(?:the|this|that|your|our|today's|yesterday's|last|this morning's|"
    rf"last week's|[a-z]+day's)\s+(?:\w+\s+){{0,2}}(?:{EVENT}|call|stand-?up|standup|town ?hall|huddle|sync|"
    rf"one-to-one|1:1|catch-?up|briefing|handover|round|shift|lesson|class|interview|webinar|training|"
    rf"email|e-mail|message|post|thread|chat|deck|slides?|report|doc|document|update|reply|announcement|"
    rf"visit|inspection|party|lunch|dinner|drinks|trip|rehearsal|shoot|call)\b"
    rf"|\b(?:the|that|this)\s+(?:\w+\s+)?(?:email|e-mail|message|post|reply|deck|slides?|report|invite|"
    rf"announcement|recording|demo|update)\s+(?:you|that you)\s+(?:sent|shared|posted|wrote|gave|made|did|ran|"
    rf"forwarded|circulated|uploaded|presented)\b"
    rf"|\b(?:an hour|two hours|\w+ minutes|a few minutes|\w+ days|a week|two weeks)\s+ago\b"
    rf"|\bat\s+\d{{1,2}}(?::\d\d)?\s*(?:am|pm)?\b|\bwhen you\s+\w+ed\b"
)
HABIT = (
    r"\b(?:in|at|during|on)\s+(?:(?:all|most|our|your|the|team)\s+)?(?:meetings|calls|emails|e-mails|messages|"
    r"presentations|sessions|stand-?ups|chats|posts|reports)\b|\b(?:usually|generally|in general|often|"
    r"sometimes|lately|recently|these days|whenever)\b"
)
YOU_ACTION = (
    r"\b(?:you|u)(?:'ve|'d| have| had| just| then| also| still| kept| didn't| did not| never| always| only)?\s+"
    r"(?:\w+ly\s+)?(?:[a-z]+ed|sent|read|said|wrote|put|shut|left|spoke|took|made|ran|gave|told|forgot|"
    r"came|went|kept|cut|hit|set|let|spent|began|sat|stood|brought|chose|drew|showed|shared|typed|forwarded|"
    r"didn't\s+\w+|did not\s+\w+|haven't\s+\w+|couldn't\s+\w+|wouldn't\s+\w+|were\s+\w+ing|was\s+\w+ing)\b"
    r"|\b(?:you|u)\s+(?:never\s+|always\s+|keep\s+|still\s+|often\s+|constantly\s+|just\s+|sometimes\s+)?"
    r"(?:say|send|use|read|put|write|type|reply|forward|interrupt|talk|cc|add|skip|ask|turn|share|leave|join|"
    r"forget|mute|unmute|post|call|open|keep|start|end|take|make|check|answer|print|paste|click|scroll|show|"
    r"present|switch|book|cancel|arrive|come|speak|laugh|sigh|ignore|look|check|respond|miss|delete|copy|"
    r"attach|upload|record|invite|schedule)(?:s|ing)?\b"
    r"|\b(?:your|the)\s+(?:camera|mic|microphone|screen|slides?|deck|message|email|reply|post)\s+(?:was|were|"
    r"stayed|went|had)\b|\"[^\"]{3,}\""
    r"|\b(?:you|u)\s+(?:were|was|are)\s+(?:\w+\s+)?(?:late|on mute|muted|on (?:your|ur) phone|off camera|absent|"
    r"not there|offline|away|on another call|typing|reading|scrolling|eating|driving)\b"
)
TRAIT = (
    r"\byou(?:'re| are| were| seem| seemed| look| looked| sounded| come across as| came across as)\s+(?:so\s+|"
    r"really\s+|very\s+|a bit\s+|quite\s+|kind of\s+|a little\s+|too\s+|such\s+an?\s+|an?\s+)?"
    r"(?:[a-z]+(?:ful|less|ive|ous|ish|ent|ant|ed|y|al|ic|ible|able)|rude|lazy|slow|old|bad|good|great|nice|"
    r"smart|weird|odd|awkward|late|messy|sloppy|cold|harsh|negative|difficult|stubborn|arrogant|defensive|"
    r"dismissive|unprofessional|disorganised|disorganized|clueless|lost|annoyed|tired|stressed|distracted|"
    r"bored|confused|nervous|impatient|unprepared)\b"
)
PASSIVE_ACTION = (
    r"\b(?:was|were|got|has been|had been|have been)\s+(?:\w+ly\s+)?(?:sent|shared|overwritten|forwarded|posted|"
    r"deleted|delivered|presented|printed|uploaded|cancelled|moved|changed|edited|missed|left|skipped|ignored|"
    r"interrupted|copied|cc'd|booked|rescheduled|circulated|published|emailed|recorded)\b"
)
HEDGED_READING = r"\byou\s+(?:seemed|seem|looked|look|sounded|sound|appeared|came across|come across|felt like)\b"
IMPACT = (
    r"\b(?:so|which|that)\s+(?:meant|means|made|left|caused|led|gave|cost|forced)\b|\bas a result\b|\bbecause of "
    r"(?:that|this|it)\b|\b(?:i|we|they|the team|the client|people|everyone|nobody|two people|half the room|"
    r"the customer|the patient|the manager|my manager|the board)\s+(?:\w+\s+){0,2}(?:felt|feel|was|were|wasn't|"
    r"weren't|got|couldn't|could not|didn't|did not|had to|lost|missed|left|dropped|stopped|ended up|"
    r"thought|assumed|asked|saw|noticed|complained|struggled|waited|spent|gave up|switched off|zoned out|"
    r"disengaged|came out|walked out)\b|\b(?:confus\w*|frustrat\w*|embarrass\w*|overwhelm\w*|lost track|"
    r"ran over|delayed|late start|extra work|rework|complaint|escalat\w*|off-?guard|on the spot|excluded|"
    r"left out|ignored|undermin\w*|hurt|upset|anxious|stressed|worried|relieved|grateful|helped me|"
    r"saved (?:us|me|the team)|made it easier|made me|made us|made the team|it was hard|hard to follow|"
    r"couldn't follow|couldn't hear|couldn't see|dropped off|logged off|left the call|went quiet|"
    r"the effect|the impact|impact on|effect on)\b"
    r"|\b(?:so|and|which|then)\s+(?:i|we|they|people|everyone|nobody|no one|the \w+|two|three|half|he|she)\s+"
    r"(?:\w+\s+)?(?:can't|couldn't|wasn't|weren't|didn't|had to|have to|got|get|went|were|lost|missed|stopped|"
    r"started|assumed?|thought|ended up|left|asked|noticed|complained|spent|waited)\b"
    r"|\b(?:i|we)\s+(?:can't|cannot|couldn't|could not|wasn't|weren't|didn't|don't|had to|have to|end(?:ed)? up|lost|"
    r"spent|wasted|missed|am|was|were|feel|felt)\b"
    r"|\b(?:puts?|putting) (?:people|me|us|them|everyone) off|\bslow\w* (?:\w+ )?down|\bhold\w* (?:\w+ )?up|"
    r"\bcost\w* (?:us|me|the)|\blost us|\bmakes? (?:me|us|them|it|people|everyone)|\bleav\w* (?:me|us)|"
    r"\bfeel(?:s|ing)? like|\b(?:it's|its|it is|it was|was) like|\blocked out|\bnoticed|\bsaved (?:me|us)|"
    r"\bpeople (?:assume|think|thought|stop|stopped)|\b(?:gets|got) (?:us|me|them)\b"
)
FEELING = r"\bi\s+(?:felt|feel|was|got|wasn't|didn't know|wasn't sure|couldn't|had to|ended up|came away)\b"
JUDGMENTAL = (
    r"\b(?:lazy|clueless|stupid|dumb|idiot\w*|incompetent|useless|hopeless|pathetic|ridiculous|careless|"
    r"sloppy|unprofessional|rude|arrogant|dismissive|defensive|condescending|patronising|patronizing|stubborn|"
    r"rigid|selfish|disorganis\w*|disorganiz\w*|negative|toxic|difficult|backward|old-?fashioned|old-?school|"
    r"out of touch|out-?of-?date|behind the times|stuck in the past|dinosaur|boomer|ok boomer|grandpa|grandma|"
    r"granny|old man|old lady|your age|at your age|for your age|someone your age|people your age|"
    r"even a (?:child|kid|toddler|teenager)|my (?:kid|son|daughter|nan|gran|grandma|grandpa)\s+(?:could|can)|"
    r"typical (?:millennial|boomer|gen ?z|young|old)|snowflake|kids these days|young people these days|"
    r"technophobe|luddite|not (?:very )?(?:bright|smart|clever)|a bit slow|so slow|slow on the uptake|"
    r"all by yourself|so proud of you|good (?:boy|girl)|bless (?:you|him|her)|cute|adorable|sweetie|"
    r"honey|you people|your generation|a mess|careless|bossy|aggressive|emotional|oversensitive|"
    r"too sensitive|whin\w*|moan\w*|bully|control freak|know-?it-?all|cocky|entitled|naive|immature|"
    r"closed-?minded|narrow-?minded|reckless|domineering|moody|childish|cold|worst|dated|vintage|ancient|"
    r"prehistoric|so (?:19|20)\d0s|very (?:19|20)\d0s|impatien\w*|disrespectful|attitude|sweetheart|darling|"
    r"my dear|good girl|good boy|a (?:child|kid|toddler|monkey) could|too slow|slowcoach|grumpy|bitter|"
    r"surprisingly (?:good|quick|fast|decent)|not bad for|pretty good for|quite good for|for a (?:partner|senior|"
    r"director|manager|lawyer|guy|woman|man) (?:of|your|his|her)|technically illiterate|illiterate|tech-?phob\w*|"
    r"useless with|hopeless with|bad with (?:tech|computers)|lazy|smug|pompous|condescending|rude)\b"
)
ABSOLUTE_WORDS = (
    "always|never|constantly|continually|forever|everyone|everybody|nobody|no one|every time|each time|"
    "all the time|as usual|as always|every single|every meeting|every call|every day|not once|without fail|"
    "anything|everything|nothing"
)
_ABSOLUTE_RUNS = ABSOLUTE_WORDS.replace(" ", r"\s+")
ABSOLUTE = (
    rf"\b(?:{_ABSOLUTE_RUNS})\b|\b(?:alw[ae]?y[sz]|allways|alwyas|nevr|nver|neva|evry ?time|evrytime|every ?tim|"
    r"contstantly|constanly|evryone|evrybody|noone)\b"
)
VAGUE_PRAISE = (
    r"^\W*(?:great|good|nice|well|awesome|amazing|brilliant|excellent|fantastic|super|lovely)\b(?:\s+\w+){0,3}\W*$"
)
CONDESCENDING = (
    r"\b(?:all by yourself|so proud of you|well done you|look at you|bless|sweet|cute|even you|finally|at last)\b"
)
QUOTE_OR_REPORT = r"\"[^\"]{2,}\"|\byou\s+(?:said|wrote|told|mentioned|asked)\b"
PRAISE = r"\b(?:thank\w*|great|well done|nice|good|brilliant|appreciat\w*|loved|impressive|helpful|clear)\b"

FEEDBACK_FEATURES: tuple[Feature, ...] = (
    Feature("event_time", regex_finder(EVENT_TIME), "names a particular time or event"),
    Feature("habit", regex_finder(HABIT), "describes a habit rather than one occasion"),
    Feature("you_action", regex_finder(YOU_ACTION), "describes something the person did or said"),
    Feature("passive_action", regex_finder(PASSIVE_ACTION), "describes something that was done"),
    Feature("trait", regex_finder(TRAIT), "describes the person rather than an action"),
    Feature("hedged_reading", regex_finder(HEDGED_READING), "reads a state into the person"),
    Feature("impact", regex_finder(IMPACT), "states an effect"),
    Feature("feeling", regex_finder(FEELING), "says how the speaker was affected"),
    Feature("judgmental_word", _outside_quotes(regex_finder(JUDGMENTAL)), "labels the person"),
    Feature("absolute_word", _outside_quotes(regex_finder(ABSOLUTE)), "generalises with an absolute"),
    Feature("vague_praise", regex_finder(VAGUE_PRAISE), "is praise with nothing specific in it"),
    Feature("condescending", regex_finder(CONDESCENDING), "sounds condescending"),
    Feature("quote", regex_finder(QUOTE_OR_REPORT), "quotes or reports the person's own words"),
    Feature("praise", regex_finder(PRAISE), "is praise"),
    Feature("number", regex_finder(rf"\b{NUM}\b"), "gives a number"),
)


def extract(features: Sequence[Feature], text: str) -> list[Match]:
    """Every match of every feature, in feature order; overlapping or touching matches of one feature are
    joined, so a quote reads "By 31 March" rather than "By 31"."""
    view = plain(text)
    found = []
    for feature in features:
        spans: list[list[int]] = []
        for start, end in sorted(feature.find(view)):
            if spans and start <= spans[-1][1] + 1:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        found += [Match(feature.name, start, end) for start, end in spans]
    return found


def vector(features: Sequence[Feature], matches: Sequence[Match], text: str) -> list[float]:
    """One value per feature (1 when it fired), then the length in words (capped at 60, scaled to 0-1).

    Length carries real signal (a three-word line rarely states a situation, a behaviour and an
    effect), so it stays, but it is never quoted as a reason.
    """
    fired = {match.feature for match in matches}
    words = len(text.split())
    return [1.0 if feature.name in fired else 0.0 for feature in features] + [min(words, 60) / 60.0]


# Phrases people use for a theme's concern without naming it, one pattern per theme id. They add to
# the taxonomy's keywords (which name the topic); a theme without cues here relies on its keywords.
THEME_CUES: dict[str, str] = {
    "ai-tools": r"\b(?:ai|a\.i\.|bots?|prompts?|hallucinat\w*|generat\w+ (?:images?|text)|"
    r"summar\w+ (?:it|them|for me))\b",
    "social-media": r"\b(?:posts?|posting|followers?|likes|profile (?:photo|picture|pic)|headline|endorse\w*|"
    r"connections?|stories|insta|ig|tik ?tok|viral|hashtags?|dms?|direct messages?|influencers?)\b",
    "collaboration-tools": r"\b(?:channels?|shared (?:drive|folder|calendar|notebook|doc)|invites?|co-?author\w*|"
    r"tag(?:ged|ging)? (?:me|people)|threads?|workspace|version history|planner|tasks? board|wiki|intranet|"
    r"calendar|outlook|onenote|sharepoint|one ?drive|viva|yammer|webex|google (?:docs|drive|meet))\b",
    "remote-hybrid-work": r"\b(?:remote(?:ly)?|hybrid|video ?call|on camera|cameras? (?:on|off)|mute\w*|"
    r"in person|face[- ]to[- ]face|time ?zones?|dial(?:ling|led)? in|on the screen|wi-?fi|connection|lag|"
    r"bandwidth|home office|from home|wfh|another (?:city|country|site|office)|never met|zoom fatigue)\b",
    "data-privacy-security": r"\b(?:client (?:data|files?|names?|contracts?|material)|confidential\w*|"
    r"personal (?:account|email|phone|drive|laptop|device|gmail|dropbox|google drive)|passwords?|phishing|"
    r"leak\w*|gdpr|privacy|private|safe to (?:share|upload|paste|use)|is (?:it|that) (?:safe|allowed|ok to)|"
    r"screenshots?|patient|payroll|salar(?:y|ies)|sensitive|nda|secur\w+|hack\w*|scam\w*|"
    r"upload\w* (?:it|them|the)|pasted?|record(?:ing|ed)?)\b",
    "generational-stereotypes": r"\b(?:boomers?|millennials?|gen ?z|gen ?x|zoomers?|my age|your age|his age|"
    r"her age|at \d\d|too old|old dog|dinosaurs?|kids?|youngsters?|young (?:people|ones|folk|person)|"
    r"older (?:people|ones|colleagues|generation)|generation\w*|digital natives?|grandpa|grandma|granny|"
    r"retire\w*|past it|ok boomer|the intern|teenager|\d\d-year-old|years? old)\b",
    "time-constraints": r"\b(?:cancel\w*|resched\w*|postpon\w*|moved? (?:it|our|the)|push(?:ed)? (?:it|back)|"
    r"no time|busy|workload|diary|calendar|overbooked|double[- ]booked|back[- ]to[- ]back|cut short|"
    r"short notice|late|deadline\w*|year-end|month-end|shifts?|nights?|rota|slot|protect(?:ed)? (?:time|the hour)|"
    r"\d+ ?min(?:ute)?s?|an hour|every (?:fortnight|week))\b",
    "feedback-anxiety": r"\b(?:how (?:do|can|should) i (?:tell|say|bring|raise|point|mention|comment|give)|"
    r"(?:tell|say to) (?:him|her|them|my (?:mentee|mentor|boss))|say something|speak up|bring (?:it|this) up|"
    r"raise (?:it|this)|politely|gently|nicely|tactful\w*|without (?:offending|hurting|upsetting|sounding)|"
    r"offend\w*|hurt (?:his|her|their) feelings|honest(?:ly)? feedback|feedback|criticis\w*|critique|"
    r"awkward|nervous|scared to|afraid to|worried (?:to|about telling)|don't dare|do i say|should i tell)\b",
    "credibility-being-taken-seriously": r"\b(?:ignor\w*|dismiss\w*|talk(?:s|ed|ing)? over|interrupt\w*|"
    r"cut(?:s)? me off|(?:doesn't|don't|didn't|won't) (?:listen|take me seriously|respect)|not (?:taken|take me) "
    r"seriously|brush\w* (?:me|it) off|wav\w* (?:me|it) (?:off|away)|overrul\w*|talks? down|patroni[sz]\w*|"
    r"credit|token|the intern|just a kid|look(?:s|ed)? to (?:me|him|her) for|nobody (?:asks|listens)|"
    r"(?:my|our) ideas?|taken seriously|respect\w*|undermin\w*|push back|shut (?:me|it|her|him) down)\b",
    "career-growth": r"\b(?:career|promot\w*|cv|résumé|resume|sponsor\w*|talent (?:program|pool)|"
    r"internal (?:role|job|move)|next (?:role|move|step)|develop\w*|skills?|course|certif\w*|qualification|"
    r"badge|recogni[sz]\w*|appraisal|performance review|what do (?:i|we) get|network\w*|manager one day|"
    r"leadership|visibility|shout ?out|reference|recommendation|learning licen[cs]e)\b",
    "digital-confidence": r"\b(?:scared|afraid|anxious|nervous|panic\w*|terrified|frighten\w*|intimidat\w*|"
    r"embarrass\w*|ashamed|stupid|hopeless|useless|clueless|(?:not|never) (?:good|great) (?:at|with)|"
    r"break (?:something|it|the|anything)|press(?:ing)? (?:something|the wrong)|click\w* the wrong|"
    r"confiden\w*|proud|by myself|on my own|all by (?:my|him|her)self|managed to|figured (?:it )?out|"
    r"stuck|lost|slow(?:est)?|shaky|struggl\w*)\b",
    "communication-style": r"\b(?:tone|curt|rude|blunt|formal|informal|caps|all caps|capitals|shouting|"
    r"sign-?offs?|greetings?|emojis?|exclamation|punctuation|full stops?|dear|regards|cheers|kind regards|"
    r"reply[- ]all|one-?word (?:replies|answers)|voice (?:notes?|messages?)|replies|texting style|"
    r"essay|wall of text|sounds? (?:angry|cold|rude|passive)|passive-aggressive|ok\.|k\.)\b",
}
