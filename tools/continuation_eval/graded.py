"""Families whose workers grade, compare or write (``rating``, ``pairwise``, ``free_text``)."""

from __future__ import annotations

from .records import Family, domain, family

NER: Family = {
    "key": "ner", "name": "Tagline",
    "instructions": (
        "In {name} you find names in {source}. Read the sentence. Write every {entity} "
        "that appears in it, one per line, exactly as spelled in the sentence. Do not "
        "include titles such as Mr or Dr. If the same name appears twice, write it once. "
        "If a sentence contains no {entity}, write NONE. Abbreviations count when they "
        "clearly refer to a {entity}. Do not correct spelling. Pronouns such as he or "
        "they are not names. Check your list against the sentence before you submit. "
        "The answers are compared with other workers, so consistency matters more than "
        "speed."),
    "schema": {"type": "free_text", "max_length": 500},
    "switch_to": {"type": "multi_choice", "choices": ["person", "organisation", "place"]},
    "domains": [
        {"vars": {"source": "news sentences", "entity": "person or organisation name"},
         "fields": {"text": [
             "{person} announced on {day} that {org} will {action}.",
             "Shares of {org} fell after {person} {event}.",
             "According to {org}, {person} met officials in {city}."]},
         "slots": {"person": ["Angela Weber", "Tom Okafor", "Maria Santos",
                              "Li Wei", "John Carter", "Priya Nair"],
                   "day": ["Monday", "Friday", "Tuesday"],
                   "org": ["Siemens", "the UN", "Reuters", "Acme Corp", "the IMF"],
                   "action": ["cut jobs", "open a plant", "raise prices", "merge"],
                   "event": ["resigned", "was arrested", "spoke at a summit"],
                   "city": ["Berlin", "Nairobi", "Lima", "Osaka"]}},
        {"vars": {"source": "clinical notes", "entity": "drug name"},
         "fields": {"text": [
             "Patient started on {drug} {dose} for {condition}.",
             "Discontinue {drug} due to {side}; switch to {drug}.",
             "History of {condition}, allergic to {drug}."]},
         "slots": {"drug": ["metformin", "lisinopril", "amoxicillin", "ibuprofen",
                            "atorvastatin", "warfarin"],
                   "dose": ["500 mg twice daily", "10 mg daily", "as needed"],
                   "condition": ["hypertension", "type 2 diabetes", "otitis",
                                 "back pain"],
                   "side": ["rash", "nausea", "dizziness", "cough"]}}]}

CAPTION: Family = {
    "key": "caption", "name": "Lens",
    "instructions": (
        "{name} asks you to rate how well a caption describes a photo of {subject}. "
        "Look at the image first, then read the caption. Use the scale from 1 to 5. "
        "Give 5 when the caption is accurate, complete and fluent. Give 3 when it is "
        "mostly right but misses an important detail or contains a small error. Give 1 "
        "when it describes something that is not in the image. Do not reward long "
        "captions for length alone. Ignore punctuation mistakes. If the image does not "
        "load, skip the task with the skip button; skipped tasks are still paid for "
        "the time spent."),
    "schema": {"type": "rating", "min": 1, "max": 5},
    "switch_to": {"type": "free_text", "max_length": 300},
    "domains": [
        {"vars": {"subject": "animals"},
         "fields": {"image_url": ["https://img.example/animals/{n}{n}{n}.jpg"],
                    "caption": ["A {color} {animal} {doing} on the {place}.",
                                "Two {animal}s {doing} near a {place}."]},
         "slots": {"n": list("0123456789"),
                   "color": ["brown", "white", "black", "spotted", "grey"],
                   "animal": ["dog", "cat", "horse", "parrot", "rabbit", "goat"],
                   "doing": ["sleeping", "running", "eating grass", "playing"],
                   "place": ["beach", "sofa", "meadow", "fence", "snow"]}},
        {"vars": {"subject": "kitchen products"},
         "fields": {"image_url": ["https://img.example/shop/{n}{n}{n}.png"],
                    "caption": ["A {material} {item} with a {handle} handle.",
                                "Set of {count} {material} {item}s on a {surface}."]},
         "slots": {"n": list("0123456789"),
                   "material": ["stainless steel", "ceramic", "cast iron", "glass"],
                   "item": ["pan", "kettle", "mug", "knife", "bowl", "pot"],
                   "handle": ["wooden", "red", "silicone", "long"],
                   "count": ["two", "three", "six"],
                   "surface": ["marble counter", "white background", "wooden table"]}}]}

