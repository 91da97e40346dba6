"""Word lists the name detector consults: capitalised words that are not people, and names that are words.

All entries are lower case; callers compare ``word.casefold()``. The lists are deliberately plain
data so an organisation can see (and extend) what the anonymizer treats as "not a name".
"""

from __future__ import annotations

import unicodedata


def fold(word: str) -> str:
    """Case- and accent-insensitive form: "Jürgen", "JURGEN" and "jurgen" compare equal."""
    if word.isascii():
        return word.casefold()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(word) for word in text.split())


PRODUCTS = _words(
    """
    teams slack zoom webex skype excel word powerpoint outlook onedrive sharepoint onenote office
    microsoft google gmail meet hangouts chrome drive docs sheets slides gemini bard chatgpt gpt openai
    copilot claude anthropic perplexity midjourney dall-e dalle firefly stable diffusion canva figma
    miro mural trello jira confluence asana notion airtable loom calendly zapier
    linkedin learning github gitlab bitbucket twitter x tiktok instagram facebook whatsapp telegram
    signal messenger snapchat youtube reddit pinterest threads bluesky mastodon discord twitch
    behance dribbble medium substack wordpress wix squarespace shopify salesforce hubspot workday
    sap oracle tableau power bi automate apps visio project planner viva yammer stream forms
    python java javascript typescript sql excel's powerbi dropbox box icloud apple iphone ipad mac
    macbook ios android windows linux ubuntu pixel samsung galaxy kindle alexa siri cortana
    procreate photoshop illustrator lightroom premiere acrobat adobe pdf duolingo grammarly
    coursera udemy edx khan wikipedia spotify netflix uber lyft airbnb amazon aws azure
    bing yahoo safari firefox edge opera brave okta authenticator lastpass bitwarden 1password
    keepass dashlane webinar bluejeans gotomeeting ringcentral wechat line viber kahoot mentimeter
    slido padlet jamboard whiteboard otter fireflies fathom grain tldv synthesia heygen elevenlabs
    runway sora llama mistral deepseek grok pi character replika notebooklm
    """
)