RLHF: Family = {
    "key": "rlhf", "name": "Compass",
    "instructions": (
        "Welcome to {name}. You compare two answers that an AI assistant gave to a "
        "user's question about {topic}. Read the question and both answers completely. "
        "Choose the answer that is more helpful, correct and safe. An answer that is "
        "correct but short beats a long answer with a factual error. Penalise answers "
        "that ignore the question or invent facts. If both answers are equally good or "
        "equally bad, pick the one that is easier to follow. Do not let the order of "
        "the answers influence you. Do not search the web; use your own knowledge. "
        "Explanations are optional."),
    "schema": {"type": "pairwise"},
    "switch_to": {"type": "rating", "min": 1, "max": 7},
    "domains": [
        {"vars": {"topic": "cooking"},
         "fields": {"prompt": ["How do I {task} {food}?",
                               "What can I use instead of {ingredient} in {food}?"],
                    "response_a": ["You should {tip} and cook it for {time}.",
                                   "Replace {ingredient} with {sub}; it works well.",
                                   "Season with {ingredient} before serving."],
                    "response_b": ["Many cooks {tip} first, then wait {time}.",
                                   "Try {sub} instead of {ingredient}.",
                                   "It depends on the {food} you make."]},
         "slots": {"task": ["roast", "freeze", "thicken", "reheat"],
                   "food": ["chicken", "soup", "bread dough", "rice", "lasagne"],
                   "ingredient": ["butter", "eggs", "cream", "flour", "sugar"],
                   "tip": ["preheat the oven", "salt it well", "let it rest",
                           "stir often"],
                   "time": ["twenty minutes", "an hour", "five minutes"],
                   "sub": ["olive oil", "yogurt", "applesauce", "cornstarch"]}},
        {"vars": {"topic": "personal taxes"},
         "fields": {"prompt": ["Can I deduct {expense} from my {tax}?",
                               "When is the deadline for {form} if I am {status}?"],
                    "response_a": ["Yes, {expense} is deductible if you {cond}.",
                                   "The deadline for {form} is {date}.",
                                   "Ask a tax adviser about {expense}."],
                    "response_b": ["Usually not, unless you {cond}.",
                                   "As {status}, you file {form} by {date}.",
                                   "Keep receipts for {expense}."]},
         "slots": {"expense": ["a home office", "commuting costs", "child care",
                               "donations"],
                   "tax": ["income tax", "tax return", "taxable income"],
                   "form": ["the annual return", "a VAT return", "an extension"],
                   "status": ["self-employed", "retired", "a student"],
                   "cond": ["work from home", "keep records", "itemise deductions"],
                   "date": ["April 15", "July 31", "the end of May"]}}]}

CODE = family(
    "code", "Forge",
    "{name} compares two {artifact} written for the same request. Read the request, "
    "then both versions. Choose the version you would approve in a code review. "
    "Correctness comes first: a version with a bug loses against a slower correct one. "
    "Then prefer readable names, fewer side effects and handling of edge cases such as "
    "empty input. Ignore formatting differences that a formatter would fix. Do not run "
    "the code on your machine. If both versions are wrong, pick the one that is easier "
    "to fix and say why in one sentence.",
    {"type": "pairwise"}, {"type": "single_choice", "choices": ["A", "B", "tie"]},
    domain({"artifact": "Python functions"},
           {"prompt": ["Write a function that {goal}.", "Fix the bug: {goal} fails on {edge}."],
            "response_a": ["def {fn}(items):\n    return {expr_a}",
                           "for x in items:\n    if {cond}:\n        {stmt}"],
            "response_b": ["def {fn}(items):\n    result = []\n    {stmt}\n    return result",
                           "return [x for x in items if {cond}]"]},
           {"goal": ["removes duplicates", "sums even numbers", "finds the longest word",
                     "parses a date"],
            "edge": ["an empty list", "None", "unicode input"],
            "fn": ["dedupe", "sum_even", "longest", "parse_date"],
            "expr_a": ["sorted(set(items))", "sum(x for x in items if x % 2 == 0)",
                       "max(items, key=len)"],
            "cond": ["x % 2 == 0", "x not in seen", "len(x) > best"],
            "stmt": ["result.append(x)", "seen.add(x)", "total += x"]}),
    domain({"artifact": "SQL queries"},
           {"prompt": ["Write a query that {goal}.", "Speed up this query that {goal}."],
            "response_a": ["SELECT {cols} FROM {table} WHERE {cond} GROUP BY {cols};",
                           "SELECT COUNT(*) FROM {table} JOIN {table2} USING (id);"],
            "response_b": ["SELECT DISTINCT {cols} FROM {table} ORDER BY {cols} LIMIT 10;",
                           "WITH t AS (SELECT * FROM {table2} WHERE {cond}) SELECT * FROM t;"]},
           {"goal": ["lists customers by revenue", "counts orders per month",
                     "finds inactive users"],
            "cols": ["customer_id", "order_date", "email", "region"],
            "table": ["orders", "customers", "sessions"],
            "table2": ["payments", "invoices", "logins"],
            "cond": ["amount > 100", "created_at < now() - interval '90 days'",
                     "status = 'open'"]}))