WEEKDAYS_MONTHS_HOLIDAYS = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
    mondays tuesdays wednesdays thursdays fridays saturdays sundays weekend
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    christmas xmas easter eve ramadan eid diwali hanukkah thanksgiving halloween new year years
    hogmanay pentecost whitsun passover lent advent boxing day valentine valentine's
    q1 q2 q3 q4 h1 h2 fy
    """
)

PLACES = _words(
    """
    london manchester birmingham leeds glasgow edinburgh bristol liverpool sheffield cardiff belfast
    oxford cambridge brighton reading newcastle nottingham leicester southampton york aberdeen dublin
    cork berlin munich hamburg frankfurt cologne köln stuttgart düsseldorf leipzig dresden hanover
    hannover nuremberg bonn vienna zurich zürich geneva basel bern paris lyon marseille toulouse nice
    lille bordeaux nantes strasbourg brussels antwerp amsterdam rotterdam utrecht hague eindhoven
    luxembourg madrid barcelona valencia seville lisbon porto rome milan turin naples florence venice
    bologna athens istanbul warsaw krakow kraków prague budapest bucharest sofia zagreb belgrade
    copenhagen stockholm oslo helsinki gothenburg reykjavik tallinn riga vilnius kyiv kiev moscow
    new york nyc sf san francisco los angeles la chicago boston seattle austin denver atlanta miami
    dallas houston washington dc philadelphia portland toronto vancouver montreal ottawa calgary
    mexico city são sao paulo rio buenos aires santiago bogotá bogota lima
    bangalore bengaluru mumbai delhi chennai hyderabad pune kolkata noida gurgaon gurugram
    singapore tokyo osaka kyoto seoul beijing shanghai shenzhen hong kong taipei manila jakarta
    bangkok kuala lumpur hanoi ho chi minh dubai abu dhabi doha riyadh tel aviv cairo lagos
    nairobi johannesburg cape town sydney melbourne brisbane perth auckland wellington springfield
    uk gb britain england scotland wales ireland northern us usa america canada mexico brazil
    argentina chile colombia peru germany france spain portugal italy netherlands holland belgium
    switzerland austria poland czechia czech republic hungary romania bulgaria greece turkey
    denmark sweden norway finland iceland estonia latvia lithuania ukraine russia india china
    japan korea taiwan philippines indonesia malaysia thailand vietnam australia zealand
    nigeria kenya egypt africa south north east west asia europe emea apac latam eu americas
    middle european european union silicon valley city centre center bay area midlands
    """
)

LANGUAGES_NATIONALITIES = _words(
    """
    english british german french spanish italian portuguese dutch polish swedish danish norwegian
    finnish greek turkish russian ukrainian chinese mandarin cantonese japanese korean hindi tamil
    urdu bengali arabic hebrew persian american canadian indian irish scottish welsh australian
    european asian african latin brazilian mexican nigerian kenyan swiss austrian belgian
    """
)

ORGANISATION_WORDS = _words(
    """
    hr it ai ml ux ui qa pr r&d sales finance legal marketing procurement operations ops engineering
    product design support compliance security risk audit payroll facilities admin management
    leadership board exec executive executives c-suite ceo cto cfo coo cio ciso vp svp evp md
    director directors department team teams group division office offices campus hq headquarters
    company organisation organization programme program cohort mentoring mentor mentors mentee
    mentees reverse tandem academy university college school council committee
    gen z x y boomer boomers millennial millennials zoomer zoomers genz
    helpdesk service desk servicedesk intranet portal wiki policy policies
    """
)

FUNCTION_WORDS = _words(
    """
    i me my mine myself you your yours yourself he him his she her hers it its we us our ours they
    them their theirs this that these those who whom whose what which where when why how
    a an the and or but nor so yet for of in on at to from by with without about above below over
    under into onto upon after before during since until till while because although though if
    unless whether as than then there here now just also only even still already maybe perhaps
    all any both each every few more most many much some such no not none nobody noone nothing
    everyone everybody everything someone somebody something anyone anybody anything others other
    another same own one two three four five six seven eight nine ten first second third last next
    yes yeah yep nope ok okay hi hello hey dear thanks thank cheers please sorry sure great good
    well oh ah wow lol haha hmm hm btw fyi asap re fw fwd ps nb eg ie etc vs via per
    is am are was were be been being do does did done have has had having can could will would shall
    should may might must let let's lets say says said tell told ask asked
    today tomorrow yesterday tonight morning afternoon evening night week month year
    mr mrs ms miss mx dr prof sir madam dame herr frau mme mlle
    mum mom dad mother father son daughter sister brother wife husband partner boss manager
    colleague colleagues everyone's anyway honestly quick update long short small big new old
    note notes agenda action actions item items step steps question questions answer answers idea
    ideas tip tips feedback session sessions meeting meetings call calls chat chats email emails
    message messages doc document documents file files link links channel channels
    apparently actually basically luckily unfortunately fortunately hopefully sadly obviously clearly
    finally later meanwhile again recently suddenly ironically frankly seriously surely definitely
    probably usually sometimes often generally personally interestingly thankfully otherwise instead
    besides however therefore moreover plus people folks guys staff users customers clients
    reminder update urgent important fyi heads
    """
)

SEASONS = _words("spring summer autumn fall winter")

# Nouns that make the capitalised words before them a place or an organisation: "Victoria Station",
# "Georgia office", "Kingston Hospital".
PLACE_NOUNS = _words(
    """
    station street road avenue lane square park bridge tower centre center hospital clinic airport
    university college school academy office offices site branch campus building house hall plaza
    mall market store shop hotel stadium arena museum library church cathedral mosque temple
    district county region province state city town village valley river lake mountain island
    beach port harbour harbor terminal line warehouse depot plant factory mill farm estate
    """
)

# Particles that belong to the surname after them: "van der Berg", "bin Salman", "Ní Bhriain".
PARTICLES = _words(
    "van der den de del della da das dos do di du la le los las von zu bin binti bint ibn al el ap ní nic mac mc ó ua"
)
TITLES = _words("mr mrs ms miss mx dr prof professor sir dame herr frau mme mlle madame monsieur señor señora")

# Capitalised words that are not people in this domain: anything in here is never a context name.

NON_NAMES = (
    SEASONS
    | TITLES
    | PRODUCTS
    | WEEKDAYS_MONTHS_HOLIDAYS
    | PLACES
    | LANGUAGES_NATIONALITIES
    | ORGANISATION_WORDS
    | FUNCTION_WORDS
)

# Given names and surnames that are also ordinary English words. A roster name in this list is
# redacted only when the context shows it is used as a name.
WORD_NAMES = _words(
    """
    rose will mark grace hope bill sandy drew summer hunter fox miller turner grant brooks
    may june april august dawn faith joy ruby amber pearl iris ivy holly lily daisy hazel robin
    violet heather jasmine olive ginger pepper sage basil cherry crystal misty candy honey
    rich frank bob jack pat sue art chase chance gene guy mason carter cooper parker porter
    walker ward wood woods stone hill bell rice lane price gray grey short read reed young long
    little white black brown green king page bishop cook baker ray sky storm river brook glen dale
    cliff heath rob max bear don van major noble hardy wells banks fields rivers love hunt march
    penny destiny harmony honor honour justice liberty melody star sunny autumn winter spring rain
    sonny buck cash duke earl prince hawk wolf lamb moody moon best good early bright strong
    swift sharp fisher mills marsh moss ash birch hart drake lord marshall mayo carol rusty dusty
    woody chip trinity harper archer taylor cole miles sterling dean bud
    """
)

# Words whose capitalised form is also a product, place or month: they need strong evidence
# (a roster surname after them, or a speech verb) before they count as a name.
STRONGLY_AMBIGUOUS = WEEKDAYS_MONTHS_HOLIDAYS | PLACES | PRODUCTS


ROLE_NOUNS = _words(
    """
    manager boss colleague coworker co-worker teammate director supervisor friend partner husband
    wife son daughter sister brother mum mom dad mother father cousin uncle aunt intern assistant
    buddy mentor mentee lead vp ceo cto cfo coo cio hrbp recruiter client customer neighbour
    neighbor grandson granddaughter niece nephew flatmate roommate trainer coach tutor teacher
    student counterpart pair peer report
    """
)

# Verbs after a capitalised word that mark it as a person ("Priya said").
SPEECH_VERBS = _words(
    """
    said says asked asks told tells emailed emails mentioned mentions wrote writes replied replies
    suggested suggests explained explains thinks thought wants wanted complained complains texted
    messaged pinged called calls agreed agrees recommended recommends insisted insists warned
    admitted promised noted pointed added confirmed shared showed shows joined joins reckons
    """
)

# Any of these after an ambiguous roster name at the start of a sentence marks it as the name
# ("Will said", "Drew drew", "Summer is"), unlike "Will you", "Drew up", "Summer holidays".
NAME_FOLLOWERS = SPEECH_VERBS | _words(
    """
    is was has had will would can could should did does isn't wasn't hasn't didn't doesn't won't
    can't couldn't and who drew set made sent got gave took came went left knows knew helped uses
    used needs needed walked gets keeps kept seems seemed looks looked loves liked likes hates
    runs ran leads led works worked lives lived moved also just really always never still
    """
)

# Words after an ambiguous name that make it an ordinary phrase ("Grace period", "Summer holidays").
NON_NAME_FOLLOWERS = _words(
    """
    period periods holiday holidays break term school camp intern interns internship internships
    festival party sale sales garden gardens olympics solstice time season collection edition
    release day days
    """
)

# Words before an ambiguous name that make it a noun phrase ("this summer", "the bill").
DETERMINERS = _words("a an the this that these those our your their its last next every each some any no")

# Words before a capitalised word that introduce a person ("talked to Jürgen", "with Sam").
PERSON_PREPOSITIONS = _words("with cc cc'd")
# "to" and "from" introduce a person only after these ("talked to Jürgen", "an email from Priya");
# otherwise they mostly introduce places and tools ("moved to Leeds", "switched to Basecamp").
TO_PERSON_VERBS = _words(
    """
    talked talk talking spoke speak speaking wrote write writing sent send sending forward forwarded
    forwarding introduced introduce mentioned mention explained explain said say saying reported
    report reports reporting listen listened listening chatted chat chatting out replied reply
    responded respond handed hand gave give showed show passed pass complained complain apologised
    apologized apologise apologize married engaged next close closer
    """
)
FROM_PERSON_NOUNS = _words(
    """
    message messages email emails mail note notes call calls text texts feedback heard hear got get
    received receive invite invitation request reply replies answer update news tip tips advice
    help comment comments dm dms ping
    """
)
PERSON_VERBS_BEFORE = _words(
    """
    asked ask asking told tell telling emailed email emailing met meet meeting called call calling
    texted text texting pinged ping pinging messaged message messaging thanked thank invited invite
    contact contacted introduced cc'd hi hello hey dear thanks interrupted interrupt thanked
    praised ignored mentored mentoring mentor coached coaching helped help helping corrected
    reminded remind warned hired promoted blamed congratulated interviewed paired pairing
    shadowed shadowing called phoned visited visiting joined
    """
)