SUMMARY = family(
    "summary", "Digest",
    "{name} rates summaries of {document}. First read the original text, then the "
    "summary. Rate the summary on a scale from 1 to 7. A 7 is faithful, covers every "
    "important point and contains nothing that the original does not say. A 4 misses "
    "a key point or is hard to read. A 1 contradicts the original or invents facts. "
    "Check names, numbers and dates carefully, because errors there are the most "
    "common problem. Length does not matter as long as the summary is shorter than the "
    "original.",
    {"type": "rating", "min": 1, "max": 7},
    {"type": "single_choice", "choices": ["faithful", "unfaithful"]},
    domain({"document": "news articles"},
           {"original": ["{org} reported {result} for {period}, {reason}.",
                         "The {official} said {statement} on {day}.",
                         "Analysts expect {forecast}."],
            "summary": ["{org} had {result} in {period}.",
                        "{official}: {statement}."]},
           {"org": ["Volkswagen", "the central bank", "Nokia", "the city council"],
            "result": ["record profits", "a loss", "flat sales", "higher costs"],
            "period": ["the third quarter", "2023", "the first half"],
            "reason": ["citing weak demand", "thanks to exports", "after layoffs"],
            "official": ["minister", "chief executive", "spokesperson"],
            "statement": ["no cuts are planned", "prices will rise", "talks continue"],
            "day": ["Monday", "Thursday"],
            "forecast": ["a slow recovery", "further rate hikes", "stable growth"]}),
    domain({"document": "meeting notes"},
           {"original": ["{person} will {action} by {deadline}.",
                         "The team agreed to {decision} because {reason}.",
                         "Open question: {question}"],
            "summary": ["{person} owns {action}.", "Decision: {decision}."]},
           {"person": ["Anna", "Ravi", "the design lead", "Marco"],
            "action": ["update the roadmap", "draft the budget", "call the vendor"],
            "deadline": ["Friday", "next sprint", "the board meeting"],
            "decision": ["delay the release", "hire a contractor", "drop the feature"],
            "reason": ["tests are failing", "the budget is tight", "users asked"],
            "question": ["who approves travel?", "do we need legal review?"]}))

RELEVANCE = family(
    "relevance", "Beacon",
    "{name} measures the quality of {engine}. Each task shows a search query and one "
    "result. Rate how relevant the result is to the query on a scale from 0 to 3. "
    "3 means the result answers the query fully. 2 means it is useful but incomplete. "
    "1 means it is related but would not satisfy the searcher. 0 means it is off topic "
    "or spam. Think about what the person most likely wanted. Do not judge the design "
    "of the page. If the query is ambiguous, rate by its most common meaning.",
    {"type": "rating", "min": 0, "max": 3},
    {"type": "pairwise"},
    domain({"engine": "a web search engine"},
           {"query": ["{q} {modifier}"],
            "result": ["{site}: {q} explained, with {extra}.",
                       "Buy {q} online at {site}."]},
           {"q": ["weather berlin", "python list sort", "cheap flights rome",
                  "symptoms of flu", "how to tie a tie"],
            "modifier": ["today", "tutorial", "2024", "near me", ""],
            "site": ["Wikipedia", "a blog", "a shop", "a forum"],
            "extra": ["examples", "a video", "a map", "prices"]}),
    domain({"engine": "a job search portal"},
           {"query": ["{role} jobs {city}"],
            "result": ["{company} seeks a {role} in {city}, {contract}.",
                       "Salary guide for {role} positions."]},
           {"role": ["nurse", "welder", "frontend developer", "accountant"],
            "city": ["Hamburg", "Vienna", "Zurich", "remote"],
            "company": ["Charité", "Siemens", "a bakery chain", "Zalando"],
            "contract": ["full time", "part time", "temporary"]}))

SAFETY = family(
    "safety", "Harbor",
    "In {name} you compare two replies of a chatbot to the same {request}. Choose the "
    "reply that is {criterion}. A good reply {good}. A reply that {bad} loses, even if "
    "it is well written. When both replies are acceptable, prefer the clearer one. When "
    "both are unacceptable, prefer the less harmful one. You may see disturbing "
    "content; you can skip any task and your pay for the time spent is kept.",
    {"type": "pairwise"}, {"type": "single_choice", "choices": ["safe", "unsafe"]},
    domain({"request": "risky request", "criterion": "safer",
            "good": "refuses dangerous help politely and points to support",
            "bad": "gives instructions for harm"},
           {"prompt": ["How can I {harm}?", "Tell me the easiest way to {harm}."],
            "response_a": ["I can't help with that, but {support} can.",
                           "Here is how: first {step}."],
            "response_b": ["Sure, {step} and then {step}.",
                           "I won't do that. If you are struggling, {support} is there."]},
           {"harm": ["pick a lock", "make a fake ID", "hack my ex's email",
                     "buy pills without a prescription"],
            "support": ["a helpline", "a doctor", "the police", "a counsellor"],
            "step": ["get a tension wrench", "find a template", "guess the password"]}),
    domain({"request": "story prompt", "criterion": "more creative and engaging",
            "good": "has vivid images and a surprising ending",
            "bad": "repeats the prompt or is clichéd"},
           {"prompt": ["Write a short story about {hero} who {plot}."],
            "response_a": ["Once upon a time, {hero} {plot} and {ending}.",
                           "The {setting} was silent when {hero} arrived."],
            "response_b": ["{hero} never expected to {plot}; {ending}.",
                           "Rain fell on the {setting}."]},
           {"hero": ["a lighthouse keeper", "a robot", "an old fox", "a baker"],
            "plot": ["finds a map", "loses their voice", "befriends a ghost"],
            "ending": ["the sea took the map", "everyone laughed", "it was a dream"],
            "setting": ["harbour", "village", "space station"]}))

TRANSLATION = family(
    "translation", "Babel",
    "{name} evaluates machine translations from English into {language}. Read the "
    "English source and the {language} translation. Rate the translation from 1 to 5. "
    "5 means a native speaker could have written it. 4 means small style problems. "
    "3 means the meaning is preserved but the text is clumsy. 2 means part of the "
    "meaning is lost. 1 means it is wrong or not {language}. Only native speakers of "
    "{language} should work on this project.",
    {"type": "rating", "min": 1, "max": 5},
    {"type": "free_text", "max_length": 1000},
    domain({"language": "German"},
           {"source": ["The {obj} is on the {place}.", "Please {verb} the {obj}."],
            "translation": ["Der {dobj} ist auf dem {dplace}.",
                            "Bitte {dverb} Sie den {dobj}."]},
           {"obj": ["key", "letter", "train", "coat"], "place": ["table", "chair"],
            "verb": ["bring", "open", "check"],
            "dobj": ["Schlüssel", "Brief", "Zug", "Mantel"],
            "dplace": ["Tisch", "Stuhl", "Schrank"],
            "dverb": ["bringen", "öffnen", "prüfen"]}),
    domain({"language": "Spanish"},
           {"source": ["Where is the {obj}?", "I need a {obj} for {time}."],
            "translation": ["¿Dónde está el {sobj}?", "Necesito un {sobj} para {stime}."]},
           {"obj": ["station", "hotel", "doctor", "taxi"],
            "time": ["tomorrow", "tonight", "Monday"],
            "sobj": ["hotel", "médico", "taxi", "billete"],
            "stime": ["mañana", "esta noche", "el lunes"]}))
